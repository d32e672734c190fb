#pragma once
// The admin token and audit store on SQLite: common/admin_store_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteAdminStore = common::AdminStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::AdminStoreT<storage::sqlite::Dialect>;
