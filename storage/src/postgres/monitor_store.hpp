#pragma once
// The 2.0.1 variable monitor store on PostgreSQL: common/monitor_store_impl.hpp.

#include "common/stores.hpp"
#include "postgres/dialect.hpp"

namespace storage::pg {

using PgMonitorStore = common::MonitorStoreT<Dialect>;

}  // namespace storage::pg

extern template class storage::common::MonitorStoreT<storage::pg::Dialect>;
