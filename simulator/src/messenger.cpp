#include "simulator/messenger.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "ocpp/common/json.hpp"

namespace simulator {

std::string describe_failure(const CallReply& reply) {
  switch (reply.kind) {
    case CallReply::Kind::Result:
      return "answered";
    case CallReply::Kind::Error:
      return "answered CALLERROR " + reply.error_code + ": " + reply.error_description;
    case CallReply::Kind::Timeout:
      return "not answered within the call timeout";
    case CallReply::Kind::Dropped:
      return "not delivered: " +
             (reply.error_description.empty() ? std::string("offline") : reply.error_description);
    case CallReply::Kind::Unsendable:
      return "not sendable: its transaction has no id";
  }
  return "failed";
}

namespace {

/// The `answered` event for the frame we answer a CSMS CALL with.
Event answered_event(const ocpp::Frame& call, const std::string& frame) {
  Event e("answered");
  e.add("action", call.action()).add("id", call.id());
  rapidjson::Document doc;
  if (ocpp::parse_json(frame, doc).IsError() || !doc.IsArray() || doc.Size() < 3) return e;
  if (doc[0].IsInt() && doc[0].GetInt() == 3) {
    e.add_raw("response", ocpp::to_compact_json(doc[2]));
  } else if (doc.Size() >= 4 && doc[2].IsString() && doc[3].IsString()) {
    e.add("code", std::string(doc[2].GetString(), doc[2].GetStringLength()))
        .add("description", std::string(doc[3].GetString(), doc[3].GetStringLength()));
  }
  return e;
}

}  // namespace

Messenger::Messenger(ocpp::Version version, Link& link, Scheduler& scheduler, EventSink& events,
                     Logger log, Duration call_timeout)
    : version_(version),
      link_(link),
      scheduler_(scheduler),
      events_(events),
      log_(std::move(log)),
      call_timeout_(call_timeout),
      timeout_timer_(scheduler) {}

bool Messenger::use_queue_file(std::string path, std::string* error) {
  queue_file_ = std::move(path);
  std::ifstream in(queue_file_, std::ios::binary);
  if (!in) return true;  // nothing stored yet
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) return true;
  std::string why;
  if (!queue_.load(text.str(), &why)) {
    if (error) *error = "queue file " + queue_file_ + ": " + why;
    queue_file_.clear();  // do not overwrite what we could not read
    return false;
  }
  if (queue_.transactional_count() > 0) {
    log_.info("loaded {} queued message(s) from {}", queue_.transactional_count(), queue_file_);
    events_.emit(Event("queue_loaded").add("count", queue_.transactional_count()));
  }
  return true;
}

void Messenger::save_queue() {
  if (queue_file_.empty()) return;
  // Write-then-rename so a crash never leaves half a file.
  const std::string tmp = queue_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << queue_.save();
    if (!out) {
      log_.error("cannot write queue file {}", tmp);
      return;
    }
  }
  if (std::rename(tmp.c_str(), queue_file_.c_str()) != 0) {
    log_.error("cannot replace queue file {}", queue_file_);
  }
}

void Messenger::call(OutgoingCall call) {
  if (!call.transactional && !connected_) {
    CallReply reply;
    reply.kind = CallReply::Kind::Dropped;
    reply.error_description = "not connected";
    log_.debug("{} not sent: offline", call.action);
    deliver(call, reply);
    return;
  }
  if (call.transactional && !connected_) {
    events_.emit(Event("queued").add("action", call.action));
  }
  const bool transactional = call.transactional;
  queue_.push(std::move(call), in_flight_ ? 1 : 0);
  if (transactional) save_queue();
  pump();
}

void Messenger::set_gate_open(bool open) {
  gate_open_ = open;
  if (open) pump();
}

void Messenger::on_connected() {
  connected_ = true;
  flushing_ = queue_.transactional_count() > 0;
  flushed_ = 0;
  pump();
}

void Messenger::on_disconnected() {
  if (!connected_) return;
  connected_ = false;
  timeout_timer_.cancel();
  // A transactional call in flight stays at the head and goes again later;
  // volatile ones (in flight or queued) are lost with the connection.
  std::vector<std::pair<OutgoingCall, CallReply>> dropped;
  if (in_flight_ && !queue_.empty() && !queue_.front().transactional) {
    CallReply reply;
    reply.kind = CallReply::Kind::Dropped;
    reply.message_id = in_flight_->message_id;
    reply.sent_payload = in_flight_->payload;
    reply.error_description = "connection lost";
    dropped.emplace_back(std::move(queue_.front()), std::move(reply));
    queue_.pop_front();
  }
  in_flight_.reset();
  for (auto& call : queue_.take_volatile()) {
    CallReply reply;
    reply.kind = CallReply::Kind::Dropped;
    reply.error_description = "connection lost";
    dropped.emplace_back(std::move(call), std::move(reply));
  }
  for (const auto& [call, reply] : dropped) deliver(call, reply);
  auto waiters = std::move(drain_waiters_);
  drain_waiters_.clear();
  for (auto& fn : waiters) fn();
}

void Messenger::when_drained(std::function<void()> fn) {
  if (queue_.transactional_count() == 0 || !connected_) {
    fn();
    return;
  }
  drain_waiters_.push_back(std::move(fn));
}

void Messenger::pump() {
  while (connected_ && !in_flight_ && !queue_.empty()) {
    OutgoingCall& head = queue_.front();
    if (!gate_open_ && !head.priority) return;
    auto payload = queue_.render(head);
    if (!payload) {
      // Its StartTransaction was refused or never answered with an id: the CSMS
      // could not place this message anyway.
      OutgoingCall call = std::move(head);
      queue_.pop_front();
      save_queue();
      events_.emit(Event("error").add(
          "message", call.action + " dropped: its transaction never got an id from the CSMS"));
      CallReply reply;
      reply.kind = CallReply::Kind::Unsendable;
      deliver(call, reply);
      check_flushed();
      check_drained();
      continue;
    }
    std::string id = std::to_string(++next_message_id_);
    in_flight_ = InFlight{id, *payload};
    const std::string action = head.action;
    log_.debug("-> {} {} {}", action, id, *payload);
    link_.send(ocpp::make_call(id, action, *payload));
    events_.emit(Event("sent").add("action", action).add("id", id));
    timeout_timer_.start(call_timeout_, [this] { fire_timeout(); });
  }
}

void Messenger::fire_timeout() {
  if (!in_flight_ || queue_.empty()) return;
  const OutgoingCall& head = queue_.front();
  log_.warn("{} {} unanswered after {} ms", head.action, in_flight_->message_id,
            call_timeout_.count());
  events_.emit(Event("timeout").add("action", head.action).add("id", in_flight_->message_id));
  if (head.transactional) {
    // Keep it at the head; whoever owns the connection decides (reconnect).
    in_flight_.reset();
    OutgoingCall copy;
    copy.action = head.action;
    copy.session = head.session;
    if (timeout_handler_) timeout_handler_(copy);
    pump();
    return;
  }
  CallReply reply;
  reply.kind = CallReply::Kind::Timeout;
  reply.message_id = in_flight_->message_id;
  reply.sent_payload = in_flight_->payload;
  reply.error_description = "no answer";
  complete(std::move(reply));
}

void Messenger::on_message(std::string_view text) {
  if (!connected_) return;  // a frame racing our own close
  log_.trace("<- {}", text);
  ocpp::ParseResult parsed = ocpp::parse_frame(text, version_);
  if (auto* bad = std::get_if<ocpp::FrameError>(&parsed)) {
    log_.warn("invalid frame: {}", bad->description);
    if (bad->reply_id) {
      link_.send(ocpp::make_call_error(*bad->reply_id, bad->code, version_, bad->description));
    }
    return;
  }
  const ocpp::Frame& frame = std::get<ocpp::Frame>(parsed);
  switch (frame.type()) {
    case ocpp::MessageType::Call: {
      events_.emit(Event("received").add("action", frame.action()).add("id", frame.id()));
      CallAnswer answer;
      if (handler_ != nullptr) {
        answer = handler_->handle_call(frame);
      } else {
        answer.frame = ocpp::make_call_error(frame.id(), ocpp::ErrorCode::NotImplemented, version_,
                                             "no handler");
      }
      log_.debug("-> {}", answer.frame);
      // Built first: the frame moves into the link.
      Event answered = answered_event(frame, answer.frame);
      link_.send(std::move(answer.frame));
      events_.emit(answered);
      if (answer.then) answer.then();
      return;
    }
    case ocpp::MessageType::CallResult:
    case ocpp::MessageType::CallError: {
      if (!in_flight_ || frame.id() != in_flight_->message_id) {
        log_.warn("ignoring an answer to {}, which is not the CALL in flight", frame.id());
        return;
      }
      CallReply reply;
      reply.message_id = in_flight_->message_id;
      reply.sent_payload = in_flight_->payload;
      if (frame.type() == ocpp::MessageType::CallResult) {
        reply.kind = CallReply::Kind::Result;
        reply.result = &frame.payload();
      } else {
        reply.kind = CallReply::Kind::Error;
        reply.error_code = frame.error_code();
        reply.error_description = frame.error_description();
      }
      complete(std::move(reply));
      return;
    }
  }
}

void Messenger::complete(CallReply reply) {
  timeout_timer_.cancel();
  in_flight_.reset();
  OutgoingCall call = std::move(queue_.front());
  queue_.pop_front();
  if (reply.kind == CallReply::Kind::Result) {
    events_.emit(Event("acked")
                     .add("action", call.action)
                     .add("id", reply.message_id)
                     .add_raw("payload", reply.sent_payload)
                     .add_raw("response", ocpp::to_compact_json(*reply.result)));
  } else if (reply.kind == CallReply::Kind::Error) {
    log_.warn("{} {} answered {}: {}", call.action, reply.message_id, reply.error_code,
              reply.error_description);
    events_.emit(Event("call_error")
                     .add("action", call.action)
                     .add("id", reply.message_id)
                     .add("code", reply.error_code)
                     .add("description", reply.error_description));
  }
  if (call.transactional && flushing_) ++flushed_;
  deliver(call, reply);
  if (call.transactional) save_queue();
  check_flushed();
  check_drained();
  pump();
}

void Messenger::deliver(const OutgoingCall& call, const CallReply& reply) {
  if (call.transactional) {
    if (tx_handler_) tx_handler_(call, reply);
  } else if (call.on_reply) {
    call.on_reply(reply);
  }
}

void Messenger::check_flushed() {
  if (flushing_ && connected_ && queue_.transactional_count() == 0) {
    flushing_ = false;
    log_.info("offline queue delivered ({} message(s))", flushed_);
    events_.emit(Event("queue_flushed").add("count", flushed_));
  }
}

void Messenger::check_drained() {
  if (queue_.transactional_count() != 0 || drain_waiters_.empty()) return;
  auto waiters = std::move(drain_waiters_);
  drain_waiters_.clear();
  for (auto& fn : waiters) fn();
}

}  // namespace simulator
