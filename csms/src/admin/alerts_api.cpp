// Admin API routes of smart O&M: GET /api/alerts, GET
// /api/reports/availability, GET /api/stations/{id}/uptime and POST
// /api/transactions/{id}/close.
#include <cmath>
#include <cstdio>

#include "admin/api.hpp"
#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "ocpp/common/utf8.hpp"
#include "services/availability.hpp"

namespace csms::admin {

namespace {

constexpr std::size_t kMaxReasonChars = 500;

void alert_object(JsonOut& out, const storage::Alert& a) {
  out.object();
  out.key("id").num(a.id);
  out.key("kind").str(a.kind);
  out.key("stationId").str(a.station_id);
  out.key("connectorId").num(a.connector_id);
  out.key("openedAt").time(a.opened_at);
  out.key("details").str(a.details);
  out.key("open").flag(!a.closed_at);
  out.key("closedAt").time(a.closed_at);
  out.key("closeReason").str_or_null(a.closed_at ? a.close_reason : "");
  out.end_object();
}

void figures_fields(JsonOut& out, const AvailabilityFigures& f) {
  out.key("availableS").real(f.available_s);
  out.key("unavailableS").real(f.unavailable_s);
  out.key("excludedS").real(f.excluded_s);
  out.key("unknownS").real(f.unknown_s);
  out.key("availabilityPercent");
  if (auto share = f.share()) {
    out.real(std::round(*share * 100000.0) / 1000.0);
  } else {
    out.null();
  }
}

std::string percent_text(const AvailabilityFigures& f) {
  auto share = f.share();
  if (!share) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *share * 100.0);
  return buf;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", s);
  return buf;
}

// RFC 4180: quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void Api::list_alerts(Call& call) {
  const Query query(call.request, {"open", "stationId", "limit"});
  storage::AlertFilter filter;
  filter.open_only = query.flag("open").value_or(false);
  filter.station_id = query.get("stationId");
  filter.limit = query.limit(1000, 100000);
  read<std::vector<storage::Alert>>(
      call.reply, [filter](storage::Session& s) { return s.operations.alerts(filter); },
      [](std::vector<storage::Alert>& alerts) {
        JsonOut out;
        out.array();
        for (const auto& a : alerts) alert_object(out, a);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::availability_report(Call& call) {
  const Query query(call.request, {"month", "stationId", "format"});
  const auto month = query.get("month");
  if (!month) throw ApiError(400, "month is required, e.g. ?month=2026-11");
  storage::DateTime from;
  storage::DateTime to;
  if (!month_range(*month, from, to))
    throw ApiError(400, "month must be YYYY-MM, not " + quoted(*month));
  const std::string format = query.get("format").value_or("json");
  if (format != "json" && format != "csv")
    throw ApiError(400, "format must be json or csv, not " + quoted(format));
  const auto station = query.get("stationId");
  // A month not over yet counts up to now.
  const auto now = storage::DateTime::now();
  if (now < to) to = now < from ? from : now;
  struct Result {
    bool known = true;
    std::vector<StationAvailability> stations;
  };
  read<Result>(
      call.reply,
      [station, from, to](storage::Session& s) {
        Result r;
        if (station && !s.stations.get(*station)) {
          r.known = false;
          return r;
        }
        r.stations =
            compute_availability(s.operations.history(station.value_or(""), from, to), from, to);
        return r;
      },
      [station, month = *month, from, to, format](Result& r) {
        if (!r.known) throw ApiError(404, "station " + quoted(*station) + " is not registered");
        if (format == "csv") {
          std::string body =
              "stationId,connectorId,availabilityPercent,availableS,unavailableS,excludedS,"
              "unknownS\r\n";
          auto line = [&body](const std::string& id, const std::string& connector,
                              const AvailabilityFigures& f) {
            body += csv_field(id) + "," + connector + "," + percent_text(f) + "," +
                    seconds_text(f.available_s) + "," + seconds_text(f.unavailable_s) + "," +
                    seconds_text(f.excluded_s) + "," + seconds_text(f.unknown_s) + "\r\n";
          };
          for (const auto& st : r.stations) {
            line(st.station_id, "", st.figures);
            for (const auto& c : st.connectors)
              line(c.station_id, std::to_string(c.connector_id), c.figures);
          }
          ApiResponse resp;
          resp.content_type = "text/csv; charset=utf-8";
          resp.body = body;
          return resp;
        }
        JsonOut out;
        out.object();
        out.key("month").str(month);
        out.key("from").time(from);
        out.key("to").time(to);
        out.key("stations").array();
        for (const auto& st : r.stations) {
          out.object();
          out.key("stationId").str(st.station_id);
          figures_fields(out, st.figures);
          out.key("connectors").array();
          for (const auto& c : st.connectors) {
            out.object();
            out.key("connectorId").num(c.connector_id);
            figures_fields(out, c.figures);
            out.end_object();
          }
          out.end_array().end_object();
        }
        out.end_array().end_object();
        return json_response(200, out.text());
      });
}

// A station's online/offline history over the last 24 hours or 7 days, as
// segments from the connection records (the console's uptime chart).
void Api::station_uptime(Call& call) {
  const Query query(call.request, {"period"});
  const std::string period = query.get("period").value_or("24h");
  std::int64_t hours = 0;
  if (period == "24h") hours = 24;
  if (period == "7d") hours = 7 * 24;
  if (hours == 0) throw ApiError(400, "period must be 24h or 7d, not " + quoted(period));
  const std::string id = call.params[0];
  const auto to = storage::DateTime::now();
  const auto from = storage::DateTime::from_unix_micros(to.unix_micros() - hours * 3600 * 1000000);
  struct Result {
    bool known = true;
    std::vector<storage::StationLink> links;
  };
  read<Result>(
      call.reply,
      [id, from, to](storage::Session& s) {
        Result r;
        if (!s.stations.get(id)) {
          r.known = false;
          return r;
        }
        r.links = s.operations.history(id, from, to).links;
        return r;
      },
      [id, period, from, to](Result& r) {
        if (!r.known) throw ApiError(404, "station " + quoted(id) + " is not registered");
        // Before the first record the state is unknown; it counts as offline.
        struct Segment {
          storage::DateTime from;
          storage::DateTime to;
          bool online;
        };
        std::vector<Segment> segments;
        bool online = false;
        auto at = from;
        for (const auto& link : r.links) {
          if (link.station_id != id) continue;
          const auto when = link.at < from ? from : link.at;
          if (at < when) segments.push_back({at, when, online});
          at = when;
          online = link.online;
        }
        if (at < to) segments.push_back({at, to, online});
        std::int64_t online_us = 0;
        for (const auto& seg : segments)
          if (seg.online) online_us += seg.to.unix_micros() - seg.from.unix_micros();
        const double total_us = static_cast<double>(to.unix_micros() - from.unix_micros());
        JsonOut out;
        out.object();
        out.key("stationId").str(id);
        out.key("period").str(period);
        out.key("from").time(from);
        out.key("to").time(to);
        out.key("onlineS").num(online_us / 1000000);
        out.key("onlinePercent")
            .real(std::round(static_cast<double>(online_us) / total_us * 10000.0) / 100.0);
        out.key("segments").array();
        for (const auto& seg : segments) {
          out.object();
          out.key("from").time(seg.from);
          out.key("to").time(seg.to);
          out.key("online").flag(seg.online);
          out.end_object();
        }
        out.end_array().end_object();
        return json_response(200, out.text());
      });
}

void Api::close_transaction(Call& call) {
  no_query(call.request);
  const auto body = parse_body(call.request.body, false);
  expect_object(body, "", bodies::close_transaction);
  const std::string reason = required_string(body, "reason", "");
  if (reason.empty() || reason.find_first_not_of(" \t") == std::string::npos)
    throw ApiError(400, "reason must say why the transaction is closed");
  if (ocpp::utf8_length(reason) > kMaxReasonChars)
    throw ApiError(400, "reason is longer than " + std::to_string(kMaxReasonChars) + " characters");
  const auto station = optional_string(body, "stationId", "");
  const std::string key = call.params[0];
  auto self = shared_from_this();
  write<storage::Transaction>(
      call.reply,
      [key, station, reason](storage::Session& s) {
        auto matches = find_transactions(s, key, station);
        storage::Transaction tx = one_transaction(matches, key);
        if (tx.stop_time)
          throw ApiError(409, "transaction " + key + " is already closed (" +
                                  tx.stop_reason.value_or("") + " at " + tx.stop_time->to_string() +
                                  ")");
        const auto now = storage::DateTime::now();
        // The same fields a station's stop sets, and a closure record of its
        // own that says who closed it and why; samples stay as they are.
        tx.stop_time = now;
        tx.stop_reason = "ClosedByOperator";
        s.transactions.update(tx);
        s.operations.add_transaction_closure({tx.id, now, reason});
        return tx;
      },
      [self](storage::Transaction& tx) {
        self->deps_.commands.transaction_closed(tx.id);
        JsonOut out;
        out.object();
        transaction_fields(out, tx);
        out.end_object();
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
