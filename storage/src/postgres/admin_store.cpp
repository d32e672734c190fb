#include "postgres/admin_store.hpp"
#include "common/admin_store_impl.hpp"

template class storage::common::AdminStoreT<storage::pg::Dialect>;
