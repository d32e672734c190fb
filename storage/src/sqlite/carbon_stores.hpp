#pragma once
// The site and carbon stores on SQLite: common/carbon_stores_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteSiteStore = common::SiteStoreT<Dialect>;
using SqliteCarbonStore = common::CarbonStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::SiteStoreT<storage::sqlite::Dialect>;
extern template class storage::common::CarbonStoreT<storage::sqlite::Dialect>;
