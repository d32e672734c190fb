#include "sqlite/carbon_stores.hpp"
#include "common/carbon_stores_impl.hpp"

template class storage::common::SiteStoreT<storage::sqlite::Dialect>;
template class storage::common::CarbonStoreT<storage::sqlite::Dialect>;
