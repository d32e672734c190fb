#pragma once
// Alerts: what the services see (statuses, heartbeats, boots, transactions,
// meter values, firmware status, authorizations) turned into alerts that open
// and close. AlertEngine is the pure logic, driven with explicit times so tests
// run it on a manual clock; AlertService feeds it from the server, stores its
// changes, checks the time-based ones on a timer and hands changes to the
// webhook. Version-neutral: nothing here knows OCPP 1.6 or 2.0.1 types.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "server/context.hpp"
#include "storage/model.hpp"
#include "storage/operations.hpp"

namespace csms {

class WebhookSender;

/// Alert kinds, as stored and sent.
namespace alert_kind {
inline constexpr const char* kStationOffline = "station_offline";
inline constexpr const char* kHeartbeatMissing = "heartbeat_missing";
inline constexpr const char* kConnectorFaulted = "connector_faulted";
inline constexpr const char* kConnectorStuck = "connector_stuck";
inline constexpr const char* kTransactionLong = "transaction_long";
inline constexpr const char* kTransactionNoMeterValues = "transaction_no_meter_values";
inline constexpr const char* kMeterBackwards = "meter_backwards";
inline constexpr const char* kFirmwareFailed = "firmware_failed";
inline constexpr const char* kCertificateRenewalFailed = "certificate_renewal_failed";
inline constexpr const char* kBootLoop = "boot_loop";
inline constexpr const char* kAuthorizationFailures = "authorization_failures";
}  // namespace alert_kind

/// Every kind, for metrics and docs.
const std::vector<std::string>& alert_kinds();

/// The thresholds (configuration keys alerts.*); 0 switches a time check off.
struct AlertThresholds {
  int offline_after_s = 300;          ///< Disconnected this long: station_offline.
  int heartbeat_missing_after_s = 0;  ///< Connected but silent this long; 0: off.
  int stuck_after_s = 900;            ///< Preparing/Finishing this long: connector_stuck.
  int transaction_max_s = 24 * 3600;  ///< Open this long: transaction_long.
  int meter_silence_s = 3600;         ///< No meter values this long: transaction_no_meter_values.
  int boot_loop_count = 5;            ///< More boots than this in an hour: boot_loop.
  int auth_failure_count = 10;        ///< This many rejected authorizations...
  int auth_failure_window_s = 600;    ///< ...within this window: authorization_failures.
};

/// One alert opening or closing.
struct AlertChange {
  bool opened = true;
  storage::Alert alert;  ///< On closing: closed_at and close_reason set.
};

/// The alert rules, on explicit times. Not thread-safe (network thread).
class AlertEngine {
 public:
  explicit AlertEngine(AlertThresholds thresholds) : t_(thresholds) {}

  /// Alerts found open in storage at start: not opened twice.
  void restore(const std::vector<storage::Alert>& open);
  /// The changes since the last call, in order.
  std::vector<AlertChange> take();
  std::vector<storage::Alert> open_alerts() const;
  const AlertThresholds& thresholds() const { return t_; }

  void station_online(const std::string& station, storage::DateTime now);
  /// Disconnected at `now` (also: known but not connected at start).
  void station_offline(const std::string& station, storage::DateTime now);
  /// Any message from the station (Heartbeat included).
  void station_activity(const std::string& station, storage::DateTime now);
  void boot(const std::string& station, storage::DateTime now);
  void connector_status(const std::string& station, int connector, storage::ConnectorStatus status,
                        const std::string& error_code, const std::string& vendor_error_code,
                        const std::string& info, storage::DateTime now);
  /// `started` is the station's start time (transaction_long counts from it).
  void transaction_started(const std::string& station, int connector, std::int64_t tx,
                           storage::DateTime started, storage::DateTime now);
  /// Meter values of a transaction; `register_wh` the energy register reading, if any.
  void transaction_meter(std::int64_t tx, std::optional<double> register_wh, storage::DateTime now);
  /// `stop_register_wh`: the final register reading, checked for going backwards.
  void transaction_ended(std::int64_t tx, const std::string& why,
                         std::optional<double> stop_register_wh, storage::DateTime now);
  void firmware_status(const std::string& station, const std::string& status,
                       storage::DateTime now);
  void certificate_renewal(const std::string& station, bool ok, const std::string& detail,
                           storage::DateTime now);
  void authorization(const std::string& station, const std::string& id_tag, bool accepted,
                     storage::DateTime now);
  /// The time-based checks.
  void tick(storage::DateTime now);

 private:
  using Key = std::tuple<std::string, std::string, int>;  // kind, station, connector
  struct Tx {
    std::string station;
    int connector = 0;
    storage::DateTime started;
    storage::DateTime last_meter;
    std::optional<double> last_register;
  };
  bool is_open(const std::string& kind, const std::string& station, int connector) const;
  void open(const std::string& kind, const std::string& station, int connector, std::string details,
            storage::DateTime now);
  void close(const std::string& kind, const std::string& station, int connector,
             const std::string& why, storage::DateTime now);

  AlertThresholds t_;
  std::map<Key, storage::Alert> open_;
  std::vector<AlertChange> changes_;
  std::map<std::string, storage::DateTime> offline_since_;
  std::map<std::string, storage::DateTime> last_activity_;  ///< Connected stations only.
  std::map<std::pair<std::string, int>, storage::DateTime> stuck_since_;
  std::map<std::pair<std::string, int>, std::string> stuck_status_;
  std::map<std::int64_t, Tx> txs_;
  std::map<std::string, std::deque<storage::DateTime>> boots_;
  std::map<std::string, std::deque<storage::DateTime>> auth_failures_;
};

/// Counts for /metrics, network thread.
struct AlertCounts {
  std::map<std::string, std::int64_t> open_by_kind;
  std::uint64_t opened_total = 0;
};

/// Feeds the engine from the server, stores and delivers its changes.
class AlertService {
 public:
  explicit AlertService(ServerContext& ctx);
  ~AlertService();
  /// Loads open alerts, known stations and open transactions, starts the
  /// timer and the webhook. Blocks on storage: call before the network thread runs.
  void start();
  void stop();
  AlertEngine& engine() { return engine_; }
  /// Stores and delivers what the engine changed (called after each input).
  void flush();
  AlertCounts counts() const;

  void station_online(const std::string& station) {
    engine_.station_online(station, now());
    flush();
  }
  void station_offline(const std::string& station) {
    engine_.station_offline(station, now());
    flush();
  }
  void station_activity(const std::string& station) {
    engine_.station_activity(station, now());
    flush();
  }
  void boot(const std::string& station) {
    engine_.boot(station, now());
    flush();
  }
  void connector_status(const storage::Connector& c);
  void transaction_started(const std::string& station, int connector, std::int64_t tx,
                           storage::DateTime started) {
    engine_.transaction_started(station, connector, tx, started, now());
    flush();
  }
  void transaction_meter(std::int64_t tx, std::optional<double> register_wh) {
    engine_.transaction_meter(tx, register_wh, now());
    flush();
  }
  void transaction_ended(std::int64_t tx, const std::string& why,
                         std::optional<double> stop_register_wh = std::nullopt) {
    engine_.transaction_ended(tx, why, stop_register_wh, now());
    flush();
  }
  void firmware_status(const std::string& station, const std::string& status) {
    engine_.firmware_status(station, status, now());
    flush();
  }
  /// The seam for the certificate authority: a renewal that failed or succeeded.
  void certificate_renewal(const std::string& station, bool ok, const std::string& detail) {
    engine_.certificate_renewal(station, ok, detail, now());
    flush();
  }
  void authorization(const std::string& station, const std::string& id_tag, bool accepted) {
    engine_.authorization(station, id_tag, accepted, now());
    flush();
  }
  void tick() {
    engine_.tick(now());
    flush();
  }

 private:
  storage::DateTime now() const { return ctx_.clock.system_now(); }
  void schedule();

  ServerContext& ctx_;
  AlertEngine engine_;
  TimerHandle timer_;
  std::unique_ptr<WebhookSender> webhook_;
  std::uint64_t opened_total_ = 0;
  bool running_ = false;
};

/// AlertThresholds from the configuration.
AlertThresholds alert_thresholds(const Config& config);

/// The webhook's JSON body of one change (docs/operations.md).
std::string alert_change_json(const AlertChange& change);

}  // namespace csms
