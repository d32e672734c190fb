#include "postgres/retention_store.hpp"

#include "postgres/statement.hpp"
#include "retention_impl.hpp"

namespace storage::pg {

RollupRun PgRetentionStore::roll_up_meter_samples(const DateTime& before, std::size_t limit) {
  return detail::roll_up_meter_samples<Statement>(db_, before, limit);
}

std::vector<MeterRollup> PgRetentionStore::rollups(std::int64_t transaction_id) {
  return detail::rollups<Statement>(db_, transaction_id);
}

std::size_t PgRetentionStore::prune_message_log(const DateTime& before, std::size_t limit) {
  return detail::prune_message_log<Statement>(db_, before, limit);
}

}  // namespace storage::pg
