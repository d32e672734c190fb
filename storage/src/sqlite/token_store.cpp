#include "common/token_store_impl.hpp"
#include "sqlite/dialect.hpp"

template class storage::common::TokenStoreT<storage::sqlite::Dialect>;
