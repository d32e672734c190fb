#pragma once
// Fleet mode (`ocpp-sim fleet`): thousands of lean simulated stations on one
// io_context, as a load generator. Unlike the single-station simulator, a fleet
// station plays a fixed script (boot, status, heartbeats, a transaction with
// periodic meter values) with hand-built payloads, so per-message CPU stays
// small next to the server under test.

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simulator::fleet {

/// The `ocpp-sim fleet` command line (see fleet_usage()).
struct FleetOptions {
  std::string url;
  int stations = 100;
  std::string id_prefix = "FLEET-";
  double v201_share = 0;
  double charging_share = 0.5;
  double meter_interval_s = 10;
  std::optional<double> meter_rate;   ///< Total meter messages/s; overrides the interval.
  std::optional<double> heartbeat_s;  ///< Unset: the BootNotification answer's interval.
  double ramp = 1000;                 ///< Connections started per second; 0: all at once.
  double duration_s = 30;
  double warmup_s = 2;
  int source_addresses = 1;
  std::optional<double> storm_at_s;
  double storm_share = 1.0;
  std::optional<std::string> password;
  std::string ca_file;    ///< wss://: trust anchors (PEM).
  std::string cert_file;  ///< wss://: one client certificate every station presents.
  std::string key_file;   ///< Its key.
  int call_timeout_ms = 10000;
  int connect_timeout_ms = 10000;
  bool stop_transactions = false;
  bool json = false;
  double progress_s = 0;
  std::string id_tag = "FLEET-TAG";
  double power_w = 7400;
  std::uint64_t seed = 0;  ///< 0: random.
  /// What a fault test compares with the database and the commands it sent
  /// (tests/cluster/fault_test.py); each empty/false: off.
  std::string acked_log;            ///< One line per acknowledged transaction message.
  std::string commands_log;         ///< One line per DataTransfer received.
  std::string timeline;             ///< One JSON line per second: connections, answers, latency.
  bool resend_unconfirmed = false;  ///< Send an unconfirmed meter value again, as stations do.
  bool drop_on_timeout = false;     ///< A CALL timeout abandons the connection (kept, read).
  bool help = false;
};

/// Parses the arguments after `fleet`; nullopt with `error` set on a usage error.
std::optional<FleetOptions> parse_fleet_options(const std::vector<std::string>& args,
                                                std::string& error);
std::string fleet_usage();

/// What one fleet member is: identity, protocol version, whether it charges.
struct StationPlan {
  std::string id;
  bool v201 = false;
  bool charging = false;
};

/// The plan of station `index` (0-based; ids count from 1). Versions and
/// charging are spread evenly, charging independently within each version so
/// both versions charge in the same proportion.
StationPlan plan_station(const FleetOptions& options, int index);
/// How many stations charge.
int charging_stations(const FleetOptions& options);
/// Seconds between meter values per charging station (`--meter-rate` applied).
double meter_interval(const FleetOptions& options);

/// A fixed-size latency histogram: logarithmic buckets of ~2% width from 1 µs to
/// 60 s (outliers clamp to the ends), exact count, min and max. Recording is
/// O(1) without allocation, so it can sit on the hot path.
class LatencyHistogram {
 public:
  static constexpr double kMinUs = 1.0;
  static constexpr double kMaxUs = 60e6;
  static constexpr double kGrowth = 1.02;
  static constexpr std::size_t kBuckets = 906;  // ceil(ln(6e7) / ln(1.02)) + 1

  void record_us(double us);
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  /// The latency below which a fraction `p` (0..1) of the samples fall, in ms,
  /// within the bucket resolution (and never outside [min, max]); 0 when empty.
  double percentile_ms(double p) const;
  double max_ms() const { return count_ ? max_us_ / 1000.0 : 0.0; }
  double min_ms() const { return count_ ? min_us_ / 1000.0 : 0.0; }

 private:
  static std::size_t bucket_of(double us);
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  double min_us_ = 0;
  double max_us_ = 0;
};

/// Hand-built OCPP payloads (JSON objects) for the fleet's messages, appended
/// to `out`. Exposed so tests can check them against the schemas.
namespace payload {
void boot_v16(std::string& out, std::string_view id);
void boot_v201(std::string& out, std::string_view id);
void status_v16(std::string& out, std::string_view status, std::string_view timestamp);
void status_v201(std::string& out, std::string_view status, std::string_view timestamp);
void authorize_v16(std::string& out, std::string_view id_tag);
void authorize_v201(std::string& out, std::string_view id_tag);
void start_v16(std::string& out, std::string_view id_tag, std::int64_t meter_wh,
               std::string_view timestamp);
void meter_v16(std::string& out, std::int64_t transaction_id, std::int64_t energy_wh,
               double power_w, std::string_view timestamp);
void stop_v16(std::string& out, std::int64_t transaction_id, std::string_view id_tag,
              std::int64_t meter_wh, std::string_view timestamp);
/// TransactionEvent; `event` is Started, Updated or Ended.
void transaction_event_v201(std::string& out, std::string_view event, std::string_view tx_id,
                            int seq_no, std::string_view id_tag, std::int64_t energy_wh,
                            double power_w, std::string_view timestamp);
}  // namespace payload

/// Runs the fleet until the end and writes the report to `out` (a table, or one
/// JSON object with `--json`); logs and progress go to `err`. Returns the exit
/// code: 0 when the run completed, 2 for a bad URL.
int run_fleet(const FleetOptions& options, std::ostream& out, std::ostream& err);

}  // namespace simulator::fleet
