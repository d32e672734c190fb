#include "postgres/monitor_store.hpp"
#include "common/monitor_store_impl.hpp"

template class storage::common::MonitorStoreT<storage::pg::Dialect>;
