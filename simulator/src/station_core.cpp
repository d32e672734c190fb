#include "simulator/station_core.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "ocpp/common/frame.hpp"
#include "simulator/tls.hpp"

namespace simulator {
namespace {

constexpr Duration kBootRetryFallback{10000};

}  // namespace

StationCore::StationCore(ocpp::Version version, StationSettings settings, Link& link,
                         Scheduler& scheduler, EventSink& events, Logger log)
    : version_(version),
      settings_(std::move(settings)),
      link_(link),
      scheduler_(scheduler),
      events_(events),
      log_(std::move(log)),
      messenger_(version, link, scheduler, events, log_, settings_.call_timeout),
      boot_timer_(scheduler),
      heartbeat_timer_(scheduler),
      step_timer_(scheduler),
      reboot_timer_(scheduler),
      shutdown_timer_(scheduler) {
  // Both versions' serial number field holds 25 characters.
  if (settings_.serial_number.empty()) settings_.serial_number = settings_.id.substr(0, 25);
  if (settings_.signed_meter) {
    signed_meter_ = std::make_unique<SignedMeter>(settings_.id, settings_.meter_key_pem,
                                                  settings_.signed_meter_tamper);
  }
  credentials_.profile = settings_.security_profile;
  credentials_.password = settings_.password;
  credentials_.cert_pem = settings_.client_cert_pem;
  credentials_.key_pem = settings_.client_key_pem;
  messenger_.set_call_handler(this);
  messenger_.set_transaction_handler([this](const OutgoingCall& call, const CallReply& reply) {
    on_transaction_reply(call, reply);
  });
  // An unanswered transaction message: presume the connection dead and
  // reconnect; the message stays at the head and goes again.
  messenger_.set_timeout_handler([this](const OutgoingCall&) { link_.reconnect(); });
  link_.set_observer(this);
}

StationCore::~StationCore() {
  link_.set_observer(nullptr);
}

bool StationCore::open_queue_file(std::string* error) {
  if (settings_.queue_file.empty()) return true;
  return messenger_.use_queue_file(settings_.queue_file, error);
}

void StationCore::emit_error(const std::string& message) {
  log_.error("{}", message);
  events_.emit(Event("error").add("message", message));
}

// ---------------------------------------------------------------------------
// Connection and boot

void StationCore::start() {
  if (signed_meter_) {
    // The operator registers this key so the CSMS can verify the readings.
    log_.info("signed meter: public key {}", signed_meter_->public_key_hex());
    events_.emit(Event("signed_meter").add("publicKey", signed_meter_->public_key_hex()));
  }
  link_.start();
}

void StationCore::on_link_up() {
  log_.info("connected");
  events_.emit(Event("connected"));
  if (fallback_) {
    // The switched endpoint works: it is the station's from now on.
    fallback_.reset();
    events_.emit(
        Event("security_profile").add("profile", credentials_.profile).add("url", link_.url()));
    security_profile_changed(credentials_.profile);
  }
  if (!booted_) messenger_.set_gate_open(false);
  messenger_.on_connected();
  if (!booted_) {
    send_boot();
  } else {
    // A plain reconnect: no new boot, just tell what changed meanwhile.
    report_statuses(false);
    schedule_heartbeat();
    wait_for_drain();
  }
}

void StationCore::on_link_message(std::string_view text) {
  messenger_.on_message(text);
}

void StationCore::on_link_down() {
  log_.info("disconnected");
  events_.emit(Event("disconnected"));
  heartbeat_timer_.cancel();
  boot_timer_.cancel();
  messenger_.on_disconnected();
  release_waiters();
}

void StationCore::on_link_failure(const LinkFailure& reported) {
  LinkFailure failure = reported;
  if (fallback_ && failure.fatal) {
    // A refusal by a switched endpoint is not the end: there is one to go back to.
    failure.fatal = false;
    link_.go_offline(Duration(500));
  }
  if (fallback_ && ++switch_failures_ >= kFallbackAfter) {
    // The new endpoint or profile does not work: back to the one that did.
    const Endpoint back = *std::exchange(fallback_, std::nullopt);
    std::string error;
    log_.warn("{} failed {} times: falling back to {} (security profile {})", link_.url(),
              switch_failures_, back.url, back.profile);
    events_.emit(Event("network_fallback")
                     .add("failed", link_.url())
                     .add("url", back.url)
                     .add("profile", back.profile));
    if (link_.set_url(back.url, error)) {
      credentials_.profile = back.profile;
      apply_credentials();
    }
  }
  if (failure.http_status != 0) {
    log_.warn("connection refused with HTTP {}{}", failure.http_status,
              failure.fatal ? " (giving up)" : "");
    events_.emit(Event("rejected").add("status", failure.http_status));
  } else if (failure.fatal) {
    emit_error(failure.message);
  } else if (failure.tls) {
    // A TLS failure rarely heals by itself: say it where the operator looks.
    log_.warn("connection failed: {}", failure.message);
    events_.emit(Event("tls_error").add("message", failure.message));
  } else {
    log_.info("connection failed: {}", failure.message);
  }
  if (failure.fatal && fatal_handler_) {
    fatal_handler_(
        failure.http_status != 0
            ? fmt::format("the CSMS refused the connection with HTTP {}", failure.http_status)
            : failure.message);
  }
}

void StationCore::send_triggered(OutgoingCall call) {
  // Before the boot is accepted only the boot may go out, unless the CSMS asks
  // for something (2.0.1 B02: triggered messages and reports while Pending).
  call.priority = !booted_;
  messenger_.call(std::move(call));
}

void StationCore::set_installed_roots(const std::string& pem) {
  link_.set_installed_roots(pem);
}

void StationCore::send_boot() {
  OutgoingCall call = boot_request();
  call.priority = true;
  call.on_reply = [this, epoch = epoch_](const CallReply& reply) {
    if (epoch == epoch_) on_boot_reply(reply);
  };
  messenger_.call(std::move(call));
}

void StationCore::on_boot_reply(const CallReply& reply) {
  if (!reply.ok()) return boot_failed(reply);
  std::string error;
  auto answer = read_boot_answer(*reply.result, error);
  if (!answer) return boot_invalid("invalid BootNotification response: " + error);
  boot_answered(answer->status, answer->interval, answer->accepted);
}

void StationCore::boot_failed(const CallReply& reply) {
  if (reply.kind == CallReply::Kind::Dropped) return;  // the next connection boots again
  log_.warn("BootNotification {}; retrying", describe_failure(reply));
  boot_timer_.start(kBootRetryFallback, [this] { send_boot(); });
}

void StationCore::boot_invalid(const std::string& why) {
  emit_error(why);
  boot_timer_.start(kBootRetryFallback, [this] { send_boot(); });
}

void StationCore::boot_answered(std::string_view status, std::int64_t interval, bool accepted) {
  events_.emit(Event("boot").add("status", status).add("interval", interval));
  if (accepted) {
    if (!settings_.heartbeat_s && interval > 0) adopt_heartbeat_interval(interval);
    on_booted();
    return;
  }
  // Pending or Rejected: ask again after the interval the CSMS gave.
  const Duration retry =
      interval > 0 ? Duration(std::chrono::seconds(interval)) : kBootRetryFallback;
  log_.info("boot {}; retrying in {} s", status, retry.count() / 1000.0);
  boot_timer_.start(retry, [this] {
    if (messenger_.connected()) send_boot();
  });
}

void StationCore::on_booted() {
  const bool first = !booted_;
  booted_ = true;
  log_.info("boot accepted");
  messenger_.set_gate_open(true);
  report_statuses(true);
  schedule_heartbeat();
  wait_for_drain();
  if (first && ready_handler_) ready_handler_();
}

void StationCore::schedule_heartbeat() {
  const std::int64_t interval = heartbeat_interval_s();
  if (interval <= 0 || shutting_down_) {
    heartbeat_timer_.cancel();
    return;
  }
  heartbeat_timer_.start(std::chrono::seconds(interval), [this] {
    if (ready()) send_heartbeat();
    schedule_heartbeat();
  });
}

// ---------------------------------------------------------------------------
// Steps waiting for answers

void StationCore::wait_for_answers(StepWaiters& waiters, std::int64_t session, StepDone done,
                                   int count, std::string expect) {
  if (!done) return;
  if (!ready()) {
    // Offline: the message waits in the queue; the step goes on.
    done(StepResult::success());
    return;
  }
  waiters[session] = StepWaiter{std::move(done), count, std::nullopt, std::move(expect)};
}

void StationCore::finish_waiter(StepWaiters& waiters, std::int64_t session,
                                std::optional<StepResult> result) {
  auto it = waiters.find(session);
  if (it == waiters.end()) return;
  if (!it->second.result && result) it->second.result = std::move(result);
  if (--it->second.pending > 0) return;
  StepWaiter w = std::move(it->second);
  waiters.erase(it);
  w.done(w.result.value_or(StepResult::success()));
}

std::string StationCore::expected_start_status(std::int64_t session) const {
  auto it = start_waiters_.find(session);
  return it != start_waiters_.end() ? it->second.expect : std::string("Accepted");
}

bool StationCore::transaction_answered(StepWaiters& waiters, const OutgoingCall& call,
                                       const CallReply& reply, std::string_view what,
                                       std::string_view where) {
  if (reply.ok()) return true;
  if (reply.kind != CallReply::Kind::Unsendable) {
    emit_error(fmt::format("{} on {} {} {}", what, where, call.connector, describe_failure(reply)));
  }
  finish_waiter(waiters, call.session,
                StepResult::failure(fmt::format("{} {}", what, describe_failure(reply))));
  return false;
}

void StationCore::transaction_answer_invalid(StepWaiters& waiters, const OutgoingCall& call,
                                             std::string_view action, const std::string& error) {
  const std::string message = fmt::format("invalid {} response: {}", action, error);
  emit_error(message);
  finish_waiter(waiters, call.session, StepResult::failure(message));
}

void StationCore::release_waiters() {
  // Offline: the messages stay queued and go later; the steps need not wait.
  for (auto* waiters : {&start_waiters_, &stop_waiters_}) {
    auto taken = std::move(*waiters);
    waiters->clear();
    for (auto& [session, w] : taken) w.done(w.result.value_or(StepResult::success()));
  }
}

// ---------------------------------------------------------------------------
// CSMS calls and steps

CallAnswer StationCore::answer_call(const ocpp::Frame& call,
                                    const std::function<CallAnswer()>& handler, bool known,
                                    std::string_view station) {
  if (!handler) {
    log_.info("answering {} to {}", known ? "NotSupported" : "NotImplemented", call.action());
    return {ocpp::make_call_error(
                call.id(), known ? ocpp::ErrorCode::NotSupported : ocpp::ErrorCode::NotImplemented,
                version_,
                known ? fmt::format("{} is not supported by this {}", call.action(), station)
                      : fmt::format("unknown action {}", call.action())),
            {}};
  }
  try {
    return handler();
  } catch (const std::exception& e) {
    log_.error("{} failed: {}", call.action(), e.what());
    return {ocpp::make_call_error(call.id(), ocpp::ErrorCode::InternalError, version_, e.what()),
            {}};
  }
}

void StationCore::charge_step(const Step& step, bool has_transaction, std::string_view where,
                              StepDone done) {
  if (!has_transaction) {
    return done(StepResult::failure(fmt::format("no transaction on {} {}", where, step.connector)));
  }
  step_timer_.start(seconds_to_duration(step.seconds.value_or(0)),
                    [done = std::move(done)] { done(StepResult::success()); });
}

std::function<void(const CallReply&)> StationCore::status_step_reply(StepDone done) {
  return [done = std::move(done)](const CallReply& reply) {
    // Offline is fine: the status is reported when the connection is back.
    if (reply.kind == CallReply::Kind::Error) {
      return done(StepResult::failure("StatusNotification " + describe_failure(reply)));
    }
    done(StepResult::success());
  };
}

void StationCore::status_not_sent(const std::function<void(const CallReply&)>& on_reply) {
  if (!on_reply) return;
  CallReply dropped;
  dropped.kind = CallReply::Kind::Dropped;
  on_reply(dropped);
}

// ---------------------------------------------------------------------------
// Reset, offline, shutdown

void StationCore::reboot(const std::string& type, const std::function<void()>& end_sessions) {
  if (rebooting_) return;
  rebooting_ = true;
  log_.info("resetting ({})", type);
  events_.emit(Event("reset").add("type", type));
  end_sessions();
  ++epoch_;  // answers to anything asked before the reset no longer matter
  // Deliver the session ends before going down, if the CSMS is quick.
  reboot_timer_.start(std::min(settings_.call_timeout, Duration(10000)),
                      [this] { complete_reboot(); });
  messenger_.when_drained([this] { complete_reboot(); });
}

void StationCore::complete_reboot() {
  if (!rebooting_) return;
  rebooting_ = false;
  reboot_timer_.cancel();
  booted_ = false;
  messenger_.set_gate_open(false);
  heartbeat_timer_.cancel();
  boot_timer_.cancel();
  // Not step_timer_: a running "charge" step still ends on time.
  reset_state();
  log_.info("rebooting: offline for {} ms", settings_.reset_delay.count());
  link_.go_offline(settings_.reset_delay);
}

void StationCore::go_offline(std::optional<Duration> duration) {
  log_.info("going offline{}",
            duration ? fmt::format(" for {} ms", duration->count()) : std::string(" until online"));
  link_.go_offline(duration);
}

void StationCore::go_online() {
  link_.go_online();
}

void StationCore::shutdown(bool drain, std::function<void()> done) {
  if (shutting_down_) {
    // Asked again (a signal while draining): close now.
    if (!drain && close_now_) close_now_();
    return;
  }
  shutting_down_ = true;
  heartbeat_timer_.cancel();
  boot_timer_.cancel();
  step_timer_.cancel();
  reboot_timer_.cancel();
  stop_activity();
  auto closed = std::make_shared<bool>(false);
  close_now_ = [this, closed, done = std::move(done)] {
    if (*closed) return;
    *closed = true;
    shutdown_timer_.cancel();
    drain_then_ = nullptr;
    link_.shutdown(done);
  };
  if (drain && pending_transaction_messages() > 0) {
    // Deliver what is queued first, waiting for the connection if it is down
    // (an offline step may be about to end), but not forever.
    log_.info("waiting up to {} ms to deliver {} queued message(s)", settings_.call_timeout.count(),
              pending_transaction_messages());
    shutdown_timer_.start(settings_.call_timeout, [this] { close_now_(); });
    drain_then_ = [this] { close_now_(); };
    wait_for_drain();
  } else {
    close_now_();
  }
}

void StationCore::wait_for_drain() {
  if (!drain_then_ || !ready()) return;  // on_link_up / on_booted call again
  messenger_.when_drained([this] {
    if (!drain_then_ || pending_transaction_messages() > 0) return;  // dropped: wait again
    auto then = std::move(drain_then_);
    drain_then_ = nullptr;
    then();
  });
}

void StationCore::apply_credentials() {
  const bool certificate = credentials_.profile >= 3 && !credentials_.cert_pem.empty();
  link_.set_password(credentials_.profile >= 3 ? std::nullopt : credentials_.password);
  link_.set_client_certificate(certificate ? credentials_.cert_pem : std::string(),
                               certificate ? credentials_.key_pem : std::string());
}

std::optional<std::string> StationCore::password_refusal() const {
  if (settings_.quirks.rejects_password) return "this firmware does not take a new password";
  return std::nullopt;
}

void StationCore::rotate_password(std::string password) {
  credentials_.password = std::move(password);
  apply_credentials();
  log_.info("new Basic-auth password: used from the next connection");
  events_.emit(Event("password_changed"));
}

bool StationCore::install_client_certificate(const std::string& chain_pem, std::string& error,
                                             bool& reconnect) {
  reconnect = false;
  if (credentials_.csr_key_pem.empty()) {
    error = "no CSR was sent: nothing to match the certificate with";
    return false;
  }
  if (!certificate_matches_key(chain_pem, credentials_.csr_key_pem, error)) return false;
  credentials_.cert_pem = chain_pem;
  credentials_.key_pem = credentials_.csr_key_pem;
  apply_credentials();
  reconnect = credentials_.profile >= 3;
  return true;
}

bool StationCore::switch_endpoint(const std::string& url, int profile, std::string& error) {
  Endpoint previous{link_.url(), credentials_.profile};
  if (!link_.set_url(url, error)) return false;
  if (!fallback_) fallback_ = previous;  // the last endpoint known to work
  switch_failures_ = 0;
  credentials_.profile = profile;
  apply_credentials();
  log_.info("next connection: {} with security profile {}", url, profile);
  return true;
}

void StationCore::reconnect_with_new_credentials() {
  log_.info("reconnecting with the new credentials");
  link_.go_offline(Duration(200));
}

}  // namespace simulator
