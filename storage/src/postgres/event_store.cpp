#include "common/event_store_impl.hpp"
#include "postgres/dialect.hpp"

template class storage::common::EventStoreT<storage::pg::Dialect>;
