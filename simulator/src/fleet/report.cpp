// Rendering of the fleet report.
#include "fleet/report.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "ocpp/common/json.hpp"

namespace simulator::fleet {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

double rounded(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

double rate(std::uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

void field(Writer& w, const char* name, std::uint64_t v) {
  w.Key(name);
  w.Uint64(v);
}

void field(Writer& w, const char* name, double v) {
  w.Key(name);
  w.Double(rounded(v));
}

void latency_fields(Writer& w, const LatencyHistogram& h, const char* prefix = "") {
  field(w, fmt::format("{}p50_ms", prefix).c_str(), h.percentile_ms(0.50));
  field(w, fmt::format("{}p95_ms", prefix).c_str(), h.percentile_ms(0.95));
  field(w, fmt::format("{}p99_ms", prefix).c_str(), h.percentile_ms(0.99));
  field(w, fmt::format("{}max_ms", prefix).c_str(), h.max_ms());
}

}  // namespace

std::string report_json(const FleetReport& r) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  field(w, "stations", r.stations);
  field(w, "v201", r.v201);
  field(w, "charging", r.charging);
  field(w, "meter_interval_s", r.meter_interval_s);
  field(w, "ramp_s", r.ramp_s);
  field(w, "duration_s", r.duration_s);
  field(w, "window_s", r.window_s);
  field(w, "connected_peak", r.connected_peak);
  field(w, "connected_end", r.connected_end);
  w.Key("connect");
  w.StartObject();
  field(w, "attempts", r.connect_attempts);
  field(w, "ok", r.connect_ok);
  field(w, "failed", r.connect_failed);
  field(w, "tls_failed", r.tls_failed);
  w.Key("refused_status");
  w.StartObject();
  for (const auto& [status, count] : r.refused_status)
    field(w, std::to_string(status).c_str(), count);
  w.EndObject();
  field(w, "rejected_503", r.connect_503);
  field(w, "timeouts", r.connect_timeouts);
  field(w, "unexpected_drops", r.unexpected_drops);
  w.EndObject();
  w.Key("connect_boot");
  w.StartObject();
  field(w, "count", r.connect_boot.count());
  latency_fields(w, r.connect_boot);
  w.EndObject();
  w.Key("actions");
  w.StartObject();
  for (std::size_t i = 0; i < r.actions.size(); ++i) {
    const auto& a = r.actions[i];
    if (a.sent == 0) continue;
    w.Key(kSlotNames[i]);
    w.StartObject();
    field(w, "sent", a.sent);
    field(w, "ok", a.ok);
    field(w, "errors", a.errors);
    field(w, "timeouts", a.timeouts);
    field(w, "window_ok", a.window_ok);
    field(w, "rate_per_s", rate(a.window_ok, r.window_s));
    latency_fields(w, a.window);
    w.EndObject();
  }
  w.EndObject();
  w.Key("calls");
  w.StartObject();
  field(w, "answered", r.all_calls.count());
  field(w, "rate_per_s", rate(r.all_calls.count(), r.window_s));
  latency_fields(w, r.all_calls);
  field(w, "late", r.late_calls);
  field(w, "from_csms", r.csms_calls);
  field(w, "protocol_errors", r.protocol_errors);
  field(w, "stale_answers", r.stale_answers);
  w.EndObject();
  w.Key("meter_values");
  w.StartObject();
  field(w, "acknowledged", r.meter_acknowledged);
  field(w, "rate_per_s", rate(r.meter_window_acknowledged, r.window_s));
  field(w, "late", r.meter_late);
  field(w, "unconfirmed", r.meter_unconfirmed);
  w.EndObject();
  field(w, "boot_pending", r.boot_pending);
  field(w, "boot_rejected", r.boot_rejected);
  w.Key("commands");
  w.StartObject();
  field(w, "data_transfer", r.data_transfers);
  field(w, "duplicates", r.data_transfer_duplicates);
  w.EndObject();
  w.Key("stale");
  w.StartObject();
  field(w, "abandoned", r.stale_abandoned);
  field(w, "closed_by_server", r.stale_closed);
  field(w, "calls", r.stale_calls);
  field(w, "calls_before_reconnect", r.stale_calls_early);
  field(w, "open_at_end", r.stale_open_end);
  w.EndObject();
  w.Key("storm");
  if (!r.storm) {
    w.Null();
  } else {
    w.StartObject();
    field(w, "at_s", r.storm_at_s);
    field(w, "dropped", r.storm_dropped);
    field(w, "reconnected", r.storm_reconnected);
    w.Key("settle_s");
    if (r.storm_settle_s) {
      w.Double(rounded(*r.storm_settle_s));
    } else {
      w.Null();
    }
    field(w, "errors", r.storm_errors);
    field(w, "rejected_503", r.storm_503);
    field(w, "steady_stations", r.storm_steady_stations);
    field(w, "steady_calls", r.storm_steady.count());
    field(w, "steady_p99_ms", r.storm_steady.percentile_ms(0.99));
    field(w, "steady_max_ms", r.storm_steady.max_ms());
    w.EndObject();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string report_table(const FleetReport& r) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "stations {} (2.0.1: {}, charging: {}, meter interval {:.3g} s)\n", r.stations,
                 r.v201, r.charging, r.meter_interval_s);
  fmt::format_to(it, "ramp {:.1f} s, ran {:.1f} s after it, measured over {:.1f} s\n", r.ramp_s,
                 r.duration_s, r.window_s);
  fmt::format_to(it, "connected: peak {}, at the end {}\n", r.connected_peak, r.connected_end);
  fmt::format_to(it,
                 "connects: {} attempts, {} ok, {} failed ({} TLS), {} HTTP 503, {} timeouts, {} "
                 "unexpected drops\n\n",
                 r.connect_attempts, r.connect_ok, r.connect_failed, r.tls_failed, r.connect_503,
                 r.connect_timeouts, r.unexpected_drops);
  fmt::format_to(
      it, "connect to boot accepted: {} stations, p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n\n",
      r.connect_boot.count(), r.connect_boot.percentile_ms(0.5), r.connect_boot.percentile_ms(0.99),
      r.connect_boot.max_ms());
  if (!r.refused_status.empty()) {
    std::string statuses;
    for (const auto& [status, count] : r.refused_status)
      statuses += fmt::format("{}HTTP {} x{}", statuses.empty() ? "" : ", ", status, count);
    fmt::format_to(it, "refused upgrades: {}\n\n", statuses);
  }
  fmt::format_to(it, "{:<20}{:>9}{:>9}{:>7}{:>9}{:>10}{:>9}{:>9}{:>9}{:>9}\n", "action", "sent",
                 "ok", "errors", "timeouts", "rate/s", "p50 ms", "p95 ms", "p99 ms", "max ms");
  auto row = [&](const char* name, std::uint64_t sent, std::uint64_t ok, std::uint64_t errors,
                 std::uint64_t timeouts, double per_s, const LatencyHistogram& h) {
    fmt::format_to(it, "{:<20}{:>9}{:>9}{:>7}{:>9}{:>10.1f}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}\n",
                   name, sent, ok, errors, timeouts, per_s, h.percentile_ms(0.5),
                   h.percentile_ms(0.95), h.percentile_ms(0.99), h.max_ms());
  };
  std::uint64_t sent = 0, ok = 0, errors = 0, timeouts = 0;
  for (std::size_t i = 0; i < r.actions.size(); ++i) {
    const auto& a = r.actions[i];
    if (a.sent == 0) continue;
    row(kSlotNames[i], a.sent, a.ok, a.errors, a.timeouts, rate(a.window_ok, r.window_s), a.window);
    sent += a.sent;
    ok += a.ok;
    errors += a.errors;
    timeouts += a.timeouts;
  }
  row("all", sent, ok, errors, timeouts, rate(r.all_calls.count(), r.window_s), r.all_calls);
  fmt::format_to(it,
                 "\nmeter values: {} acknowledged, {:.1f}/s in the window, {} queued late, {} "
                 "unconfirmed\n",
                 r.meter_acknowledged, rate(r.meter_window_acknowledged, r.window_s), r.meter_late,
                 r.meter_unconfirmed);
  fmt::format_to(it, "boot: {} Pending, {} Rejected; CALLs from the CSMS: {}\n", r.boot_pending,
                 r.boot_rejected, r.csms_calls);
  if (r.data_transfers > 0)
    fmt::format_to(it, "DataTransfer received: {} ({} delivered twice)\n", r.data_transfers,
                   r.data_transfer_duplicates);
  if (r.stale_abandoned > 0)
    fmt::format_to(it,
                   "abandoned after a timeout: {} connections, {} closed by the server, {} CALLs "
                   "received on them, {} open at the end\n",
                   r.stale_abandoned, r.stale_closed, r.stale_calls, r.stale_open_end);
  if (r.storm) {
    fmt::format_to(
        it,
        "storm at {:.1f} s: {} dropped, {} back, settled {}, {} errors; {} steady "
        "stations p99 {:.2f} ms max {:.2f} ms\n",
        r.storm_at_s, r.storm_dropped, r.storm_reconnected,
        r.storm_settle_s ? fmt::format("in {:.2f} s", *r.storm_settle_s) : std::string("never"),
        r.storm_errors, r.storm_steady_stations, r.storm_steady.percentile_ms(0.99),
        r.storm_steady.max_ms());
  }
  return out;
}

}  // namespace simulator::fleet
