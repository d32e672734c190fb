#include "common/station_store_impl.hpp"
#include "sqlite/dialect.hpp"

template class storage::common::StationStoreT<storage::sqlite::Dialect>;
