#pragma once
// The site energy store on SQLite: common/energy_store_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteEnergyStore = common::EnergyStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::EnergyStoreT<storage::sqlite::Dialect>;
