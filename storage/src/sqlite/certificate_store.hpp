#pragma once
// The station certificate store on SQLite: common/certificate_store_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteCertificateStore = common::CertificateStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::CertificateStoreT<storage::sqlite::Dialect>;
