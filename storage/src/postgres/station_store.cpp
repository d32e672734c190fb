#include "common/station_store_impl.hpp"
#include "postgres/dialect.hpp"

template class storage::common::StationStoreT<storage::pg::Dialect>;
