#pragma once
// Scenario-step helpers shared by the protocol adapters (private to the
// simulator): the checks and answers every version's steps have in common,
// with each version's own types and limits filled in.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "ocpp/common/utf8.hpp"
#include "rpc.hpp"
#include "simulator/messenger.hpp"
#include "simulator/scenario.hpp"
#include "simulator/station.hpp"

namespace simulator {

/// Whether `text` names a value of `Enum` (its from_string found by ADL).
template <typename Enum>
bool valid_enum(const std::string& text) {
  Enum e{};
  return from_string(text, e);
}

/// Success, unless the step `expect`s another status than `status` (`what`
/// names the request in the failure).
inline StepResult expect_status(std::string_view what, std::string_view status,
                                const std::optional<std::string>& expect) {
  if (expect && status != *expect) {
    return StepResult::failure(fmt::format("{} answered {}, not {}", what, status, *expect));
  }
  return StepResult::success();
}

/// The reply handler of a step's CALL `action`: the step fails when it is
/// unanswered or the response does not decode, else ends with `check(response)`.
template <typename Response, typename Check>
std::function<void(const CallReply&)> step_reply(std::string action, StepDone done, Check check) {
  return [action = std::move(action), done = std::move(done),
          check = std::move(check)](const CallReply& reply) {
    if (!reply.ok()) return done(StepResult::failure(action + " " + describe_failure(reply)));
    std::string error;
    auto resp = decode<Response>(*reply.result, error);
    if (!resp) return done(StepResult::failure("invalid " + action + " response: " + error));
    done(check(*resp));
  };
}

/// A heartbeat step's CALL: the step ends with its answer.
template <typename Request, typename Response>
OutgoingCall heartbeat_step_call(StepDone done) {
  OutgoingCall call = make_call(Request{});
  call.on_reply = step_reply<Response>("Heartbeat", std::move(done),
                                       [](const Response&) { return StepResult::success(); });
  return call;
}

/// The checks of a step's stop reason (named `reason_name` in this version),
/// idTag (at most `max_id_tag` characters), expected status and DataTransfer
/// fields, which both versions make alike with their own types.
template <typename Reason, typename AuthorizationStatus, typename DataTransferStatus>
std::optional<std::string> check_step_fields(const Step& step, const std::string& where,
                                             const std::string& default_id_tag,
                                             std::size_t max_id_tag, std::string_view reason_name) {
  if (step.kind == StepKind::Stop && !valid_enum<Reason>(step.reason)) {
    return fmt::format("{}: \"{}\" is not a {}", where, step.reason, reason_name);
  }
  const std::string& tag = step.id_tag ? *step.id_tag : default_id_tag;
  if ((step.kind == StepKind::Authorize || step.kind == StepKind::Start) &&
      ocpp::utf8_length(tag) > max_id_tag) {
    return fmt::format("{}: idTag \"{}\" is longer than {} characters", where, tag, max_id_tag);
  }
  if (step.expect) {
    const bool ok = step.kind == StepKind::DataTransfer
                        ? valid_enum<DataTransferStatus>(*step.expect)
                        : valid_enum<AuthorizationStatus>(*step.expect);
    if (!ok) return fmt::format("{}: \"{}\" is not a status it can answer", where, *step.expect);
  }
  if (step.kind == StepKind::DataTransfer) {
    if (ocpp::utf8_length(step.vendor_id) > 255) return where + ": vendorId is over 255 characters";
    if (step.message_id && ocpp::utf8_length(*step.message_id) > 50) {
      return where + ": messageId is over 50 characters";
    }
  }
  return std::nullopt;
}

}  // namespace simulator
