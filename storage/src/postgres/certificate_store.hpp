#pragma once
// The station certificate store on PostgreSQL: common/certificate_store_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgCertificateStore = common::CertificateStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::CertificateStoreT<storage::pg::Dialect>;
