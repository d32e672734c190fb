// Prometheus text exposition format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include "csms/metrics.hpp"

#include <string_view>
#include <type_traits>

#include "ocpp/common/utf8.hpp"

namespace csms {

namespace {

// Label values may hold anything a station sent: escape \ " and newline as the
// format requires, and repair invalid UTF-8 (the format is UTF-8 text).
std::string escape_label(std::string_view value) {
  const std::string clean = ocpp::sanitize_utf8(value);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void counter(std::string& out, std::string_view name, std::string_view help,
             const std::atomic<std::uint64_t>& value) {
  header(out, name, "counter", help);
  out.append(name).append(" ").append(std::to_string(value.load())).append("\n");
}

template <class Key>
void family(std::string& out, std::string_view name, std::string_view help, std::string_view label,
            const std::map<Key, std::uint64_t>& values) {
  header(out, name, "counter", help);
  for (const auto& [key, count] : values) {
    std::string value;
    if constexpr (std::is_same_v<Key, std::string>) {
      value = escape_label(key);
    } else {
      value = std::to_string(key);
    }
    out.append(name).append("{").append(label).append("=\"").append(value).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
}

// Counts under `key`, or under "other" once the family holds kMaxLabelValues
// distinct keys (bounded memory and scrape size whatever stations send).
template <class Key>
void bump(std::map<Key, std::uint64_t>& values, const Key& key, const Key& other) {
  auto it = values.find(key);
  if (it != values.end()) {
    ++it->second;
  } else if (values.size() < Metrics::kMaxLabelValues) {
    values.emplace(key, 1);
  } else {
    ++values[other];
  }
}

}  // namespace

void Metrics::message_in(const std::string& action) {
  std::lock_guard<std::mutex> lock(mutex_);
  bump(in_by_action_, action, std::string("other"));
}

void Metrics::message_out(const std::string& action) {
  std::lock_guard<std::mutex> lock(mutex_);
  bump(out_by_action_, action, std::string("other"));
}

void Metrics::rpc_error(const std::string& code) {
  std::lock_guard<std::mutex> lock(mutex_);
  bump(errors_by_code_, code, std::string("other"));
}

void Metrics::connection_rejected(int http_status) {
  std::lock_guard<std::mutex> lock(mutex_);
  bump(rejected_by_status_, http_status, 0);
}

void Metrics::carbon_record(bool appended, double seconds) {
  ++carbon_computations_;
  if (appended) ++carbon_records_;
  carbon_micros_ += static_cast<std::uint64_t>(seconds * 1e6);
}

void Metrics::add_collector(std::function<void(std::string& out)> collector) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  header(out, "csms_connected_stations", "gauge", "Stations with an open OCPP connection.");
  out.append("csms_connected_stations ").append(std::to_string(connected_.load())).append("\n");

  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    family(out, "csms_messages_received_total", "OCPP messages received from stations, by action.",
           "action", in_by_action_);
    family(out, "csms_messages_sent_total", "OCPP messages sent to stations, by action.", "action",
           out_by_action_);
    family(out, "csms_rpc_errors_total", "OCPP CALLERRORs, by error code.", "code",
           errors_by_code_);
    collectors = collectors_;
  }
  counter(out, "csms_auth_failures_total",
          "Station connections refused for bad or missing credentials.", auth_failures_);
  counter(
      out, "csms_upgrades_refused_total",
      "WebSocket upgrades refused with 503 by admission control (admission.max_upgrades_per_s).",
      upgrades_refused_);
  counter(out, "csms_boots_pending_for_load_total",
          "BootNotifications answered Pending to spread a boot storm (admission.max_boots_per_s).",
          boots_paced_);
  counter(out, "csms_calls_delayed_total",
          "Station CALLs held back by the per-station rate limit (limits.max_calls_per_s).",
          calls_delayed_);
  counter(out, "csms_calls_refused_total",
          "Station CALLs refused with a CALLERROR for flooding (limits.max_calls_in_flight).",
          calls_refused_);
  counter(out, "csms_flood_disconnects_total",
          "Connections closed with 1008 for flooding (limits.flood_close_after).", flood_closes_);
  counter(out, "csms_carbon_computations_total",
          "Carbon record computations of ended transactions (off the network thread).",
          carbon_computations_);
  counter(out, "csms_carbon_records_total",
          "Carbon records appended (first records and superseding ones).", carbon_records_);
  counter(out, "csms_carbon_compute_microseconds_total",
          "Time spent computing carbon records inside the writer, microseconds.", carbon_micros_);
  header(out, "csms_station_certificates_expiring", "gauge",
         "Station certificates expiring within ca.renew_before_days (newest per station).");
  out.append("csms_station_certificates_expiring ")
      .append(std::to_string(certs_expiring_.load()))
      .append("\n");
  header(out, "csms_station_certificates_expired", "gauge",
         "Stations whose newest unrevoked certificate has expired.");
  out.append("csms_station_certificates_expired ")
      .append(std::to_string(certs_expired_.load()))
      .append("\n");
  counter(out, "csms_alerts_opened_total", "Alerts opened (open ones by kind: csms_alerts_open).",
          alerts_opened_);
  counter(out, "csms_alert_webhook_delivered_total", "Alert webhook deliveries answered 2xx.",
          webhook_delivered_);
  counter(out, "csms_alert_webhook_failed_attempts_total",
          "Alert webhook attempts that failed (each retry counts).", webhook_failed_attempts_);
  counter(out, "csms_alert_webhook_gave_up_total",
          "Alert webhook deliveries given up after alerts.webhook_max_attempts.", webhook_gave_up_);
  counter(out, "csms_alert_webhook_dropped_total",
          "Alert webhook deliveries dropped because too many were pending.", webhook_dropped_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    family(out, "csms_connections_rejected_total",
           "WebSocket handshakes refused, by HTTP status answered.", "status", rejected_by_status_);
  }

  // Collectors run outside the lock: they may be slow or read other metrics.
  for (const auto& collect : collectors) {
    const std::size_t before = out.size();
    collect(out);
    if (out.size() > before && out.back() != '\n') out.push_back('\n');
  }
  return out;
}

}  // namespace csms
