#include "simulator/v16/charge_point.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "ocpp/common/utf8.hpp"
#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "station_steps.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

std::chrono::seconds seconds(std::int64_t s) {
  return std::chrono::seconds(s);
}

}  // namespace

ChargePoint::ChargePoint(StationSettings settings, Link& link, Scheduler& scheduler,
                         EventSink& events, Logger log)
    : StationCore(ocpp::Version::v16, std::move(settings), link, scheduler, events, std::move(log)),
      certificates_(*this),
      config_(default_configuration(settings_)) {
  certificates_.add_handlers(block_handlers_);
  connectors_.resize(static_cast<std::size_t>(std::max(0, settings_.connectors)) + 1);
  for (auto& c : connectors_) {
    c.meter = Meter(settings_.power_w);
    c.meter.set_phases(settings_.phases);
  }
  charging_profiles_.set_quirks(settings_.quirks);
}

// ---------------------------------------------------------------------------
// Boot and heartbeat

OutgoingCall ChargePoint::boot_request() const {
  BootNotificationRequest req;
  req.chargePointVendor = settings_.vendor;
  req.chargePointModel = settings_.model;
  req.chargePointSerialNumber = settings_.serial_number;
  req.firmwareVersion = settings_.firmware_version;
  req.meterType = "ocpp-sim meter";
  return make_call(req);
}

std::optional<StationCore::BootAnswer> ChargePoint::read_boot_answer(
    const rapidjson::Value& payload, std::string& error) const {
  auto resp = decode<BootNotificationResponse>(payload, error);
  if (!resp) return std::nullopt;
  return BootAnswer{std::string(to_string(resp->status)), resp->interval,
                    resp->status == RegistrationStatus::Accepted};
}

std::int64_t ChargePoint::heartbeat_interval_s() const {
  return config_.get_int("HeartbeatInterval", 0);
}

void ChargePoint::adopt_heartbeat_interval(std::int64_t interval_s) {
  config_.force("HeartbeatInterval", std::to_string(interval_s));
}

void ChargePoint::send_heartbeat() {
  messenger_.call(make_call(HeartbeatRequest{}));
}

void ChargePoint::stop_activity() {
  for (auto& c : connectors_) {
    if (c.session) c.session->sample_timer->cancel();
  }
}

// ---------------------------------------------------------------------------
// Status

ChargePointStatus ChargePoint::idle_status(const Connector& c) const {
  return c.operative ? ChargePointStatus::Available : ChargePointStatus::Unavailable;
}

void ChargePoint::update_meter(int connector) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (c.session && c.status == ChargePointStatus::Charging) {
    c.meter.resume(now());
  } else {
    c.meter.pause(now());
  }
}

void ChargePoint::set_status(int connector, ChargePointStatus status, ChargePointErrorCode error,
                             std::optional<std::string> info,
                             std::function<void(const CallReply&)> on_reply) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  c.status = status;
  c.error = error;
  c.info = std::move(info);
  update_meter(connector);
  report_status(connector, std::move(on_reply));
}

void ChargePoint::report_status(int connector, std::function<void(const CallReply&)> on_reply) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (!ready()) return status_not_sent(on_reply);  // see report_changed_statuses
  StatusNotificationRequest req;
  req.connectorId = connector;
  req.errorCode = c.error;
  req.status = c.status;
  req.info = c.info;
  req.timestamp = scheduler_.wall_now();
  c.reported = std::make_pair(c.status, c.error);
  OutgoingCall call = make_call(req);
  call.connector = connector;
  call.on_reply = [this, connector, epoch = epoch_,
                   on_reply = std::move(on_reply)](const CallReply& reply) {
    if (epoch == epoch_ && !reply.ok() && reply.kind != CallReply::Kind::Error) {
      connectors_[static_cast<std::size_t>(connector)].reported.reset();
    }
    if (on_reply) on_reply(reply);
  };
  messenger_.call(std::move(call));
}

void ChargePoint::report_changed_statuses(bool all) {
  for (std::size_t n = 0; n < connectors_.size(); ++n) {
    const auto& c = connectors_[n];
    if (all || c.reported != std::make_pair(c.status, c.error)) {
      report_status(static_cast<int>(n));
    }
  }
}

// ---------------------------------------------------------------------------
// Authorization

bool ChargePoint::id_tag_cached(const std::string& id_tag) const {
  auto it = auth_cache_.find(id_tag);
  if (it == auth_cache_.end() || it->second.status != AuthorizationStatus::Accepted) return false;
  return !it->second.expiryDate || scheduler_.wall_now() < *it->second.expiryDate;
}

void ChargePoint::authorize(const std::string& id_tag, bool remote,
                            std::function<void(AuthOutcome, std::string)> done) {
  const bool needed = !remote || config_.get_bool("AuthorizeRemoteTxRequests", false);
  if (!needed) return done(AuthOutcome::Accepted, "");
  if (config_.get_bool("LocalPreAuthorize", false) && id_tag_cached(id_tag)) {
    log_.debug("{} accepted from the authorization cache", id_tag);
    return done(AuthOutcome::Accepted, "");
  }
  const LocalAuthEntry* listed = local_entry(id_tag);
  if (listed && config_.get_bool("LocalPreAuthorize", false) &&
      local_list_.accepts(id_tag, scheduler_.wall_now())) {
    log_.debug("{} accepted from the local authorization list", id_tag);
    return done(AuthOutcome::Accepted, "");
  }
  auto offline_rules = [this, id_tag, done] {
    // The local list decides for the tags it holds (Local Auth List Management).
    if (const LocalAuthEntry* e = local_entry(id_tag);
        e && config_.get_bool("LocalAuthorizeOffline", true)) {
      if (local_list_.accepts(id_tag, scheduler_.wall_now()))
        return done(AuthOutcome::Accepted, "");
      return done(AuthOutcome::Refused, e->status == "Accepted" ? "Expired" : e->status);
    }
    if (config_.get_bool("LocalAuthorizeOffline", true) && id_tag_cached(id_tag)) {
      return done(AuthOutcome::Accepted, "");
    }
    if (config_.get_bool("AllowOfflineTxForUnknownId", false)) {
      log_.info("offline: starting for unknown idTag {} (AllowOfflineTxForUnknownId)", id_tag);
      return done(AuthOutcome::Accepted, "");
    }
    done(AuthOutcome::NoAnswer, "offline and " + id_tag + " is not in the authorization cache");
  };
  if (!ready()) return offline_rules();

  OutgoingCall call = make_call(AuthorizeRequest{id_tag});
  call.on_reply = [this, id_tag, done, offline_rules, epoch = epoch_](const CallReply& reply) {
    if (epoch != epoch_) return done(AuthOutcome::NoAnswer, "reset while authorizing");
    if (reply.kind == CallReply::Kind::Dropped || reply.kind == CallReply::Kind::Timeout) {
      return offline_rules();
    }
    if (!reply.ok()) return done(AuthOutcome::NoAnswer, "Authorize " + describe_failure(reply));
    std::string error;
    auto resp = decode<AuthorizeResponse>(*reply.result, error);
    if (!resp) {
      emit_error("invalid Authorize response: " + error);
      return done(AuthOutcome::NoAnswer, "invalid Authorize response");
    }
    if (config_.get_bool("AuthorizationCacheEnabled", true)) auth_cache_[id_tag] = resp->idTagInfo;
    if (resp->idTagInfo.status == AuthorizationStatus::Accepted) {
      return done(AuthOutcome::Accepted, "");
    }
    done(AuthOutcome::Refused, std::string(to_string(resp->idTagInfo.status)));
  };
  messenger_.call(std::move(call));
}

// ---------------------------------------------------------------------------
// Sessions

void ChargePoint::start_session(int connector, const std::string& id_tag, bool remote, int repeat,
                                std::optional<std::string> expect, StepDone done) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (c.session || c.starting) {
    return done(StepResult::failure(fmt::format("connector {} is busy", connector)));
  }
  if (!c.operative || c.status == ChargePointStatus::Unavailable ||
      c.status == ChargePointStatus::Faulted) {
    return done(
        StepResult::failure(fmt::format("connector {} is {}", connector, to_string(c.status))));
  }
  if (!reservations_.may_start(connector, id_tag, parent_of(id_tag))) {
    return done(
        StepResult::failure(fmt::format("connector {} is reserved for another id tag", connector)));
  }
  c.starting = true;
  const std::string want = expect.value_or("Accepted");
  authorize(id_tag, remote,
            [this, connector, id_tag, repeat, want, done, epoch = epoch_](AuthOutcome outcome,
                                                                          std::string detail) {
              connectors_[static_cast<std::size_t>(connector)].starting = false;
              if (epoch != epoch_ || shutting_down_) {
                return done(StepResult::failure("no start: the charge point is resetting"));
              }
              if (outcome == AuthOutcome::Refused) {
                if (detail == want) return done(StepResult::success());
                return done(StepResult::failure(
                    fmt::format("Authorize for {} answered {}, not {}", id_tag, detail, want)));
              }
              if (outcome == AuthOutcome::NoAnswer) return done(StepResult::failure(detail));
              begin_transaction(connector, id_tag, repeat, want, done);
            });
}

void ChargePoint::begin_transaction(int connector, const std::string& id_tag, int repeat,
                                    std::string expect, StepDone done) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  const auto reservation_id = use_reservation(connector, id_tag);
  auto s = std::make_unique<Session>();
  s->local_id = messenger_.queue().new_session();
  s->id_tag = id_tag;
  s->started_at = scheduler_.wall_now();
  s->meter_start = c.meter.energy_wh_int(now());
  s->sample_timer = std::make_unique<Timer>(scheduler_);
  const std::int64_t local_id = s->local_id;

  set_status(connector, ChargePointStatus::Preparing);
  wait_for_answers(start_waiters_, local_id, std::move(done), repeat, std::move(expect));
  StartTransactionRequest req;
  req.connectorId = connector;
  req.idTag = id_tag;
  req.meterStart = s->meter_start;
  req.timestamp = s->started_at;
  req.reservationId = reservation_id;
  c.session = std::move(s);
  log_.info("connector {}: starting a transaction for {} at {} Wh", connector, id_tag,
            req.meterStart);
  for (int i = 0; i < repeat; ++i) {
    // Identical payloads: a repeat tests the CSMS's idempotence.
    OutgoingCall call = make_call(req);
    call.transactional = true;
    call.session = local_id;
    call.connector = connector;
    messenger_.call(std::move(call));
  }
  if (auto begin = signed_sample(connector, ReadingContext::Transaction_Begin,
                                 SignedMeter::Kind::Begin, req.timestamp, req.meterStart)) {
    // StartTransaction has no sampled values: the signed begin reading follows it.
    MeterValuesRequest reading;
    reading.connectorId = connector;
    MeterValue mv;
    mv.timestamp = req.timestamp;
    mv.sampledValue = {register_sample(ReadingContext::Transaction_Begin, req.meterStart),
                       std::move(*begin)};
    reading.meterValue.push_back(std::move(mv));
    OutgoingCall call = make_call(reading);
    call.transactional = true;
    call.session = local_id;
    call.connector = connector;
    call.tx_id_field = "transactionId";  // filled in once the StartTransaction is answered
    messenger_.call(std::move(call));
  }
  c.meter.attach_ev(now(), settings_.ev_start_soc, settings_.ev_capacity_wh);
  set_status(connector, ChargePointStatus::Charging);
  apply_charging_limits();  // TxDefault/Relative profiles apply from the start
  schedule_sample(connector);
}

void ChargePoint::stop_session(int connector, Reason reason, int repeat, StepDone done) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (!c.session) {
    if (done) done(StepResult::failure(fmt::format("no transaction on connector {}", connector)));
    return;
  }
  std::unique_ptr<Session> s = std::move(c.session);
  s->sample_timer->cancel();
  const auto t = now();
  c.meter.pause(t);
  StopTransactionRequest req;
  req.idTag = s->id_tag;
  req.meterStop = c.meter.energy_wh_int(t);
  req.timestamp = scheduler_.wall_now();
  req.transactionId = messenger_.queue().transaction_id(s->local_id).value_or(0);
  req.reason = reason;
  MeterValue final_reading;
  final_reading.timestamp = req.timestamp;
  {
    // The session is gone from the connector; sample with the EV still attached.
    auto values = sample(connector, ReadingContext::Transaction_End);
    auto energy = std::find_if(values.begin(), values.end(), [](const SampledValue& v) {
      return v.measurand == Measurand::Energy_Active_Import_Register;
    });
    if (energy == values.end()) {
      values.insert(values.begin(),
                    register_sample(ReadingContext::Transaction_End, req.meterStop));
    }
    if (auto end = signed_sample(connector, ReadingContext::Transaction_End, SignedMeter::Kind::End,
                                 req.timestamp, req.meterStop, s->id_tag)) {
      values.push_back(std::move(*end));
    }
    final_reading.sampledValue = std::move(values);
  }
  req.transactionData = std::vector<MeterValue>{final_reading};
  c.meter.detach_ev();
  log_.info("connector {}: stopping the transaction at {} Wh ({})", connector, req.meterStop,
            to_string(reason));

  wait_for_answers(stop_waiters_, s->local_id, std::move(done), repeat);
  for (int i = 0; i < repeat; ++i) {
    OutgoingCall call = make_call(req);
    call.transactional = true;
    call.session = s->local_id;
    call.connector = connector;
    call.tx_id_field = "transactionId";  // filled in once the StartTransaction is answered
    messenger_.call(std::move(call));
  }
  set_status(connector, ChargePointStatus::Finishing);
  // The cable comes out at once; an availability change waiting for the end of
  // the session applies now.
  if (c.scheduled_operative) {
    c.operative = *c.scheduled_operative;
    c.scheduled_operative.reset();
  }
  set_status(connector, idle_status(c));
  // A TxProfile ends with its transaction (1.6 §3.13.3).
  charging_profiles_.transaction_ended(connector);
  apply_charging_limits();
}

std::vector<SampledValue> ChargePoint::sample(int connector, ReadingContext context) const {
  const auto& c = connectors_[static_cast<std::size_t>(connector)];
  const auto t = now();
  const char* key =
      context == ReadingContext::Transaction_End ? "StopTxnSampledData" : "MeterValuesSampledData";
  std::vector<SampledValue> out;
  for (const auto& name : config_.get_list(key)) {
    SampledValue v;
    v.context = context;
    Measurand m{};
    if (!from_string(name, m)) continue;
    v.measurand = m;
    switch (m) {
      case Measurand::Energy_Active_Import_Register:
        v.value = std::to_string(c.meter.energy_wh_int(t));
        v.unit = UnitOfMeasure::Wh;
        break;
      case Measurand::Power_Active_Import:
        v.value = fmt::format("{:.1f}", c.meter.power_w());
        v.unit = UnitOfMeasure::W;
        break;
      case Measurand::Current_Import:
        v.value = fmt::format("{:.2f}", c.meter.current_a());
        v.unit = UnitOfMeasure::A;
        break;
      case Measurand::Voltage:
        v.value = fmt::format("{:.1f}", Meter::kVoltage);
        v.unit = UnitOfMeasure::V;
        break;
      case Measurand::SoC: {
        auto soc = c.meter.soc_percent(t);
        if (!soc) continue;
        v.value = fmt::format("{:.1f}", *soc);
        v.unit = UnitOfMeasure::Percent;
        v.location = Location::EV;
        break;
      }
      default:
        continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

SampledValue ChargePoint::register_sample(ReadingContext context, std::int64_t register_wh) {
  SampledValue v;
  v.value = std::to_string(register_wh);
  v.context = context;
  v.measurand = Measurand::Energy_Active_Import_Register;
  v.unit = UnitOfMeasure::Wh;
  return v;
}

std::optional<SampledValue> ChargePoint::signed_sample(int connector, ReadingContext context,
                                                       SignedMeter::Kind kind,
                                                       const ocpp::DateTime& time,
                                                       std::int64_t register_wh,
                                                       const std::string& id_tag) {
  if (!signed_meter_) return std::nullopt;
  const auto& c = connectors_[static_cast<std::size_t>(connector)];
  const std::string& tag = !id_tag.empty() || !c.session ? id_tag : c.session->id_tag;
  SampledValue v = register_sample(context, register_wh);
  v.value = signed_meter_->reading(connector, tag, time, kind, register_wh);
  v.format = ValueFormat::SignedData;
  return v;
}

void ChargePoint::schedule_sample(int connector) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  if (!c.session) return;
  const std::int64_t interval = config_.get_int("MeterValueSampleInterval", 0);
  if (interval <= 0 || shutting_down_) {
    c.session->sample_timer->cancel();
    return;
  }
  c.session->sample_timer->start(seconds(interval), [this, connector] {
    send_meter_values(connector, ReadingContext::Sample_Periodic, true);
    schedule_sample(connector);
  });
}

void ChargePoint::send_meter_values(int connector, ReadingContext context, bool transactional) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  MeterValuesRequest req;
  req.connectorId = connector;
  MeterValue mv;
  mv.timestamp = scheduler_.wall_now();
  mv.sampledValue = sample(connector, context);
  if (c.session && transactional && context == ReadingContext::Sample_Periodic) {
    if (auto periodic = signed_sample(connector, context, SignedMeter::Kind::Periodic, mv.timestamp,
                                      c.meter.energy_wh_int(now()))) {
      mv.sampledValue.push_back(std::move(*periodic));
    }
  }
  if (mv.sampledValue.empty()) return;
  req.meterValue.push_back(std::move(mv));
  std::int64_t session = 0;
  if (c.session) {
    session = c.session->local_id;
    req.transactionId = messenger_.queue().transaction_id(session);
  }
  OutgoingCall call = make_call(req);
  call.connector = connector;
  if (transactional && session != 0) {
    call.transactional = true;
    call.session = session;
    call.tx_id_field = "transactionId";
  }
  messenger_.call(std::move(call));
}

// ---------------------------------------------------------------------------
// Replies to transaction messages

void ChargePoint::on_transaction_reply(const OutgoingCall& call, const CallReply& reply) {
  if (call.action == StartTransactionRequest::kAction) {
    on_start_reply(call, reply);
  } else if (call.action == StopTransactionRequest::kAction) {
    on_stop_reply(call, reply);
  } else if (reply.kind == CallReply::Kind::Result) {
    std::string error;
    if (call.action == MeterValuesRequest::kAction &&
        !decode<MeterValuesResponse>(*reply.result, error)) {
      emit_error("invalid MeterValues response: " + error);
    }
  }
}

void ChargePoint::on_start_reply(const OutgoingCall& call, const CallReply& reply) {
  const std::string expect = expected_start_status(call.session);
  if (!transaction_answered(start_waiters_, call, reply, "StartTransaction", "connector")) return;
  std::string error;
  auto resp = decode<StartTransactionResponse>(*reply.result, error);
  if (!resp) return transaction_answer_invalid(start_waiters_, call, "StartTransaction", error);
  auto request = decode_text<StartTransactionRequest>(call.payload);
  const std::string id_tag = request ? request->idTag : std::string();
  const std::string status(to_string(resp->idTagInfo.status));
  auto known = messenger_.queue().transaction_id(call.session);
  bool deauthorize = false;
  if (!known) {
    // The first answer names the transaction; queued messages of this session
    // are sent with this id from now on.
    messenger_.queue().set_transaction_id(call.session, resp->transactionId);
    if (config_.get_bool("AuthorizationCacheEnabled", true) && !id_tag.empty()) {
      auth_cache_[id_tag] = resp->idTagInfo;
    }
    events_.emit(Event("transaction_started")
                     .add("connectorId", call.connector)
                     .add("transactionId", resp->transactionId)
                     .add("idTag", id_tag)
                     .add("idTagStatus", status));
    deauthorize = resp->idTagInfo.status != AuthorizationStatus::Accepted &&
                  config_.get_bool("StopTransactionOnInvalidId", true);
  } else if (*known != resp->transactionId) {
    log_.warn("a repeated StartTransaction got transactionId {}, the first got {}",
              resp->transactionId, *known);
  }
  finish_waiter(start_waiters_, call.session,
                status == expect
                    ? StepResult::success()
                    : StepResult::failure(fmt::format("StartTransaction for {} answered {}, not {}",
                                                      id_tag, status, expect)));
  if (deauthorize) {
    for (std::size_t n = 1; n < connectors_.size(); ++n) {
      auto& c = connectors_[n];
      if (c.session && c.session->local_id == call.session) {
        log_.info("connector {}: idTag {} is {}; stopping", n, id_tag, status);
        stop_session(static_cast<int>(n), Reason::DeAuthorized, 1, {});
      }
    }
  }
}

void ChargePoint::on_stop_reply(const OutgoingCall& call, const CallReply& reply) {
  if (!transaction_answered(stop_waiters_, call, reply, "StopTransaction", "connector")) return;
  std::string error;
  auto resp = decode<StopTransactionResponse>(*reply.result, error);
  if (!resp) return transaction_answer_invalid(stop_waiters_, call, "StopTransaction", error);
  auto request = decode_text<StopTransactionRequest>(reply.sent_payload);
  if (request && resp->idTagInfo && request->idTag &&
      config_.get_bool("AuthorizationCacheEnabled", true)) {
    auth_cache_[*request->idTag] = *resp->idTagInfo;
  }
  if (request && stop_reported_.insert(call.session).second) {
    Event e("transaction_stopped");
    e.add("connectorId", call.connector)
        .add("transactionId", request->transactionId)
        .add("meterStop", request->meterStop);
    if (request->reason) e.add("reason", std::string(to_string(*request->reason)));
    events_.emit(e);
  }
  finish_waiter(stop_waiters_, call.session, StepResult::success());
}

// ---------------------------------------------------------------------------
// Availability and reset

void ChargePoint::apply_availability(int connector, bool operative) {
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  c.operative = operative;
  c.scheduled_operative.reset();
  if (c.session || c.starting) return;
  if (!operative && c.status != ChargePointStatus::Unavailable) {
    set_status(connector, ChargePointStatus::Unavailable);
  } else if (operative && c.status == ChargePointStatus::Unavailable) {
    set_status(connector, ChargePointStatus::Available);
  }
}

void ChargePoint::reset(ResetType type) {
  const Reason reason = type == ResetType::Hard ? Reason::HardReset : Reason::SoftReset;
  reboot(std::string(to_string(type)), [this, reason] {
    for (std::size_t n = 1; n < connectors_.size(); ++n) {
      if (connectors_[n].session) stop_session(static_cast<int>(n), reason, 1, {});
    }
  });
}

void ChargePoint::reset_state() {
  for (std::size_t n = 0; n < connectors_.size(); ++n) {
    auto& c = connectors_[n];
    c.starting = false;
    c.status = idle_status(c);
    c.error = ChargePointErrorCode::NoError;
    c.info.reset();
    c.reported.reset();
    c.meter.pause(now());
  }
}

// ---------------------------------------------------------------------------
// Steps

std::optional<std::string> ChargePoint::check_step(const Step& step) const {
  const std::int64_t n = connector_count();
  auto where = describe(step);
  switch (step.kind) {
    case StepKind::Start:
    case StepKind::Charge:
    case StepKind::Stop:
      if (step.connector < 1 || step.connector > n) {
        return fmt::format("{}: connector {} does not exist (1..{})", where, step.connector, n);
      }
      break;
    case StepKind::Status:
      if (step.connector < 0 || step.connector > n) {
        return fmt::format("{}: connector {} does not exist (0..{})", where, step.connector, n);
      }
      if (!valid_enum<ChargePointStatus>(step.status)) {
        return fmt::format("{}: \"{}\" is not a 1.6 ChargePointStatus", where, step.status);
      }
      if (!valid_enum<ChargePointErrorCode>(step.error_code)) {
        return fmt::format("{}: \"{}\" is not a 1.6 ChargePointErrorCode", where, step.error_code);
      }
      if (step.info && ocpp::utf8_length(*step.info) > 50) {
        return fmt::format("{}: info is longer than 50 characters", where);
      }
      break;
    default:
      break;
  }
  return check_step_fields<Reason, AuthorizationStatus, DataTransferStatus>(
      step, where, settings_.id_tag, 20, "1.6 stop Reason");
}

void ChargePoint::run_step(const Step& step, StepDone done) {
  if (auto problem = check_step(step)) return done(StepResult::failure(*problem));
  const int n = static_cast<int>(step.connector);
  switch (step.kind) {
    case StepKind::Authorize:
      return step_authorize(step, std::move(done));
    case StepKind::Start:
      return start_session(n, step.id_tag.value_or(settings_.id_tag), false, step.repeat,
                           step.expect, std::move(done));
    case StepKind::Charge:
      return charge_step(step, has_session(n), "connector", std::move(done));
    case StepKind::Stop: {
      Reason reason{};
      from_string(step.reason, reason);
      return stop_session(n, reason, step.repeat, std::move(done));
    }
    case StepKind::Status: {
      ChargePointStatus status{};
      ChargePointErrorCode error{};
      from_string(step.status, status);
      from_string(step.error_code, error);
      return set_status(n, status, error, step.info, status_step_reply(std::move(done)));
    }
    case StepKind::Heartbeat:
    case StepKind::DataTransfer:
      return step_simple_call(step, std::move(done));
    default:
      return done(StepResult::failure(describe(step) + ": not something a station does"));
  }
}

void ChargePoint::step_authorize(const Step& step, StepDone done) {
  if (!ready()) return done(StepResult::failure("offline: Authorize cannot be sent"));
  const std::string id_tag = step.id_tag.value_or(settings_.id_tag);
  OutgoingCall call = make_call(AuthorizeRequest{id_tag});
  call.on_reply = step_reply<AuthorizeResponse>(
      "Authorize", std::move(done),
      [this, id_tag, expect = step.expect](const AuthorizeResponse& resp) {
        if (config_.get_bool("AuthorizationCacheEnabled", true))
          auth_cache_[id_tag] = resp.idTagInfo;
        return expect_status("Authorize for " + id_tag, to_string(resp.idTagInfo.status), expect);
      });
  messenger_.call(std::move(call));
}

void ChargePoint::step_simple_call(const Step& step, StepDone done) {
  if (!ready()) {
    return done(StepResult::failure(fmt::format("offline: {} cannot be sent", describe(step))));
  }
  if (step.kind == StepKind::Heartbeat) {
    return messenger_.call(
        heartbeat_step_call<HeartbeatRequest, HeartbeatResponse>(std::move(done)));
  }
  DataTransferRequest req;
  req.vendorId = step.vendor_id;
  req.messageId = step.message_id;
  req.data = step.data;
  OutgoingCall call = make_call(req);
  call.on_reply = step_reply<DataTransferResponse>(
      "DataTransfer", std::move(done), [expect = step.expect](const DataTransferResponse& resp) {
        return expect_status("DataTransfer", to_string(resp.status), expect);
      });
  messenger_.call(std::move(call));
}

// ---------------------------------------------------------------------------
// Inspection

ChargePointStatus ChargePoint::status(int connector) const {
  return connectors_.at(static_cast<std::size_t>(connector)).status;
}

bool ChargePoint::has_session(int connector) const {
  return static_cast<bool>(connectors_.at(static_cast<std::size_t>(connector)).session);
}

std::optional<std::int64_t> ChargePoint::transaction_id(int connector) const {
  const auto& c = connectors_.at(static_cast<std::size_t>(connector));
  if (!c.session) return std::nullopt;
  return messenger_.queue().transaction_id(c.session->local_id);
}

double ChargePoint::energy_wh(int connector) const {
  return connectors_.at(static_cast<std::size_t>(connector)).meter.energy_wh(now());
}

}  // namespace simulator::v16
