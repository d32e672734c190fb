#pragma once
// What the firmware/diagnostics/log handlers of both versions share: a status
// notification stored as history (answered once committed), and reading times.

#include <optional>
#include <string>

#include "handlers/command_support.hpp"
#include "handlers/handler_support.hpp"
#include "services/firmware_service.hpp"

namespace csms {

/// Registers a handler storing `Request` as a StatusReport of `topic`;
/// `describe(request, report)` fills status, request_id and detail.
template <class Request, class Describe>
void handle_status_report(Router& router, Services& sv, storage::StatusTopic topic,
                          Describe describe) {
  router.on<Request>([&sv, topic, describe](StationSession& s, Request req,
                                            Reply<typename Request::Response> reply) {
    storage::StatusReport report;
    report.station_id = s.station_id();
    report.topic = topic;
    report.action = std::string(Request::kAction);
    report.received_at = sv.ctx.now();
    describe(req, report);
    std::string station = s.station_id();
    const bool firmware =
        topic == storage::StatusTopic::Firmware || topic == storage::StatusTopic::Publish;
    std::string status = report.status;
    store_status_report(sv.ctx, std::move(report), to_json(req),
                        [&sv, reply, station, firmware, status](std::exception_ptr e) {
                          if (e) return storage_failed(reply, station, Request::kAction, e);
                          reply(typename Request::Response{});
                          if (firmware) sv.alerts.firmware_status(station, status);
                        });
  });
}

/// An optional RFC 3339 parameter; a malformed one fails `p`.
inline std::optional<storage::DateTime> time_param(Params& p, const char* name) {
  auto text = p.string(name, false);
  if (!text) return std::nullopt;
  auto t = storage::DateTime::parse(*text);
  if (!t)
    p.fail("'" + std::string(name) + "' must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z");
  return t;
}

/// A URL parameter: required, and with a scheme ("https://...", "ftp://...").
inline std::optional<std::string> url_param(Params& p, const char* name, bool required) {
  auto url = p.string(name, required);
  if (url && (url->find("://") == std::string::npos || url->find("://") == 0))
    p.fail("'" + std::string(name) + "' must be a URL such as https://host/path, not '" + *url +
           "'");
  return url;
}

/// A non-negative integer parameter.
inline std::optional<std::int64_t> count_param(Params& p, const char* name) {
  auto n = p.integer(name, false);
  if (n && *n < 0) p.fail("'" + std::string(name) + "' must not be negative");
  return n;
}

/// Adds "location": the upload URL to a successful answer, so the operator
/// sees where the station was told to upload.
inline CommandDone with_location(std::string location, CommandDone done) {
  return [location = std::move(location), done = std::move(done)](CommandResult r) {
    rapidjson::Document doc;
    if (r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
        doc.IsObject()) {
      doc.AddMember("location", rapidjson::Value(location.c_str(), doc.GetAllocator()),
                    doc.GetAllocator());
      r.response_json = ocpp::to_compact_json(doc);
    }
    done(std::move(r));
  };
}

}  // namespace csms
