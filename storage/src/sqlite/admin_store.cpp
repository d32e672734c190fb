#include "sqlite/admin_store.hpp"
#include "common/admin_store_impl.hpp"

template class storage::common::AdminStoreT<storage::sqlite::Dialect>;
