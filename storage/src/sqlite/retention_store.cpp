#include "sqlite/retention_store.hpp"

#include "retention_impl.hpp"
#include "sqlite/statement.hpp"

namespace storage::sqlite {

RollupRun SqliteRetentionStore::roll_up_meter_samples(const DateTime& before, std::size_t limit) {
  return detail::roll_up_meter_samples<Statement>(db_, before, limit);
}

std::vector<MeterRollup> SqliteRetentionStore::rollups(std::int64_t transaction_id) {
  return detail::rollups<Statement>(db_, transaction_id);
}

std::size_t SqliteRetentionStore::prune_message_log(const DateTime& before, std::size_t limit) {
  return detail::prune_message_log<Statement>(db_, before, limit);
}

}  // namespace storage::sqlite
