#pragma once
// The site and carbon stores on PostgreSQL: common/carbon_stores_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgSiteStore = common::SiteStoreT<Dialect>;
using PgCarbonStore = common::CarbonStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::SiteStoreT<storage::pg::Dialect>;
extern template class storage::common::CarbonStoreT<storage::pg::Dialect>;
