#include "postgres/carbon_stores.hpp"
#include "common/carbon_stores_impl.hpp"

template class storage::common::SiteStoreT<storage::pg::Dialect>;
template class storage::common::CarbonStoreT<storage::pg::Dialect>;
