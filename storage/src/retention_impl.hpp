#pragma once
// The RetentionStore written once for both backends: their Statement classes
// share one interface (and `?` placeholders), so only the types differ.

#include <algorithm>
#include <string>
#include <vector>

#include "storage/retention.hpp"

namespace storage::detail {

/// Samples older than `before`, except those of a transaction still open: a
/// station may resend them (a retry is deduplicated against the raw rows) and
/// an offline backlog arrives with old timestamps. They roll up once it ends.
template <class Statement, class Db>
std::vector<StoredSample> old_samples(Db& db, const DateTime& before, std::size_t limit) {
  Statement st(db,
               "SELECT id, station_id, evse_id, connector_id, transaction_id, timestamp, value, "
               "measurand, phase, unit, context, location, format FROM meter_samples "
               "WHERE timestamp < ? AND NOT EXISTS (SELECT 1 FROM transactions t "
               "WHERE t.id = meter_samples.transaction_id AND t.stop_time IS NULL) "
               "ORDER BY timestamp, id LIMIT ?");
  st.bind_all(before, static_cast<std::int64_t>(limit));
  std::vector<StoredSample> out;
  while (st.step()) {
    StoredSample s;
    s.id = st.int64(0);
    auto& m = s.sample;
    m.station_id = st.text(1);
    m.evse_id = st.integer(2);
    m.connector_id = st.integer(3);
    m.transaction_id = st.opt_int64(4);
    m.timestamp = st.time(5);
    m.value = st.text(6);
    m.measurand = st.text(7);
    m.phase = st.text(8);
    m.unit = st.text(9);
    m.context = st.text(10);
    m.location = st.text(11);
    m.format = st.text(12);
    out.push_back(std::move(s));
  }
  return out;
}

template <class Statement, class Db>
void insert_rollup(Db& db, const MeterRollup& r) {
  Statement st(db,
               "INSERT INTO meter_rollups (station_id, evse_id, connector_id, transaction_id, "
               "measurand, phase, unit, location, format, window_start, first_at, last_at, "
               "first_value, last_value, first_context, last_context, min_value, max_value, "
               "sample_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(r.station_id, r.evse_id, r.connector_id, r.transaction_id, r.measurand, r.phase,
              r.unit, r.location, r.format, r.window_start, r.first_at, r.last_at, r.first_value,
              r.last_value, r.first_context, r.last_context, r.min, r.max, r.count);
  st.run();
}

template <class Statement, class Db>
void delete_samples(Db& db, const std::vector<StoredSample>& samples, std::size_t n) {
  constexpr std::size_t kIdsPerDelete = 100;
  for (std::size_t first = 0; first < n; first += kIdsPerDelete) {
    const std::size_t count = std::min(kIdsPerDelete, n - first);
    std::string sql = "DELETE FROM meter_samples WHERE id IN (";
    for (std::size_t i = 0; i < count; ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
    Statement st(db, sql);
    for (std::size_t i = 0; i < count; ++i) st.bind(static_cast<int>(i + 1), samples[first + i].id);
    st.run();
  }
}

/// RetentionStore::roll_up_meter_samples.
template <class Statement, class Db>
RollupRun roll_up_meter_samples(Db& db, const DateTime& before, std::size_t limit) {
  // Only whole windows that have closed before the cut-off: a window is rolled
  // up once, never edited afterwards.
  auto batch = old_samples<Statement>(db, rollup_window(before), limit);
  const std::size_t n = whole_windows(batch, limit);
  batch.resize(n);
  RollupRun run;
  for (const auto& r : roll_up(batch)) {
    insert_rollup<Statement>(db, r);
    ++run.rollups;
  }
  delete_samples<Statement>(db, batch, n);
  run.samples = n;
  return run;
}

/// RetentionStore::rollups.
template <class Statement, class Db>
std::vector<MeterRollup> rollups(Db& db, std::int64_t transaction_id) {
  Statement st(db,
               "SELECT id, station_id, evse_id, connector_id, transaction_id, measurand, phase, "
               "unit, location, format, window_start, first_at, last_at, first_value, "
               "last_value, first_context, last_context, min_value, max_value, sample_count "
               "FROM meter_rollups WHERE transaction_id = ? ORDER BY window_start, id");
  st.bind_all(transaction_id);
  std::vector<MeterRollup> out;
  while (st.step()) {
    MeterRollup r;
    r.id = st.int64(0);
    r.station_id = st.text(1);
    r.evse_id = st.integer(2);
    r.connector_id = st.integer(3);
    r.transaction_id = st.opt_int64(4);
    r.measurand = st.text(5);
    r.phase = st.text(6);
    r.unit = st.text(7);
    r.location = st.text(8);
    r.format = st.text(9);
    r.window_start = st.time(10);
    r.first_at = st.time(11);
    r.last_at = st.time(12);
    r.first_value = st.text(13);
    r.last_value = st.text(14);
    r.first_context = st.text(15);
    r.last_context = st.text(16);
    r.min = st.opt_real(17);
    r.max = st.opt_real(18);
    r.count = st.int64(19);
    out.push_back(std::move(r));
  }
  return out;
}

/// RetentionStore::prune_message_log.
template <class Statement, class Db>
std::size_t prune_message_log(Db& db, const DateTime& before, std::size_t limit) {
  Statement st(db,
               "DELETE FROM message_log WHERE id IN (SELECT id FROM message_log "
               "WHERE timestamp < ? ORDER BY timestamp LIMIT ?)");
  st.bind_all(before, static_cast<std::int64_t>(limit));
  st.run();
  return static_cast<std::size_t>(st.changes());
}

/// The RetentionStore of a backend: its Statement over its connection `Db`.
template <class Statement, class Db>
class BackendRetentionStore final : public RetentionStore {
 public:
  explicit BackendRetentionStore(Db& db) : db_(db) {}
  RollupRun roll_up_meter_samples(const DateTime& before, std::size_t limit) override {
    return detail::roll_up_meter_samples<Statement>(db_, before, limit);
  }
  std::vector<MeterRollup> rollups(std::int64_t transaction_id) override {
    return detail::rollups<Statement>(db_, transaction_id);
  }
  std::size_t prune_message_log(const DateTime& before, std::size_t limit) override {
    return detail::prune_message_log<Statement>(db_, before, limit);
  }

 private:
  Db& db_;
};

}  // namespace storage::detail
