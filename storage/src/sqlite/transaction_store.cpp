#include "common/transaction_store_impl.hpp"
#include "sqlite/dialect.hpp"

template class storage::common::TransactionStoreT<storage::sqlite::Dialect>;
