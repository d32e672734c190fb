#pragma once
// Message helpers shared by the protocol adapters (private to the simulator):
// requests into OutgoingCalls, replies back into messages, and CSMS CALLs
// answered. Version-neutral: the generated read()/to_json() of ocpp::v16 and
// ocpp::v201 are found by argument-dependent lookup on the message type.

#include <functional>
#include <optional>
#include <string>

#include "ocpp/common/decode.hpp"
#include "ocpp/common/frame.hpp"
#include "ocpp/common/json.hpp"
#include "simulator/call_queue.hpp"
#include "simulator/messenger.hpp"

namespace simulator {

template <typename Request>
OutgoingCall make_call(const Request& request) {
  OutgoingCall call;
  call.action = std::string(Request::kAction);
  call.payload = to_json(request);
  return call;
}

/// Decodes a CALLRESULT payload; nullopt with `error` set when invalid.
template <typename Response>
std::optional<Response> decode(const rapidjson::Value& payload, std::string& error) {
  Response out;
  ocpp::DecodeContext ctx;
  if (!read(payload, out, ctx)) {
    error = ctx.description();
    return std::nullopt;
  }
  return out;
}

/// Decodes JSON text we produced ourselves (a queued request).
template <typename Message>
std::optional<Message> decode_text(const std::string& json) {
  rapidjson::Document doc;
  if (ocpp::parse_json(json, doc).IsError()) return std::nullopt;
  std::string error;
  return decode<Message>(doc, error);
}

/// The response to a CSMS CALL and what to do once it is sent.
template <typename Response>
struct Outcome {
  Response response;
  std::function<void()> then;
};

/// Decodes a CSMS CALL's request (a CALLERROR with the decoder's code, spelt
/// for `version`, if invalid), runs `fn`, encodes its response.
template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, ocpp::Version version, Fn&& fn) {
  Request req;
  ocpp::DecodeContext ctx;
  if (!read(call.payload(), req, ctx)) {
    return {ocpp::make_call_error(call.id(), ctx.code(), version, ctx.description()), {}};
  }
  Outcome<typename Request::Response> out = fn(req);
  return {ocpp::make_call_result(call.id(), to_json(out.response)), std::move(out.then)};
}

}  // namespace simulator
