#pragma once
// The charging profile store on PostgreSQL: common/charging_profile_store_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgChargingProfileStore = common::ChargingProfileStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::ChargingProfileStoreT<storage::pg::Dialect>;
