#include "rpc/station_session.hpp"

#include <algorithm>
#include <variant>

#include "csms/log.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"
#include "rpc/router.hpp"
#include "rpc/secrets.hpp"
#include "server/context.hpp"

namespace csms {

namespace {

const ocpp::ActionInfo* find_action(ocpp::Version version, std::string_view name) {
  return version == ocpp::Version::v16 ? ocpp::v16::find_action(name)
                                       : ocpp::v201::find_action(name);
}

// Bad frames are counted over this window (ocpp.max_bad_frames of them close).
constexpr auto kBadFrameWindow = std::chrono::minutes(1);
// Ids of timed-out CALLs remembered, so a late answer is recognised.
constexpr std::size_t kExpiredIdsKept = 16;

}  // namespace

std::string junk_log_record(std::string_view text, std::string_view why, std::size_t max_prefix) {
  std::size_t n = std::min(text.size(), max_prefix);
  // Back off to the start of a UTF-8 sequence so the record stays valid text.
  if (n < text.size())
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  std::string out(text.substr(0, n));
  out += n < text.size() ? "... [" : " [";
  out += why;
  out += ", " + std::to_string(text.size()) + " bytes, not stored whole]";
  return out;
}

StationSession::StationSession(ServerContext& ctx,
                               std::shared_ptr<transport::Connection> connection,
                               std::string station_id, ocpp::Version version, const Router& router)
    : ctx_(ctx),
      connection_(std::move(connection)),
      station_id_(std::move(station_id)),
      version_(version),
      router_(router),
      call_rate_(ctx.config.max_calls_per_s, ctx.config.call_burst, ctx.clock.steady_now()) {}

void StationSession::handle_text(std::string_view text) {
  if (closed_ || flood_closing_) return;
  handle_frame(text, ocpp::parse_frame(text, version_));
}

void StationSession::handle_frame(std::string_view text, ocpp::ParseResult parsed) {
  if (closed_ || flood_closing_) return;
  if (auto* error = std::get_if<ocpp::FrameError>(&parsed)) {
    log::warn("{}: malformed frame: {}", station_id_, error->description);
    junk_frame(text, "malformed: " + error->description);
    if (error->reply_id && !flood_closing_)
      send_error_frame(*error->reply_id, error->code, error->description, true);
    return;
  }
  auto& frame = std::get<ocpp::Frame>(parsed);
  if (frame.type() == ocpp::MessageType::Call) {
    admit_call(std::move(frame), text);
    return;
  }
  const bool result = frame.type() == ocpp::MessageType::CallResult;
  if (in_flight_ && frame.id() == in_flight_->id) {
    ctx_.log_frame(station_id_, storage::Direction::In, text);
    handle_response(std::move(frame));
    return;
  }
  if (auto late = std::find(expired_ids_.begin(), expired_ids_.end(), frame.id());
      late != expired_ids_.end()) {
    // The answer to a CALL of ours that timed out: late, but not junk.
    expired_ids_.erase(late);
    ctx_.log_frame(station_id_, storage::Direction::In, text);
    log::info("{}: late {} for message id {}, after its timeout", station_id_,
              result ? "CALLRESULT" : "CALLERROR", ocpp::quote_for_error(frame.id()));
    return;
  }
  log::warn("{}: dropping a {} for unknown message id {}", station_id_,
            result ? "CALLRESULT" : "CALLERROR", ocpp::quote_for_error(frame.id()));
  junk_frame(text, result ? "CALLRESULT for no CALL of ours" : "CALLERROR for no CALL of ours");
}

void StationSession::junk_frame(std::string_view text, std::string_view why) {
  ctx_.log_frame(station_id_, storage::Direction::In, junk_log_record(text, why));
  if (!call_rate_.try_take(ctx_.clock.steady_now())) over_limit("frames");
  if (!flood_closing_) bad_frame();
}

bool StationSession::refused_unrun(const std::string& action) const {
  if (find_action(version_, action) == nullptr || router_.find(action) == nullptr) return true;
  if (action == "BootNotification" || ctx_.registry.accepted(station_id_)) return false;
  return action != "NotifyReport" && action != "NotifyMonitoringReport" &&
         triggered_.count(action) == 0;
}

void StationSession::admit_call(ocpp::Frame frame, std::string_view text) {
  const auto outstanding = unanswered_.size() + waiting_.size();
  if (outstanding >= static_cast<std::size_t>(ctx_.config.max_calls_in_flight)) {
    refuse_call(frame);
    return;
  }
  // A CALL that will be refused without being run is logged only in part: it
  // costs the station's rate like any other but never fills the log.
  if (refused_unrun(frame.action()))
    ctx_.log_frame(station_id_, storage::Direction::In,
                   junk_log_record(text, "refused without being run"));
  else
    ctx_.log_frame(station_id_, storage::Direction::In, text);
  if (waiting_.empty() && call_rate_.try_take(ctx_.clock.steady_now())) {
    handle_call(frame);
    return;
  }
  // Over the rate: served in order as the rate allows; a station that waits
  // for each answer (as OCPP asks) is only slowed down, never refused.
  ctx_.metrics.call_delayed();
  waiting_.push_back(std::move(frame));
  schedule_waiting();
}

void StationSession::refuse_call(const ocpp::Frame& frame) {
  // Neither run nor logged, so a flood costs no storage; GenericError because
  // the message itself is valid (both versions have the code).
  ctx_.metrics.call_refused();
  send_error_frame(frame.id(), ocpp::ErrorCode::GenericError,
                   "flood limit: more than " + std::to_string(ctx_.config.max_calls_in_flight) +
                       " unanswered CALLs (limits.max_calls_in_flight); send one at a time",
                   false);
  over_limit("CALLs");
}

void StationSession::over_limit(std::string_view what) {
  if (++refused_ < ctx_.config.flood_close_after) return;
  flood_closing_ = true;
  log::warn("{}: {} {} refused for flooding, closing the connection", station_id_, refused_, what);
  ctx_.metrics.flood_closed();
  ctx_.security_event(
      station_id_, "FloodLimit",
      std::to_string(refused_) + " " + std::string(what) + " over the per-station limits; closed",
      connection_->remote_address());
  connection_->close(transport::close_code::kPolicyViolation,
                     "flooding: over the per-station limits");
}

void StationSession::schedule_waiting() {
  if (waiting_timer_armed_ || waiting_.empty() || closed_) return;
  waiting_timer_armed_ = true;
  auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      call_rate_.time_to_token(ctx_.clock.steady_now()));
  std::weak_ptr<StationSession> weak = weak_from_this();
  waiting_timer_ = ctx_.executor.post_after(
      std::max(wait, std::chrono::steady_clock::duration(std::chrono::milliseconds(1))), [weak] {
        auto self = weak.lock();
        if (!self) return;
        self->waiting_timer_armed_ = false;
        self->serve_waiting();
      });
}

void StationSession::serve_waiting() {
  while (!waiting_.empty() && !closed_ && !flood_closing_ &&
         call_rate_.try_take(ctx_.clock.steady_now())) {
    ocpp::Frame frame = std::move(waiting_.front());
    waiting_.pop_front();
    handle_call(frame);
  }
  schedule_waiting();
}

void StationSession::answered(const std::string& id) {
  auto it = unanswered_.find(id);
  if (it == unanswered_.end()) return;
  unanswered_.erase(it);
  if (unanswered_.empty() && waiting_.empty()) refused_ = 0;  // behaving again
}

void StationSession::bad_frame() {
  // A sliding window, not a run: valid CALLs in between do not wipe the count.
  const auto now = ctx_.clock.steady_now();
  while (!bad_frames_.empty() && now - bad_frames_.front() >= kBadFrameWindow)
    bad_frames_.pop_front();
  bad_frames_.push_back(now);
  if (static_cast<int>(bad_frames_.size()) < ctx_.config.max_bad_frames) return;
  flood_closing_ = true;
  log::warn("{}: {} malformed or unexpected frames within a minute, closing", station_id_,
            bad_frames_.size());
  ctx_.security_event(station_id_, "InvalidMessages",
                      std::to_string(bad_frames_.size()) +
                          " malformed or unexpected frames within a minute (ocpp.max_bad_frames); "
                          "closed",
                      connection_->remote_address());
  connection_->close(transport::close_code::kPolicyViolation, "too many malformed messages");
}

void StationSession::handle_call(const ocpp::Frame& frame) {
  unanswered_.insert(frame.id());
  const std::string& action = frame.action();
  ctx_.metrics.message_in(action);
  const ocpp::ActionInfo* info = find_action(version_, action);
  if (info == nullptr) {
    send_error(frame.id(), ocpp::ErrorCode::NotImplemented,
               "unknown action " + ocpp::quote_for_error(action));
    return;
  }
  // The station must be Accepted before anything but BootNotification (1.6 errata
  // 3.8, 2.0.1 B02.FR.09): a plain reconnect keeps an earlier acceptance.
  if (action != "BootNotification" && !ctx_.registry.accepted(station_id_) &&
      !requested_by_csms(action)) {
    send_error(frame.id(), ocpp::ErrorCode::SecurityError,
               action + " before the station's BootNotification was accepted");
    return;
  }
  const Router::Route* route = router_.find(action);
  if (route == nullptr) {
    send_error(frame.id(), ocpp::ErrorCode::NotSupported,
               action + " is not supported from a charging station");
    return;
  }
  try {
    if (!(*route)(*this, frame.id(), frame.payload()))
      bad_frame();  // the route answered with the decoder's CALLERROR
  } catch (const std::exception& e) {
    log::error("{}: handler for {} failed: {}", station_id_, action, e.what());
    send_error(frame.id(), ocpp::ErrorCode::InternalError, "the CSMS failed to handle " + action);
  }
}

bool StationSession::requested_by_csms(const std::string& action) {
  // A Pending station answers the CSMS's report requests and TriggerMessages
  // with CALLs of its own (2.0.1 B02.FR.01, B02.FR.09; 1.6 §4.2).
  if (action == "NotifyReport" || action == "NotifyMonitoringReport") return true;
  return triggered_.erase(action) > 0;
}

void StationSession::handle_response(ocpp::Frame frame) {
  CallOutcome outcome;
  outcome.kind = frame.type() == ocpp::MessageType::CallResult ? CallOutcome::Kind::Result
                                                               : CallOutcome::Kind::Error;
  outcome.frame.emplace(std::move(frame));
  finish_in_flight(std::move(outcome));
}

void StationSession::call(std::string action, std::string payload_json, CallCallback done) {
  if (closed_) {
    CallOutcome outcome;
    outcome.message = "the station is not connected";
    done(std::move(outcome));
    return;
  }
  if (action == "TriggerMessage") {
    rapidjson::Document doc;
    if (!ocpp::parse_json(payload_json, doc).IsError() && doc.IsObject()) {
      auto m = doc.FindMember("requestedMessage");
      if (m != doc.MemberEnd() && m->value.IsString()) triggered_.insert(m->value.GetString());
    }
  }
  OutboundCall c;
  c.id = std::to_string(next_id_++);
  c.action = std::move(action);
  c.payload = std::move(payload_json);
  c.done = std::move(done);
  queue_.push_back(std::move(c));
  if (!in_flight_) send_next();
}

void StationSession::send_next() {
  if (in_flight_ || queue_.empty() || closed_) return;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  ctx_.metrics.message_out(in_flight_->action);
  const auto text = ocpp::make_call(in_flight_->id, in_flight_->action, in_flight_->payload);
  if (auto masked = redact_secrets(in_flight_->action, in_flight_->payload)) {
    // The station gets its new password; the message log never sees it.
    if (closed_) return;
    ctx_.log_frame(station_id_, storage::Direction::Out,
                   ocpp::make_call(in_flight_->id, in_flight_->action, *masked));
    connection_->send(text);
  } else {
    send_frame(text);
  }
  std::weak_ptr<StationSession> weak = weak_from_this();
  std::string id = in_flight_->id;
  timeout_.cancel();
  timeout_ = ctx_.executor.post_after(std::chrono::seconds(ctx_.config.call_timeout_s), [weak, id] {
    auto self = weak.lock();
    if (!self || !self->in_flight_ || self->in_flight_->id != id) return;
    log::warn("{}: no answer to {} within {} s", self->station_id_, self->in_flight_->action,
              self->ctx_.config.call_timeout_s);
    self->expired_ids_.push_back(id);
    if (self->expired_ids_.size() > kExpiredIdsKept) self->expired_ids_.pop_front();
    CallOutcome outcome;
    outcome.kind = CallOutcome::Kind::Timeout;
    outcome.message = "the station did not answer " + self->in_flight_->action + " within " +
                      std::to_string(self->ctx_.config.call_timeout_s) + " s";
    self->finish_in_flight(std::move(outcome));
  });
}

void StationSession::finish_in_flight(CallOutcome outcome) {
  timeout_.cancel();
  OutboundCall c = std::move(*in_flight_);
  in_flight_.reset();
  if (c.done) c.done(std::move(outcome));
  send_next();
}

void StationSession::closed() {
  if (closed_) return;
  closed_ = true;
  timeout_.cancel();
  waiting_timer_.cancel();
  waiting_.clear();
  auto fail = [](OutboundCall& c) {
    CallOutcome outcome;
    outcome.kind = CallOutcome::Kind::Closed;
    outcome.message = "the station disconnected before answering " + c.action;
    if (c.done) c.done(std::move(outcome));
  };
  if (in_flight_) {
    OutboundCall c = std::move(*in_flight_);
    in_flight_.reset();
    fail(c);
  }
  while (!queue_.empty()) {
    OutboundCall c = std::move(queue_.front());
    queue_.pop_front();
    fail(c);
  }
}

void StationSession::send_result(const std::string& id, const std::string& payload_json) {
  answered(id);
  send_frame(ocpp::make_call_result(id, payload_json));
}

void StationSession::send_error(const std::string& id, ocpp::ErrorCode code,
                                std::string_view description) {
  answered(id);
  send_error_frame(id, code, description, true);
}

void StationSession::send_error_frame(const std::string& id, ocpp::ErrorCode code,
                                      std::string_view description, bool log) {
  ctx_.metrics.rpc_error(std::string(ocpp::to_string(code, version_)));
  const std::string text = ocpp::make_call_error(id, code, version_, description);
  if (!log) {
    if (!closed_) connection_->send(text);
    return;
  }
  send_frame(text);
}

void StationSession::send_frame(const std::string& text) {
  if (closed_) return;
  ctx_.log_frame(station_id_, storage::Direction::Out, text);
  connection_->send(text);
}

}  // namespace csms
