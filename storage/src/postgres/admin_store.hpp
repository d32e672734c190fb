#pragma once
// The admin token and audit store on PostgreSQL: common/admin_store_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgAdminStore = common::AdminStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::AdminStoreT<storage::pg::Dialect>;
