#pragma once
// The PostgreSQL MonitorStore (table variable_monitors, migration 0002).

#include "postgres/statement.hpp"
#include "storage/monitoring.hpp"

namespace storage::pg {

/// 2.0.1 variable monitors per station on PostgreSQL.
class PgMonitorStore final : public MonitorStore {
 public:
  explicit PgMonitorStore(PgConnection& db) : db_(db) {}
  void put(const std::vector<VariableMonitor>& monitors) override;
  std::size_t remove(const std::string& station_id,
                     const std::vector<std::int64_t>& monitor_ids) override;
  std::size_t remove_from(const std::string& station_id, const std::string& source) override;
  bool event(const std::string& station_id, std::int64_t monitor_id, const DateTime& at,
             const std::string& actual_value, bool cleared) override;
  std::vector<VariableMonitor> list(const std::string& station_id) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
