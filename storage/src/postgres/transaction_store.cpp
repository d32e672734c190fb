#include "common/transaction_store_impl.hpp"
#include "postgres/dialect.hpp"

template class storage::common::TransactionStoreT<storage::pg::Dialect>;
