#include "sqlite/monitor_store.hpp"
#include "common/monitor_store_impl.hpp"

template class storage::common::MonitorStoreT<storage::sqlite::Dialect>;
