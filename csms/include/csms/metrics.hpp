#pragma once
// Counters and gauges for GET /metrics (Prometheus text format).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace csms {

/// Thread-safe metrics registry. Counters by action are keyed by
/// (direction, action); everything else is a plain atomic. Each labelled family
/// keeps at most kMaxLabelValues distinct values (the rest count as "other"),
/// so a station inventing action names cannot grow it without bound.
class Metrics {
 public:
  static constexpr std::size_t kMaxLabelValues = 256;

  void message_in(const std::string& action);
  void message_out(const std::string& action);
  void rpc_error(const std::string& code);
  void station_connected() { ++connected_; }
  void station_disconnected() { --connected_; }
  void auth_failure() { ++auth_failures_; }
  void connection_rejected(int http_status);
  /// Admission control and per-station limits (see docs/configuration.md).
  void upgrade_refused() { ++upgrades_refused_; }
  void boot_paced() { ++boots_paced_; }
  void call_delayed() { ++calls_delayed_; }
  void call_refused() { ++calls_refused_; }
  void flood_closed() { ++flood_closes_; }
  /// Station certificates (each station's newest unrevoked one) expiring
  /// within ca.renew_before_days, and expired ones; set by the renewal sweep.
  void set_station_certificates(std::int64_t expiring, std::int64_t expired) {
    certs_expiring_ = expiring;
    certs_expired_ = expired;
  }
  /// One carbon record computation (storage thread): whether it appended a
  /// record, and its CPU-side duration in seconds.
  void carbon_record(bool appended, double seconds);

  /// Alerts and their webhook (docs/operations.md).
  void alert_opened() { ++alerts_opened_; }
  void webhook_delivered() { ++webhook_delivered_; }
  void webhook_failed_attempt() { ++webhook_failed_attempts_; }
  void webhook_gave_up() { ++webhook_gave_up_; }
  void webhook_dropped() { ++webhook_dropped_; }

  std::int64_t connected() const { return connected_.load(); }

  /// Extra gauges filled at scrape time (active transactions, storage stats...).
  /// The callback appends complete Prometheus lines to `out`.
  void add_collector(std::function<void(std::string& out)> collector);

  /// The Prometheus text exposition of everything.
  std::string render() const;

 private:
  std::atomic<std::int64_t> connected_{0};
  std::atomic<std::uint64_t> auth_failures_{0};
  std::atomic<std::uint64_t> upgrades_refused_{0};
  std::atomic<std::uint64_t> boots_paced_{0};
  std::atomic<std::uint64_t> calls_delayed_{0};
  std::atomic<std::uint64_t> calls_refused_{0};
  std::atomic<std::uint64_t> flood_closes_{0};
  std::atomic<std::int64_t> certs_expiring_{0};
  std::atomic<std::int64_t> certs_expired_{0};
  std::atomic<std::uint64_t> carbon_computations_{0};
  std::atomic<std::uint64_t> carbon_records_{0};
  std::atomic<std::uint64_t> carbon_micros_{0};
  std::atomic<std::uint64_t> alerts_opened_{0};
  std::atomic<std::uint64_t> webhook_delivered_{0};
  std::atomic<std::uint64_t> webhook_failed_attempts_{0};
  std::atomic<std::uint64_t> webhook_gave_up_{0};
  std::atomic<std::uint64_t> webhook_dropped_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> in_by_action_;
  std::map<std::string, std::uint64_t> out_by_action_;
  std::map<std::string, std::uint64_t> errors_by_code_;
  std::map<int, std::uint64_t> rejected_by_status_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

}  // namespace csms
