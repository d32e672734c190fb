#pragma once
// Storage growth: 15-minute rollups of old raw meter samples and batched
// retention of the message log. Both run from a low-priority maintenance job,
// a bounded batch per run, so a run never holds the writer for long.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// Length of a rollup window: samples are aggregated per quarter hour (UTC).
constexpr std::int64_t kRollupWindowMicros = std::int64_t{15} * 60 * 1000000;

/// The start of the 15-minute window holding `t`.
DateTime rollup_window(const DateTime& t);

/// A raw meter sample with its row id (the rollup job reads these).
struct StoredSample {
  std::int64_t id = 0;
  MeterSample sample;
};

/// The aggregate of one window of one transaction's measurand (per station,
/// EVSE, connector, phase, location and unit). Written once, never edited.
struct MeterRollup {
  std::int64_t id = 0;
  std::string station_id;
  int evse_id = 0;
  int connector_id = 0;
  std::optional<std::int64_t> transaction_id;
  std::string measurand;
  std::string phase;
  std::string unit;
  std::string location;
  std::string format;
  DateTime window_start;
  DateTime first_at;        ///< Timestamp of the window's earliest sample.
  DateTime last_at;         ///< Timestamp of its latest sample.
  std::string first_value;  ///< As sent (the energy register's opening reading).
  std::string last_value;   ///< As sent (its closing reading).
  std::string first_context;
  std::string last_context;
  std::optional<double> min;  ///< Of the numeric values; unset when none was numeric.
  std::optional<double> max;
  std::int64_t count = 0;  ///< Raw samples aggregated.
};

/// Aggregates samples (in timestamp, id order) into rollups, one per group and
/// window, ordered by window then first appearance. Pure: the unit-tested core.
std::vector<MeterRollup> roll_up(const std::vector<StoredSample>& samples);

/// How many leading samples of a batch (timestamp order) form whole windows:
/// when the batch was cut at `limit`, the last window may continue past it and
/// is left for the next run, unless it is the only window in the batch.
std::size_t whole_windows(const std::vector<StoredSample>& batch, std::size_t limit);

/// What one rollup run did.
struct RollupRun {
  std::size_t samples = 0;  ///< Raw samples rolled up and deleted.
  std::size_t rollups = 0;  ///< Rollup rows written.
};

/// Rollups and retention (migration 0017 / PostgreSQL 0003).
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;
  /// Rolls up at most `limit` raw samples older than the 15-minute window
  /// holding `before` (oldest first) and deletes them. Signed meter values are
  /// kept as they are (evidence).
  virtual RollupRun roll_up_meter_samples(const DateTime& before, std::size_t limit) = 0;
  /// The transaction's rollups, by window.
  virtual std::vector<MeterRollup> rollups(std::int64_t transaction_id) = 0;
  /// Deletes at most `limit` message-log frames older than `before`, oldest
  /// first; returns how many.
  virtual std::size_t prune_message_log(const DateTime& before, std::size_t limit) = 0;
};

}  // namespace storage
