#include "postgres/charging_profile_store.hpp"
#include "common/charging_profile_store_impl.hpp"

template class storage::common::ChargingProfileStoreT<storage::pg::Dialect>;
