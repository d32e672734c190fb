#include "common/event_store_impl.hpp"
#include "sqlite/dialect.hpp"

template class storage::common::EventStoreT<storage::sqlite::Dialect>;
