#pragma once
// What the per-version station-message handlers share: the answer when storage
// failed, and the handlers whose meaning and field names are the same in 1.6
// and 2.0.1 (templates over the version's request type).

#include <exception>
#include <string>

#include "csms/log.hpp"
#include "ocpp/common/security_events.hpp"
#include "rpc/router.hpp"
#include "services/services.hpp"

namespace csms {

/// The data could not be committed: never answer with a CALLRESULT, so the
/// station keeps the message and retries.
template <class R>
void storage_failed(const R& reply, const std::string& station_id, std::string_view action,
                    std::exception_ptr e) {
  std::string what = "unknown error";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
  }
  log::error("{}: {} not stored: {}", station_id, action, what);
  reply.error(ocpp::ErrorCode::InternalError,
              std::string(action) + " could not be stored; retry later");
}

/// Registers a handler that stores the request as a StationNotification and,
/// once committed, answers `answer`.
template <class Request>
void keep_notification(Router& router, Services& sv, typename Request::Response answer = {}) {
  router.on<Request>(
      [&sv, answer](StationSession& s, Request req, Reply<typename Request::Response> reply) {
        std::string station = s.station_id();
        sv.stations.notification(station, std::string(Request::kAction), to_json(req),
                                 [reply, answer, station](std::exception_ptr e) {
                                   if (e)
                                     return storage_failed(reply, station, Request::kAction, e);
                                   reply(answer);
                                 });
      });
}

/// A domain enum value as the same-named value of a version's wire enum (both
/// versions spell registration and authorization statuses as the model does).
template <class Wire, class Domain>
Wire same_name(Domain value) {
  Wire wire{};
  from_string(storage::to_string(value), wire);
  return wire;
}

/// BootNotification: `info(request)` is what the station says about itself;
/// the registry decides the answer. Both versions spell the statuses alike.
template <class Request, class ToInfo>
void handle_boot(Router& router, Services& sv, ToInfo info) {
  router.on<Request>(
      [&sv, info](StationSession& s, Request req, Reply<typename Request::Response> reply) {
        sv.stations.boot(s.station_id(), info(req),
                         [&sv, reply, station = s.station_id()](BootDecision d) {
                           if (d.error)
                             return storage_failed(reply, station, Request::kAction, d.error);
                           typename Request::Response res;
                           from_string(storage::to_string(d.status), res.status);
                           res.currentTime = sv.ctx.now();
                           res.interval = d.interval_s;
                           reply(res);
                         });
      });
}

template <class Request>
void handle_heartbeat(Router& router, Services& sv) {
  router.on<Request>([&sv](StationSession& s, Request, Reply<typename Request::Response> reply) {
    sv.stations.seen(s.station_id());
    typename Request::Response res;
    res.currentTime = sv.ctx.now();
    reply(res);
  });
}

/// DataTransfer: no vendor extensions are configured, so every vendorId is unknown.
template <class Request>
void handle_data_transfer(Router& router) {
  router.on<Request>([](StationSession& s, Request req, Reply<typename Request::Response> reply) {
    log::info("{}: DataTransfer from unknown vendor {}", s.station_id(),
              ocpp::quote_for_error(req.vendorId));
    typename Request::Response res;
    res.status = decltype(res.status)::UnknownVendorId;
    reply(res);
  });
}

/// SecurityEventNotification: recorded with the other security events (at the
/// station's time, critical per the specs' list) and answered once committed:
/// the station deletes the event when it gets the answer.
template <class Request>
void handle_security_event(Router& router, Services& sv) {
  router.on<Request>(
      [&sv](StationSession& s, Request req, Reply<typename Request::Response> reply) {
        storage::SecurityEvent ev;
        ev.station_id = s.station_id();
        ev.timestamp = req.timestamp;
        ev.type = req.type;
        ev.tech_info = req.techInfo.value_or("");
        ev.remote_address = s.connection().remote_address();
        ev.critical = ocpp::is_critical_security_event(req.type);
        sv.ctx.station_security_event(
            std::move(ev), sv.ctx.on_io([reply, station = s.station_id()](std::exception_ptr e) {
              if (e) return storage_failed(reply, station, Request::kAction, e);
              reply(typename Request::Response{});
            }));
      });
}

}  // namespace csms
