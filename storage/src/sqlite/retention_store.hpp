#pragma once
// The Sqlite RetentionStore (meter rollups, message-log retention).

#include "storage/retention.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteRetentionStore final : public RetentionStore {
 public:
  explicit SqliteRetentionStore(SqliteDatabase& db) : db_(db) {}
  RollupRun roll_up_meter_samples(const DateTime& before, std::size_t limit) override;
  std::vector<MeterRollup> rollups(std::int64_t transaction_id) override;
  std::size_t prune_message_log(const DateTime& before, std::size_t limit) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
