#include "common/token_store_impl.hpp"
#include "postgres/dialect.hpp"

template class storage::common::TokenStoreT<storage::pg::Dialect>;
