#pragma once
// The SQLite MonitorStore (table variable_monitors, migration 0007).

#include "storage/monitoring.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteMonitorStore final : public MonitorStore {
 public:
  explicit SqliteMonitorStore(SqliteDatabase& db) : db_(db) {}
  void put(const std::vector<VariableMonitor>& monitors) override;
  std::size_t remove(const std::string& station_id,
                     const std::vector<std::int64_t>& monitor_ids) override;
  std::size_t remove_from(const std::string& station_id, const std::string& source) override;
  bool event(const std::string& station_id, std::int64_t monitor_id, const DateTime& at,
             const std::string& actual_value, bool cleared) override;
  std::vector<VariableMonitor> list(const std::string& station_id) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
