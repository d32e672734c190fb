#include "simulator/v201/charging_station.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "ocpp/common/utf8.hpp"
#include "ocpp/ocmf.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "station_steps.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

const ComponentRef kStationComponent{"ChargingStation"};

ComponentRef evse_component(int evse) {
  return {"EVSE", "", evse, 0};
}

ComponentRef connector_component(int evse) {
  return {"Connector", "", evse, 1};
}

/// The triggerReason an Ended event gives for a stoppedReason.
TriggerReasonEnumType stop_trigger(ReasonEnumType reason) {
  switch (reason) {
    case ReasonEnumType::Local:
    case ReasonEnumType::MasterPass:
      return TriggerReasonEnumType::StopAuthorized;
    case ReasonEnumType::Remote:
      return TriggerReasonEnumType::RemoteStop;
    case ReasonEnumType::EVDisconnected:
      return TriggerReasonEnumType::EVCommunicationLost;
    case ReasonEnumType::ImmediateReset:
    case ReasonEnumType::Reboot:
      return TriggerReasonEnumType::ResetCommand;
    case ReasonEnumType::DeAuthorized:
      return TriggerReasonEnumType::Deauthorized;
    case ReasonEnumType::EnergyLimitReached:
    case ReasonEnumType::SOCLimitReached:
      return TriggerReasonEnumType::EnergyLimitReached;
    case ReasonEnumType::TimeLimitReached:
      return TriggerReasonEnumType::TimeLimitReached;
    case ReasonEnumType::StoppedByEV:
      return TriggerReasonEnumType::ChargingStateChanged;
    case ReasonEnumType::Timeout:
      return TriggerReasonEnumType::EVConnectTimeout;
    default:
      return TriggerReasonEnumType::AbnormalCondition;
  }
}

double round_to(double value, double step) {
  return std::round(value / step) * step;
}

/// The Energy.Active.Import.Register reading among `values`, if any.
const SampledValueType* energy_reading(const std::vector<SampledValueType>& values) {
  for (const auto& v : values) {
    if (v.measurand == MeasurandEnumType::Energy_Active_Import_Register) return &v;
  }
  return nullptr;
}

}  // namespace

ChargingStation::ChargingStation(StationSettings settings, Link& link, Scheduler& scheduler,
                                 EventSink& events, Logger log)
    : StationCore(ocpp::Version::v201, std::move(settings), link, scheduler, events,
                  std::move(log)),
      display_messages_(*this,
                        [this](const std::string& id) {
                          for (int n = 1; n <= evse_count(); ++n) {
                            if (transaction_id(n) == id) return true;
                          }
                          return false;
                        }),
      certificates_(*this),
      model_(default_device_model(settings_)),
      idle_reset_timer_(scheduler) {
  display_messages_.add_handlers(block_handlers_);
  certificates_.add_handlers(block_handlers_);
  evses_.resize(static_cast<std::size_t>(std::max(0, settings_.connectors)) + 1);
  for (auto& e : evses_) {
    e.meter = Meter(settings_.power_w);
    e.meter.set_phases(settings_.phases);
  }
  charging_profiles_.set_quirks(settings_.quirks);
  // Transaction ids must not repeat when the simulator restarts: without a
  // seed, the clock makes each run's sequence its own.
  random_.seed(settings_.seed != 0
                   ? settings_.seed
                   : std::hash<std::string>{}(settings_.id) ^
                         static_cast<std::uint64_t>(scheduler_.wall_now().unix_micros()));
  watch_monitored_variables();
  for (int n = 1; n <= evse_count(); ++n) publish_availability(n);
}

// ---------------------------------------------------------------------------
// Boot and heartbeat

OutgoingCall ChargingStation::boot_request() const {
  BootNotificationRequest req;
  req.reason = boot_reason_;
  req.chargingStation.vendorName = settings_.vendor;
  req.chargingStation.model = settings_.model;
  req.chargingStation.serialNumber = settings_.serial_number;
  req.chargingStation.firmwareVersion = settings_.firmware_version;
  return make_call(req);
}

std::optional<StationCore::BootAnswer> ChargingStation::read_boot_answer(
    const rapidjson::Value& payload, std::string& error) const {
  auto resp = decode<BootNotificationResponse>(payload, error);
  if (!resp) return std::nullopt;
  return BootAnswer{std::string(to_string(resp->status)), resp->interval,
                    resp->status == RegistrationStatusEnumType::Accepted};
}

std::int64_t ChargingStation::heartbeat_interval_s() const {
  return model_.get_int("OCPPCommCtrlr", "HeartbeatInterval", 0);
}

void ChargingStation::adopt_heartbeat_interval(std::int64_t interval_s) {
  if (!model_.force({"OCPPCommCtrlr"}, "HeartbeatInterval", std::to_string(interval_s))) {
    log_.warn("boot interval {} s is outside HeartbeatInterval's limits; keeping {} s", interval_s,
              heartbeat_interval_s());
  }
}

void ChargingStation::send_heartbeat() {
  messenger_.call(make_call(HeartbeatRequest{}));
}

void ChargingStation::stop_activity() {
  idle_reset_timer_.cancel();
  for (auto& e : evses_) {
    if (e.tx) e.tx->sample_timer->cancel();
  }
}

// ---------------------------------------------------------------------------
// Status and availability

bool ChargingStation::operative(int evse) const {
  return station_operative_ && evses_[static_cast<std::size_t>(evse)].operative;
}

ConnectorStatusEnumType ChargingStation::idle_status(int evse) const {
  return operative(evse) ? ConnectorStatusEnumType::Available
                         : ConnectorStatusEnumType::Unavailable;
}

bool ChargingStation::any_transaction() const {
  return std::any_of(evses_.begin(), evses_.end(),
                     [](const Evse& e) { return e.tx != nullptr || e.starting; });
}

void ChargingStation::update_meter(int evse) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (e.tx && e.status == ConnectorStatusEnumType::Occupied) {
    e.meter.resume(now());
  } else {
    e.meter.pause(now());
  }
  model_.force(evse_component(evse), "Power", fmt::format("{:.1f}", e.meter.power_w()));
}

void ChargingStation::publish_availability(int evse) {
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  const std::string state(to_string(e.status));
  const char* available = operative(evse) ? "true" : "false";
  for (const auto& component : {evse_component(evse), connector_component(evse)}) {
    model_.force(component, "AvailabilityState", state);
    model_.force(component, "Available", available);
  }
  model_.force(kStationComponent, "AvailabilityState",
               station_operative_ ? "Available" : "Unavailable");
  model_.force(kStationComponent, "Available", station_operative_ ? "true" : "false");
}

void ChargingStation::set_status(int evse, ConnectorStatusEnumType status,
                                 std::function<void(const CallReply&)> on_reply) {
  evses_[static_cast<std::size_t>(evse)].status = status;
  update_meter(evse);
  publish_availability(evse);
  report_status(evse, std::move(on_reply));
  charging_state_changed(evse);
}

void ChargingStation::report_status(int evse, std::function<void(const CallReply&)> on_reply,
                                    bool triggered) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (!ready() && !(triggered && online()))
    return status_not_sent(on_reply);  // see report_statuses
  StatusNotificationRequest req;
  req.timestamp = scheduler_.wall_now();
  req.connectorStatus = e.status;
  req.evseId = evse;
  req.connectorId = 1;
  e.reported = e.status;
  OutgoingCall call = make_call(req);
  call.connector = evse;
  call.priority = triggered && !booted_;
  call.on_reply = [this, evse, epoch = epoch_,
                   on_reply = std::move(on_reply)](const CallReply& reply) {
    if (epoch == epoch_ && !reply.ok() && reply.kind != CallReply::Kind::Error) {
      evses_[static_cast<std::size_t>(evse)].reported.reset();
    }
    if (on_reply) on_reply(reply);
  };
  messenger_.call(std::move(call));
}

void ChargingStation::report_statuses(bool all) {
  for (int n = 1; n <= evse_count(); ++n) {
    const auto& e = evses_[static_cast<std::size_t>(n)];
    if (all || e.reported != e.status) report_status(n);
  }
}

void ChargingStation::refresh_availability(int evse) {
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  if (e.tx || e.starting) {
    publish_availability(evse);  // the connector stays Occupied until the session ends
  } else if (!operative(evse) && e.status != ConnectorStatusEnumType::Unavailable) {
    set_status(evse, ConnectorStatusEnumType::Unavailable);
  } else if (operative(evse) && e.status == ConnectorStatusEnumType::Unavailable) {
    set_status(evse, ConnectorStatusEnumType::Available);
  } else {
    publish_availability(evse);
  }
}

void ChargingStation::apply_availability(int evse, bool operative) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  e.operative = operative;
  e.scheduled_operative.reset();
  refresh_availability(evse);
}

void ChargingStation::apply_station_availability(bool operative) {
  station_operative_ = operative;
  station_scheduled_operative_.reset();
  for (int n = 1; n <= evse_count(); ++n) refresh_availability(n);
}

// ---------------------------------------------------------------------------
// Authorization

IdTokenType ChargingStation::id_token(const std::string& text) {
  IdTokenType token;
  token.idToken = text;
  token.type = IdTokenEnumType::ISO14443;
  return token;
}

bool ChargingStation::token_cached(const std::string& token) const {
  if (!model_.get_bool("AuthCacheCtrlr", "Enabled", true)) return false;
  auto it = auth_cache_.find(token);
  if (it == auth_cache_.end() || it->second.status != AuthorizationStatusEnumType::Accepted) {
    return false;
  }
  return !it->second.cacheExpiryDateTime || scheduler_.wall_now() < *it->second.cacheExpiryDateTime;
}

void ChargingStation::remember(const IdTokenType& token, const IdTokenInfoType& info) {
  if (model_.get_bool("AuthCacheCtrlr", "Enabled", true)) auth_cache_[token.idToken] = info;
}

void ChargingStation::authorize(const IdTokenType& token, bool remote,
                                std::function<void(AuthOutcome, std::string)> done) {
  const bool needed = remote ? model_.get_bool("AuthCtrlr", "AuthorizeRemoteStart", false)
                             : model_.get_bool("AuthCtrlr", "Enabled", true);
  if (!needed) return done(AuthOutcome::Accepted, "");
  if (model_.get_bool("AuthCtrlr", "LocalPreAuthorize", false) && token_cached(token.idToken)) {
    log_.debug("{} accepted from the authorization cache", token.idToken);
    return done(AuthOutcome::Accepted, "");
  }
  if (local_entry(token.idToken) && model_.get_bool("AuthCtrlr", "LocalPreAuthorize", false) &&
      local_list_.accepts(token.idToken, scheduler_.wall_now())) {
    log_.debug("{} accepted from the local authorization list", token.idToken);
    return done(AuthOutcome::Accepted, "");
  }
  auto offline_rules = [this, token, done] {
    // The local list decides for the tokens it holds (LocalAuthListCtrlr).
    if (const LocalAuthEntry* e = local_entry(token.idToken);
        e && model_.get_bool("AuthCtrlr", "LocalAuthorizeOffline", true)) {
      if (local_list_.accepts(token.idToken, scheduler_.wall_now()))
        return done(AuthOutcome::Accepted, "");
      return done(AuthOutcome::Refused, e->status == "Accepted" ? "Expired" : e->status);
    }
    if (model_.get_bool("AuthCtrlr", "LocalAuthorizeOffline", true) &&
        token_cached(token.idToken)) {
      return done(AuthOutcome::Accepted, "");
    }
    if (model_.get_bool("AuthCtrlr", "OfflineTxForUnknownIdEnabled", false)) {
      log_.info("offline: starting for unknown idToken {} (OfflineTxForUnknownIdEnabled)",
                token.idToken);
      return done(AuthOutcome::Accepted, "");
    }
    done(AuthOutcome::NoAnswer,
         "offline and " + token.idToken + " is not in the authorization cache");
  };
  if (!ready()) return offline_rules();

  AuthorizeRequest req;
  req.idToken = token;
  OutgoingCall call = make_call(req);
  call.on_reply = [this, token, done, offline_rules, epoch = epoch_](const CallReply& reply) {
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
    remember(token, resp->idTokenInfo);
    if (resp->idTokenInfo.status == AuthorizationStatusEnumType::Accepted) {
      return done(AuthOutcome::Accepted, "");
    }
    done(AuthOutcome::Refused, std::string(to_string(resp->idTokenInfo.status)));
  };
  messenger_.call(std::move(call));
}

// ---------------------------------------------------------------------------
// Transactions

std::string ChargingStation::new_transaction_id() {
  // A version 4 UUID (36 characters, transactionId's maximum).
  std::uint64_t hi = random_();
  std::uint64_t lo = random_();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

void ChargingStation::start_transaction(int evse, StartRequest request, StepDone done) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (e.tx || e.starting) {
    return done(StepResult::failure(fmt::format("EVSE {} is busy", evse)));
  }
  if (reset_scheduled_ || rebooting()) {
    return done(StepResult::failure("no start: the station is about to reset"));
  }
  if (!operative(evse) || (e.status != ConnectorStatusEnumType::Available &&
                           e.status != ConnectorStatusEnumType::Occupied &&
                           e.status != ConnectorStatusEnumType::Reserved)) {
    return done(StepResult::failure(
        fmt::format("EVSE {} is {}", evse,
                    operative(evse) ? to_string(e.status) : std::string_view("inoperative"))));
  }
  if (!reservations_.may_start(evse, request.id_token.idToken,
                               group_of(request.id_token.idToken))) {
    return done(StepResult::failure(fmt::format("EVSE {} is reserved for another token", evse)));
  }
  e.starting = true;
  const IdTokenType token = request.id_token;
  const bool remote = request.remote_start_id.has_value();
  authorize(
      token, remote,
      [this, evse, request = std::move(request), done, epoch = epoch_](AuthOutcome outcome,
                                                                       std::string detail) {
        evses_[static_cast<std::size_t>(evse)].starting = false;
        if (epoch != epoch_ || shutting_down_ || rebooting()) {
          return done(StepResult::failure("no start: the station is resetting"));
        }
        if (outcome == AuthOutcome::Accepted) return begin_transaction(evse, request, done);
        start_abandoned(evse);
        if (outcome == AuthOutcome::NoAnswer) return done(StepResult::failure(detail));
        if (detail == request.expect) return done(StepResult::success());
        done(StepResult::failure(fmt::format("Authorize for {} answered {}, not {}",
                                             request.id_token.idToken, detail, request.expect)));
      });
}

void ChargingStation::start_abandoned(int evse) {
  // What waited for this EVSE to be free (ChangeAvailability, Reset OnIdle) need not wait.
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (e.scheduled_operative) apply_availability(evse, *e.scheduled_operative);
  transaction_ended();
}

void ChargingStation::begin_transaction(int evse, const StartRequest& request, StepDone done) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  const auto reservation_id = use_reservation(evse, request.id_token.idToken);
  auto tx = std::make_unique<Transaction>();
  tx->local_id = messenger_.queue().new_session();
  tx->id = new_transaction_id();
  tx->id_token = request.id_token;
  tx->remote_start_id = request.remote_start_id;
  tx->charging = true;  // the Started event says so: no ChargingStateChanged for it
  tx->sample_timer = std::make_unique<Timer>(scheduler_);
  e.meter.attach_ev(now(), settings_.ev_start_soc, settings_.ev_capacity_wh);
  e.tx = std::move(tx);
  Transaction& t = *e.tx;
  log_.info("EVSE {}: starting transaction {} for {} at {} Wh", evse, t.id, t.id_token.idToken,
            e.meter.energy_wh_int(now()));

  // The EV is plugged in and authorized: Occupied, and power flows from now.
  set_status(evse, ConnectorStatusEnumType::Occupied);
  wait_for_answers(start_waiters_, t.local_id, std::move(done), request.repeat, request.expect);
  auto event = transaction_event(
      evse, TransactionEventEnumType::Started,
      t.remote_start_id ? TriggerReasonEnumType::RemoteStart : TriggerReasonEnumType::Authorized,
      ReadingContextEnumType::Transaction_Begin, "TxStartedMeasurands");
  event.idToken = t.id_token;
  event.transactionInfo.remoteStartId = t.remote_start_id;
  event.reservationId = reservation_id;
  sign_reading(evse, event, SignedMeter::Kind::Begin, ReadingContextEnumType::Transaction_Begin);
  send_transaction_event(evse, event, request.repeat);
  charging_transaction_began(evse);  // profiles for the new transaction apply from its start
  schedule_sample(evse);
}

TransactionEventRequest ChargingStation::transaction_event(int evse, TransactionEventEnumType type,
                                                           TriggerReasonEnumType trigger,
                                                           ReadingContextEnumType context,
                                                           const char* measurands) {
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  TransactionEventRequest event;
  event.eventType = type;
  event.timestamp = scheduler_.wall_now();
  event.triggerReason = trigger;
  if (!online()) event.offline = true;
  event.transactionInfo.transactionId = e.tx->id;
  if (type != TransactionEventEnumType::Ended) {
    event.transactionInfo.chargingState =
        e.meter.flowing() ? ChargingStateEnumType::Charging : ChargingStateEnumType::SuspendedEVSE;
  }
  EVSEType where;
  where.id = evse;
  where.connectorId = 1;
  event.evse = where;
  auto values = sample(evse, context, measurands);
  if (!values.empty()) {
    MeterValueType reading;
    reading.timestamp = event.timestamp;
    reading.sampledValue = std::move(values);
    event.meterValue = std::vector<MeterValueType>{std::move(reading)};
  }
  return event;
}

void ChargingStation::send_transaction_event(int evse, TransactionEventRequest event, int repeat) {
  Transaction& t = *evses_[static_cast<std::size_t>(evse)].tx;
  // One seqNo per message created; a repeat is the identical message again.
  event.seqNo = t.next_seq_no++;
  if (event.transactionInfo.chargingState) {
    t.charging = *event.transactionInfo.chargingState == ChargingStateEnumType::Charging;
  }
  OutgoingCall call = make_call(event);
  call.transactional = true;
  call.session = t.local_id;
  call.connector = evse;
  for (int i = 1; i < repeat; ++i) messenger_.call(call);
  messenger_.call(std::move(call));
}

void ChargingStation::stop_transaction(int evse, ReasonEnumType reason,
                                       TriggerReasonEnumType trigger, int repeat, StepDone done) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (!e.tx) {
    if (done) done(StepResult::failure(fmt::format("no transaction on EVSE {}", evse)));
    return;
  }
  e.tx->sample_timer->cancel();
  e.meter.pause(now());
  auto event = transaction_event(evse, TransactionEventEnumType::Ended, trigger,
                                 ReadingContextEnumType::Transaction_End, "TxEndedMeasurands");
  // The final register reading goes in whatever TxEndedMeasurands says.
  energy_sample(evse, event, ReadingContextEnumType::Transaction_End);
  sign_reading(evse, event, SignedMeter::Kind::End, ReadingContextEnumType::Transaction_End);
  event.transactionInfo.stoppedReason = reason;
  if (trigger == TriggerReasonEnumType::StopAuthorized) event.idToken = e.tx->id_token;
  log_.info("EVSE {}: ending transaction {} at {} Wh ({})", evse, e.tx->id,
            e.meter.energy_wh_int(now()), to_string(reason));
  wait_for_answers(stop_waiters_, e.tx->local_id, std::move(done), repeat);
  send_transaction_event(evse, std::move(event), repeat);
  e.tx.reset();
  e.meter.detach_ev();
  // The cable comes out at once; an availability change waiting for the end of
  // the transaction applies now.
  if (e.scheduled_operative) {
    e.operative = *e.scheduled_operative;
    e.scheduled_operative.reset();
  }
  set_status(evse, idle_status(evse));
  charging_transaction_ended(evse);
  transaction_ended();
}

void ChargingStation::transaction_ended() {
  if (any_transaction()) return;
  if (station_scheduled_operative_) apply_station_availability(*station_scheduled_operative_);
  if (reset_scheduled_) {
    // Not from inside the stop that ended the last transaction: its caller
    // still has work to do.
    idle_reset_timer_.start(Duration::zero(), [this] { reset_now("OnIdle"); });
  }
}

void ChargingStation::reset_now(const std::string& type) {
  reset_scheduled_ = false;
  idle_reset_timer_.cancel();
  boot_reason_ = BootReasonEnumType::RemoteReset;
  reboot(type, [this] {
    for (int n = 1; n <= evse_count(); ++n) {
      if (evses_[static_cast<std::size_t>(n)].tx) {
        stop_transaction(n, ReasonEnumType::ImmediateReset, TriggerReasonEnumType::ResetCommand, 1,
                         {});
      }
    }
  });
}

void ChargingStation::select_network_profile() {
  // The first slot of NetworkConfigurationPriority with connection data; slot 1
  // without data is the command line's endpoint.
  for (const std::string& slot : model_.get_list("OCPPCommCtrlr", "NetworkConfigurationPriority")) {
    const auto it = monitoring_.network_profiles.find(std::strtoll(slot.c_str(), nullptr, 10));
    if (it == monitoring_.network_profiles.end()) {
      if (slot == "1") return;  // the current endpoint stays
      continue;
    }
    const auto& data = it->second;
    const int profile = static_cast<int>(data.securityProfile);
    if (data.ocppCsmsUrl == link_.url() && profile == credentials_.profile) return;
    std::string error;
    if (!switch_endpoint(data.ocppCsmsUrl, profile, error)) {
      log_.warn("network profile {}: {}", slot, error);
      continue;
    }
    events_.emit(Event("network_profile_selected")
                     .add("slot", slot)
                     .add("url", link_.url())
                     .add("profile", profile));
    return;
  }
}

void ChargingStation::security_profile_changed(int profile) {
  model_.force(ComponentRef{"SecurityCtrlr"}, "SecurityProfile", std::to_string(profile));
}

void ChargingStation::reset_state() {
  // A reset is when a new NetworkConfigurationPriority takes effect (B09).
  select_network_profile();
  for (int n = 1; n <= evse_count(); ++n) {
    auto& e = evses_[static_cast<std::size_t>(n)];
    e.starting = false;
    e.status = idle_status(n);
    e.reported.reset();
    e.meter.pause(now());
    publish_availability(n);
  }
}

void ChargingStation::schedule_sample(int evse) {
  auto& e = evses_[static_cast<std::size_t>(evse)];
  if (!e.tx) return;
  const std::int64_t interval = model_.get_int("SampledDataCtrlr", "TxUpdatedInterval", 0);
  if (interval <= 0 || shutting_down_) {
    e.tx->sample_timer->cancel();
    return;
  }
  e.tx->sample_timer->start(std::chrono::seconds(interval), [this, evse] {
    send_periodic_update(evse);
    schedule_sample(evse);
  });
}

void ChargingStation::send_periodic_update(int evse) {
  if (!evses_[static_cast<std::size_t>(evse)].tx) return;
  auto event = transaction_event(evse, TransactionEventEnumType::Updated,
                                 TriggerReasonEnumType::MeterValuePeriodic,
                                 ReadingContextEnumType::Sample_Periodic, "TxUpdatedMeasurands");
  if (!event.meterValue) return;  // nothing to sample: nothing to say
  sign_reading(evse, event, SignedMeter::Kind::Periodic, ReadingContextEnumType::Sample_Periodic);
  send_transaction_event(evse, std::move(event));
}

SampledValueType& ChargingStation::energy_sample(int evse, TransactionEventRequest& event,
                                                 ReadingContextEnumType context) const {
  if (!event.meterValue) {
    MeterValueType reading;
    reading.timestamp = event.timestamp;
    event.meterValue = std::vector<MeterValueType>{std::move(reading)};
  }
  auto& values = event.meterValue->front().sampledValue;
  for (auto& v : values) {
    if (v.measurand == MeasurandEnumType::Energy_Active_Import_Register) return v;
  }
  SampledValueType energy;
  energy.value =
      static_cast<double>(evses_[static_cast<std::size_t>(evse)].meter.energy_wh_int(now()));
  energy.context = context;
  energy.measurand = MeasurandEnumType::Energy_Active_Import_Register;
  energy.unitOfMeasure = UnitOfMeasureType{};
  energy.unitOfMeasure->unit = "Wh";
  return *values.insert(values.begin(), std::move(energy));
}

void ChargingStation::sign_reading(int evse, TransactionEventRequest& event, SignedMeter::Kind kind,
                                   ReadingContextEnumType context) {
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  if (!signed_meter_ || !e.tx) return;
  SampledValueType& energy = energy_sample(evse, event, context);
  const std::string document =
      signed_meter_->reading(evse, e.tx->id_token.idToken, event.meterValue->front().timestamp,
                             kind, static_cast<std::int64_t>(std::llround(energy.value)));
  SignedMeterValueType signed_value;
  signed_value.signedMeterData = ocpp::ocmf::base64_encode(document);
  signed_value.signingMethod = SignedMeter::kSigningMethod;
  signed_value.encodingMethod = "OCMF";
  signed_value.publicKey = signed_meter_->public_key_base64();
  energy.signedMeterValue = std::move(signed_value);
}

void ChargingStation::charging_state_changed(int evse) {
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  if (!e.tx || e.tx->charging == e.meter.flowing()) return;
  send_transaction_event(evse, transaction_event(evse, TransactionEventEnumType::Updated,
                                                 TriggerReasonEnumType::ChargingStateChanged,
                                                 ReadingContextEnumType::Other, nullptr));
}

std::vector<SampledValueType> ChargingStation::sample(int evse, ReadingContextEnumType context,
                                                      const char* measurands) const {
  std::vector<SampledValueType> out;
  if (measurands == nullptr) return out;
  const auto& e = evses_[static_cast<std::size_t>(evse)];
  const auto t = now();
  for (const auto& name : model_.get_list("SampledDataCtrlr", measurands)) {
    MeasurandEnumType m{};
    if (!from_string(name, m)) continue;
    SampledValueType v;
    v.context = context;
    v.measurand = m;
    std::string unit;
    switch (m) {
      case MeasurandEnumType::Energy_Active_Import_Register:
        v.value = static_cast<double>(e.meter.energy_wh_int(t));
        unit = "Wh";
        break;
      case MeasurandEnumType::Power_Active_Import:
        v.value = round_to(e.meter.power_w(), 0.1);
        unit = "W";
        break;
      case MeasurandEnumType::Current_Import:
        v.value = round_to(e.meter.current_a(), 0.01);
        unit = "A";
        break;
      case MeasurandEnumType::Voltage:
        v.value = Meter::kVoltage;
        unit = "V";
        break;
      case MeasurandEnumType::SoC: {
        auto soc = e.meter.soc_percent(t);
        if (!soc) continue;
        v.value = round_to(*soc, 0.1);
        unit = "Percent";
        v.location = LocationEnumType::EV;
        break;
      }
      default:
        continue;
    }
    v.unitOfMeasure = UnitOfMeasureType{};
    v.unitOfMeasure->unit = unit;
    out.push_back(std::move(v));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Replies to transaction messages

void ChargingStation::on_transaction_reply(const OutgoingCall& call, const CallReply& reply) {
  if (call.action != TransactionEventRequest::kAction) return;
  auto req = decode_text<TransactionEventRequest>(call.payload);
  if (!req) return;  // ours, so always decodable
  switch (req->eventType) {
    case TransactionEventEnumType::Started:
      return on_started_reply(call, *req, reply);
    case TransactionEventEnumType::Ended:
      return on_ended_reply(call, *req, reply);
    case TransactionEventEnumType::Updated:
      break;
  }
  if (!reply.ok()) {
    emit_error(fmt::format("TransactionEvent Updated of {} {}", req->transactionInfo.transactionId,
                           describe_failure(reply)));
    return;
  }
  std::string error;
  auto resp = decode<TransactionEventResponse>(*reply.result, error);
  if (!resp) return emit_error("invalid TransactionEvent response: " + error);
  check_token_info(call, *req, *resp);
}

void ChargingStation::on_started_reply(const OutgoingCall& call, const TransactionEventRequest& req,
                                       const CallReply& reply) {
  const std::string expect = expected_start_status(call.session);
  if (!transaction_answered(start_waiters_, call, reply, "TransactionEvent Started", "EVSE")) {
    return;
  }
  std::string error;
  auto resp = decode<TransactionEventResponse>(*reply.result, error);
  if (!resp) return transaction_answer_invalid(start_waiters_, call, "TransactionEvent", error);
  const std::string token = req.idToken ? req.idToken->idToken : std::string();
  // No idTokenInfo: the CSMS had nothing to object to the authorization.
  const std::string status(resp->idTokenInfo ? to_string(resp->idTokenInfo->status)
                                             : std::string_view("Accepted"));
  if (start_reported_.insert(call.session).second) {
    Event e("transaction_started");
    e.add("evseId", call.connector)
        .add("connectorId", 1)
        .add("transactionId", req.transactionInfo.transactionId)
        .add("idToken", token);
    if (resp->idTokenInfo) e.add("idTokenStatus", status);
    if (req.transactionInfo.remoteStartId) {
      e.add("remoteStartId", *req.transactionInfo.remoteStartId);
    }
    events_.emit(e);
  }
  finish_waiter(start_waiters_, call.session,
                status == expect ? StepResult::success()
                                 : StepResult::failure(fmt::format(
                                       "TransactionEvent Started for {} answered {}, not {}", token,
                                       status, expect)));
  check_token_info(call, req, *resp);
}

void ChargingStation::check_token_info(const OutgoingCall& call, const TransactionEventRequest& req,
                                       const TransactionEventResponse& resp) {
  if (!resp.idTokenInfo || !req.idToken) return;
  remember(*req.idToken, *resp.idTokenInfo);
  if (resp.idTokenInfo->status == AuthorizationStatusEnumType::Accepted ||
      !model_.get_bool("TxCtrlr", "StopTxOnInvalidId", true)) {
    return;
  }
  for (int n = 1; n <= evse_count(); ++n) {
    const auto& e = evses_[static_cast<std::size_t>(n)];
    if (e.tx && e.tx->local_id == call.session) {
      log_.info("EVSE {}: idToken {} is {}; ending the transaction", n, req.idToken->idToken,
                to_string(resp.idTokenInfo->status));
      stop_transaction(n, ReasonEnumType::DeAuthorized, TriggerReasonEnumType::Deauthorized, 1, {});
    }
  }
}

void ChargingStation::on_ended_reply(const OutgoingCall& call, const TransactionEventRequest& req,
                                     const CallReply& reply) {
  // TransactionEvents never wait for a CSMS id, so are never Unsendable.
  if (!transaction_answered(stop_waiters_, call, reply, "TransactionEvent Ended", "EVSE")) return;
  std::string error;
  auto resp = decode<TransactionEventResponse>(*reply.result, error);
  if (!resp) return transaction_answer_invalid(stop_waiters_, call, "TransactionEvent", error);
  if (resp->idTokenInfo && req.idToken) remember(*req.idToken, *resp->idTokenInfo);
  if (stop_reported_.insert(call.session).second) {
    Event e("transaction_stopped");
    e.add("evseId", call.connector)
        .add("connectorId", 1)
        .add("transactionId", req.transactionInfo.transactionId);
    if (req.meterValue) {
      if (const auto* energy = energy_reading(req.meterValue->front().sampledValue)) {
        e.add("meterStop", static_cast<std::int64_t>(std::llround(energy->value)));
      }
    }
    if (req.transactionInfo.stoppedReason) {
      e.add("reason", to_string(*req.transactionInfo.stoppedReason));
    }
    e.add("triggerReason", to_string(req.triggerReason));
    events_.emit(e);
  }
  finish_waiter(stop_waiters_, call.session, StepResult::success());
}

std::size_t ChargingStation::queued_events(const std::optional<std::string>& transaction_id) const {
  const CallQueue& queue = messenger_.queue();
  std::size_t n = 0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const OutgoingCall& call = queue.at(i);
    if (!call.transactional || call.action != TransactionEventRequest::kAction) continue;
    if (!transaction_id) {
      ++n;
      continue;
    }
    // Read from the payload: entries may come from a queue file of an earlier run.
    auto req = decode_text<TransactionEventRequest>(call.payload);
    if (req && req->transactionInfo.transactionId == *transaction_id) ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Steps

std::optional<std::string> ChargingStation::check_step(const Step& step) const {
  const std::int64_t n = evse_count();
  auto where = describe(step);
  switch (step.kind) {
    case StepKind::Start:
    case StepKind::Charge:
    case StepKind::Stop:
    case StepKind::Status:
      if (step.connector < 1 || step.connector > n) {
        return fmt::format("{}: EVSE {} does not exist (connector means the EVSE id, 1..{})", where,
                           step.connector, n);
      }
      break;
    default:
      break;
  }
  if (step.kind == StepKind::Status) {
    if (!valid_enum<ConnectorStatusEnumType>(step.status)) {
      return fmt::format("{}: \"{}\" is not a 2.0.1 ConnectorStatus", where, step.status);
    }
    if (step.error_code != "NoError") {
      return fmt::format("{}: errorCode is OCPP 1.6 only (2.0.1 StatusNotification has none)",
                         where);
    }
    if (step.info) return fmt::format("{}: info is OCPP 1.6 only", where);
  }
  return check_step_fields<ReasonEnumType, AuthorizationStatusEnumType, DataTransferStatusEnumType>(
      step, where, settings_.id_tag, 36, "2.0.1 stoppedReason");
}

void ChargingStation::run_step(const Step& step, StepDone done) {
  if (auto problem = check_step(step)) return done(StepResult::failure(*problem));
  const int n = static_cast<int>(step.connector);
  switch (step.kind) {
    case StepKind::Authorize:
      return step_authorize(step, std::move(done));
    case StepKind::Start: {
      StartRequest request;
      request.id_token = id_token(step.id_tag.value_or(settings_.id_tag));
      request.repeat = step.repeat;
      request.expect = step.expect.value_or("Accepted");
      return start_transaction(n, std::move(request), std::move(done));
    }
    case StepKind::Charge:
      return charge_step(step, has_transaction(n), "EVSE", std::move(done));
    case StepKind::Stop: {
      ReasonEnumType reason{};
      from_string(step.reason, reason);
      return stop_transaction(n, reason, stop_trigger(reason), step.repeat, std::move(done));
    }
    case StepKind::Status: {
      ConnectorStatusEnumType status{};
      from_string(step.status, status);
      return set_status(n, status, status_step_reply(std::move(done)));
    }
    case StepKind::Heartbeat:
    case StepKind::DataTransfer:
      return step_simple_call(step, std::move(done));
    default:
      return done(StepResult::failure(describe(step) + ": not something a station does"));
  }
}

void ChargingStation::step_authorize(const Step& step, StepDone done) {
  if (!ready()) return done(StepResult::failure("offline: Authorize cannot be sent"));
  AuthorizeRequest req;
  req.idToken = id_token(step.id_tag.value_or(settings_.id_tag));
  OutgoingCall call = make_call(req);
  call.on_reply = step_reply<AuthorizeResponse>(
      "Authorize", std::move(done),
      [this, token = req.idToken, expect = step.expect](const AuthorizeResponse& resp) {
        remember(token, resp.idTokenInfo);
        return expect_status("Authorize for " + token.idToken, to_string(resp.idTokenInfo.status),
                             expect);
      });
  messenger_.call(std::move(call));
}

void ChargingStation::step_simple_call(const Step& step, StepDone done) {
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
  // 2.0.1 data is any JSON; a scenario's string goes as a JSON string.
  if (step.data) req.data = ocpp::json_string(*step.data);
  OutgoingCall call = make_call(req);
  call.on_reply = step_reply<DataTransferResponse>(
      "DataTransfer", std::move(done), [expect = step.expect](const DataTransferResponse& resp) {
        return expect_status("DataTransfer", to_string(resp.status), expect);
      });
  messenger_.call(std::move(call));
}

// ---------------------------------------------------------------------------
// Inspection

ConnectorStatusEnumType ChargingStation::status(int evse) const {
  return evses_.at(static_cast<std::size_t>(evse)).status;
}

bool ChargingStation::has_transaction(int evse) const {
  return evses_.at(static_cast<std::size_t>(evse)).tx != nullptr;
}

std::optional<std::string> ChargingStation::transaction_id(int evse) const {
  const auto& e = evses_.at(static_cast<std::size_t>(evse));
  if (!e.tx) return std::nullopt;
  return e.tx->id;
}

double ChargingStation::energy_wh(int evse) const {
  return evses_.at(static_cast<std::size_t>(evse)).meter.energy_wh(now());
}

}  // namespace simulator::v201
