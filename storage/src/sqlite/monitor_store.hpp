#pragma once
// The 2.0.1 variable monitor store on SQLite: common/monitor_store_impl.hpp.

#include "common/stores.hpp"
#include "sqlite/dialect.hpp"

namespace storage::sqlite {

using SqliteMonitorStore = common::MonitorStoreT<Dialect>;

}  // namespace storage::sqlite

extern template class storage::common::MonitorStoreT<storage::sqlite::Dialect>;
