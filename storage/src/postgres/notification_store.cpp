#include "common/notification_store_impl.hpp"
#include "postgres/dialect.hpp"

template class storage::common::NotificationStoreT<storage::pg::Dialect>;
