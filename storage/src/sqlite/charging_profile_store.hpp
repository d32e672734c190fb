#pragma once
// The charging profile store on SQLite: common/charging_profile_store_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteChargingProfileStore = common::ChargingProfileStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::ChargingProfileStoreT<storage::sqlite::Dialect>;
