#include "common/notification_store_impl.hpp"
#include "sqlite/dialect.hpp"

template class storage::common::NotificationStoreT<storage::sqlite::Dialect>;
