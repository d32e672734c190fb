#include "sqlite/energy_store.hpp"
#include "common/energy_store_impl.hpp"

template class storage::common::EnergyStoreT<storage::sqlite::Dialect>;
