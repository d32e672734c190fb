#pragma once
// The fleet's counters and their rendering (JSON for the bench, a table for people).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "simulator/fleet.hpp"

namespace simulator::fleet {

/// The actions a fleet station sends, one statistics slot each.
enum class Slot : std::uint8_t {
  Boot,
  Status,
  Heartbeat,
  Authorize,
  StartTransaction,
  MeterValues,
  StopTransaction,
  TransactionEvent,
  Count
};
inline constexpr std::array<const char*, static_cast<std::size_t>(Slot::Count)> kSlotNames = {
    "BootNotification", "StatusNotification", "Heartbeat",       "Authorize",
    "StartTransaction", "MeterValues",        "StopTransaction", "TransactionEvent"};

/// Per action: counts over the whole run, latencies over the measurement window.
struct ActionStats {
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t window_ok = 0;
  LatencyHistogram window;
};

/// Everything the report shows.
struct FleetReport {
  std::uint64_t stations = 0;
  std::uint64_t v201 = 0;
  std::uint64_t charging = 0;
  double meter_interval_s = 0;
  double ramp_s = 0;
  double duration_s = 0;  ///< From the end of the ramp to the end of the run.
  double window_s = 0;    ///< The measurement window (duration minus warmup).
  std::uint64_t connected_peak = 0;
  std::uint64_t connected_end = 0;
  std::uint64_t connect_attempts = 0;
  std::uint64_t connect_ok = 0;
  std::uint64_t connect_failed = 0;
  std::uint64_t tls_failed = 0;  ///< Of connect_failed: the TLS handshake failed.
  std::uint64_t connect_503 = 0;
  std::map<int, std::uint64_t> refused_status;  ///< Declined upgrades by HTTP status (503 apart).
  std::uint64_t connect_timeouts = 0;
  std::uint64_t unexpected_drops = 0;
  /// From a station's first connect attempt (of the run, or after a drop)
  /// to its BootNotification answered Accepted: TCP, TLS, upgrade, boot.
  LatencyHistogram connect_boot;
  std::array<ActionStats, static_cast<std::size_t>(Slot::Count)> actions;
  LatencyHistogram all_calls;  ///< Every answered CALL in the window.
  std::uint64_t meter_acknowledged = 0;
  std::uint64_t meter_window_acknowledged = 0;
  std::uint64_t meter_late = 0;
  std::uint64_t meter_unconfirmed = 0;  ///< Dropped or timed out: stored or not, unknown.
  std::uint64_t late_calls = 0;
  std::uint64_t boot_pending = 0;
  std::uint64_t boot_rejected = 0;
  std::uint64_t csms_calls = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t stale_answers = 0;
  // DataTransfer CALLs from the CSMS (answered Accepted): a repeated `data`
  // is a command delivered twice.
  std::uint64_t data_transfers = 0;
  std::uint64_t data_transfer_duplicates = 0;
  // --drop-on-timeout: connections given up after a CALL timeout and still read.
  std::uint64_t stale_abandoned = 0;
  std::uint64_t stale_closed = 0;  ///< Of those: closed by the server (close frame or EOF).
  std::uint64_t stale_calls = 0;   ///< CALLs on them after a newer connection opened: stale sends.
  std::uint64_t stale_calls_early = 0;  ///< CALLs before that (the server could not know yet).
  std::uint64_t stale_open_end = 0;
  bool storm = false;
  double storm_at_s = 0;
  std::uint64_t storm_dropped = 0;
  std::uint64_t storm_reconnected = 0;
  std::optional<double> storm_settle_s;
  std::uint64_t storm_errors = 0;
  std::uint64_t storm_503 = 0;
  std::uint64_t storm_steady_stations = 0;
  LatencyHistogram storm_steady;
};

/// One JSON object (the bench's contract; keys in simulator/README.md).
std::string report_json(const FleetReport& report);
/// A human-readable table.
std::string report_table(const FleetReport& report);

}  // namespace simulator::fleet
