#pragma once
// What the per-version station-message handlers share: the answer when storage
// failed, and handlers for notifications the CSMS keeps as they came.

#include <exception>
#include <string>

#include "csms/log.hpp"
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

}  // namespace csms
