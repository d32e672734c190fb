#pragma once
// Routes incoming CALLs by action to typed handlers: the router decodes (and so
// validates) the request, and the handler answers through a typed Reply.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "csms/log.hpp"
#include "ocpp/common/decode.hpp"
#include "ocpp/common/json.hpp"
#include "rpc/station_session.hpp"

namespace csms {

/// Answers one CALL with a typed response or a CALLERROR. Safe to keep past the
/// session's life (it then does nothing). Network thread only.
template <class Response>
class Reply {
 public:
  Reply(std::weak_ptr<StationSession> session, std::string id)
      : session_(std::move(session)), id_(std::move(id)) {}

  void operator()(const Response& response) const {
    auto s = session_.lock();
    if (!s) return;
    std::string json;
    try {
      json = to_json(response);
    } catch (const std::exception& e) {
      // Our bug, not the station's: answer InternalError rather than send invalid JSON.
      log::error("{}: cannot encode {} response: {}", s->station_id(), Response::kAction, e.what());
      s->send_error(id_, ocpp::ErrorCode::InternalError, "the CSMS failed to encode its answer");
      return;
    }
    s->send_result(id_, json);
  }

  void error(ocpp::ErrorCode code, std::string_view description) const {
    if (auto s = session_.lock()) s->send_error(id_, code, description);
  }

 private:
  std::weak_ptr<StationSession> session_;
  std::string id_;
};

/// The handlers of one OCPP version, by action name.
class Router {
 public:
  /// Returns false when the payload did not decode (already answered with the
  /// decoder's CALLERROR).
  using Route =
      std::function<bool(StationSession&, const std::string& id, const rapidjson::Value& payload)>;

  /// Registers `handler(StationSession&, Request, Reply<Request::Response>)`.
  template <class Request, class Handler>
  void on(Handler handler) {
    routes_[std::string(Request::kAction)] =
        [handler](StationSession& session, const std::string& id, const rapidjson::Value& payload) {
          Request request;
          ocpp::DecodeContext ctx;
          if (!read(payload, request, ctx)) {
            session.send_error(id, ctx.code(), ctx.description());
            return false;
          }
          handler(session, std::move(request),
                  Reply<typename Request::Response>(session.weak_from_this(), id));
          return true;
        };
  }

  const Route* find(std::string_view action) const {
    auto it = routes_.find(action);
    return it == routes_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Route, std::less<>> routes_;  ///< less<>: found by string_view
};

}  // namespace csms
