#pragma once
// The Pg RetentionStore (meter rollups, message-log retention).

#include "postgres/statement.hpp"
#include "storage/retention.hpp"

namespace storage::pg {

class PgRetentionStore final : public RetentionStore {
 public:
  explicit PgRetentionStore(PgConnection& db) : db_(db) {}
  RollupRun roll_up_meter_samples(const DateTime& before, std::size_t limit) override;
  std::vector<MeterRollup> rollups(std::int64_t transaction_id) override;
  std::size_t prune_message_log(const DateTime& before, std::size_t limit) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
