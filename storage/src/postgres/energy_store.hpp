#pragma once
// The site energy store on PostgreSQL: common/energy_store_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgEnergyStore = common::EnergyStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::EnergyStoreT<storage::pg::Dialect>;
