#pragma once
// Small helpers to turn 1.6 messages into OutgoingCalls and replies back into
// messages (private to the 1.6 adapter).

#include <optional>
#include <string>

#include "ocpp/common/decode.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v16/codec.hpp"
#include "simulator/call_queue.hpp"

namespace simulator::v16 {

template <typename Request>
OutgoingCall make_call(const Request& request) {
  OutgoingCall call;
  call.action = std::string(Request::kAction);
  call.payload = ocpp::v16::to_json(request);
  return call;
}

/// Decodes a CALLRESULT payload; nullopt with `error` set when invalid.
template <typename Response>
std::optional<Response> decode(const rapidjson::Value& payload, std::string& error) {
  Response out;
  ocpp::DecodeContext ctx;
  if (!ocpp::v16::read(payload, out, ctx)) {
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

/// How a failed call reads in a step error.
std::string describe_failure(const CallReply& reply);

}  // namespace simulator::v16
