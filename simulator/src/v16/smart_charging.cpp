// Smart Charging as a 1.6 charge point plays it: SetChargingProfile,
// ClearChargingProfile and GetCompositeSchedule on the version-neutral
// ProfileSet, whose limit drives each connector's meter.
#include <algorithm>
#include <chrono>

#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

simulator::ProfilePurpose purpose_of(ChargingProfilePurposeType p) {
  switch (p) {
    case ChargingProfilePurposeType::ChargePointMaxProfile:
      return simulator::ProfilePurpose::StationMax;
    case ChargingProfilePurposeType::TxDefaultProfile:
      return simulator::ProfilePurpose::TxDefault;
    case ChargingProfilePurposeType::TxProfile:
      return simulator::ProfilePurpose::Tx;
  }
  return simulator::ProfilePurpose::TxDefault;
}

RateUnit unit_of(ChargingRateUnitType u) {
  return u == ChargingRateUnitType::A ? RateUnit::A : RateUnit::W;
}

simulator::ChargingProfile neutral(const ocpp::v16::ChargingProfile& cp, int connector) {
  simulator::ChargingProfile p;
  p.id = cp.chargingProfileId;
  p.connector = connector;
  p.purpose = purpose_of(cp.chargingProfilePurpose);
  p.stack_level = static_cast<int>(cp.stackLevel);
  p.kind = cp.chargingProfileKind == ChargingProfileKindType::Recurring  ? ProfileKind::Recurring
           : cp.chargingProfileKind == ChargingProfileKindType::Relative ? ProfileKind::Relative
                                                                         : ProfileKind::Absolute;
  if (cp.recurrencyKind)
    p.recurrency =
        *cp.recurrencyKind == RecurrencyKindType::Daily ? Recurrency::Daily : Recurrency::Weekly;
  p.valid_from = cp.validFrom;
  p.valid_to = cp.validTo;
  if (cp.transactionId) p.transaction_id = std::to_string(*cp.transactionId);
  p.schedule.start = cp.chargingSchedule.startSchedule;
  p.schedule.duration_s = cp.chargingSchedule.duration;
  p.schedule.unit = unit_of(cp.chargingSchedule.chargingRateUnit);
  p.schedule.min_rate = cp.chargingSchedule.minChargingRate;
  for (const auto& period : cp.chargingSchedule.chargingSchedulePeriod) {
    SchedulePeriod sp;
    sp.start_s = period.startPeriod;
    sp.limit = period.limit;
    if (period.numberPhases) sp.phases = static_cast<int>(*period.numberPhases);
    p.schedule.periods.push_back(sp);
  }
  return p;
}

}  // namespace

Supply ChargePoint::supply() const {
  Supply s;
  s.voltage = Meter::kVoltage;
  s.phases = settings_.phases;  // the phases the meter measures on (1 by default)
  s.max_power_w = settings_.power_w;
  return s;
}

std::optional<TxInfo> ChargePoint::tx_info(int connector) const {
  const auto& c = connectors_.at(static_cast<std::size_t>(connector));
  if (!c.session) return std::nullopt;
  TxInfo info;
  auto id = messenger_.queue().transaction_id(c.session->local_id);
  if (id) info.id = std::to_string(*id);
  info.started = c.session->started_at;
  return info;
}

void ChargePoint::apply_charging_limits() {
  if (!limit_timer_) limit_timer_ = std::make_unique<Timer>(scheduler_);
  const auto wall = scheduler_.wall_now();
  std::optional<ocpp::DateTime> next;
  for (int n = 1; n <= connector_count(); ++n) {
    auto& c = connectors_[static_cast<std::size_t>(n)];
    const auto tx = tx_info(n);
    const double limit = charging_profiles_.limit_w(n, wall, tx, supply());
    const double power = c.car_draw_w ? *c.car_draw_w : std::min(settings_.power_w, limit);
    if (power != c.meter.configured_power_w()) {
      log_.info("connector {}: charging power {:.1f} W (charging profiles)", n, power);
      c.meter.set_power(now(), power);
    }
    auto change = charging_profiles_.next_change(wall, tx);
    if (change && (!next || *change < *next)) next = change;
  }
  if (!next) return limit_timer_->cancel();
  const auto delay = std::chrono::duration_cast<Duration>(
      std::chrono::microseconds(next->unix_micros() - wall.unix_micros()));
  limit_timer_->start(std::max(delay, Duration(1)), [this] { apply_charging_limits(); });
}

std::optional<double> ChargePoint::offered_power_w(int connector) const {
  if (connector < 1 || connector > connector_count()) return std::nullopt;
  const auto tx = tx_info(connector);
  if (!tx) return std::nullopt;
  return std::min(settings_.power_w,
                  charging_profiles_.limit_w(connector, scheduler_.wall_now(), tx, supply()));
}

void ChargePoint::set_drawn_power_w(int connector, std::optional<double> watts) {
  if (connector < 1 || connector > connector_count()) return;
  auto& c = connectors_[static_cast<std::size_t>(connector)];
  c.car_draw_w = watts;
  const double power =
      watts ? *watts : offered_power_w(connector).value_or(c.meter.configured_power_w());
  if (power != c.meter.configured_power_w()) c.meter.set_power(now(), power);
}

CallAnswer ChargePoint::on_set_charging_profile(const ocpp::Frame& call) {
  return answer<SetChargingProfileRequest>(call, [this](const auto& req) {
    Outcome<SetChargingProfileResponse> out{{ChargingProfileStatus::Rejected}, {}};
    const int connector = static_cast<int>(req.connectorId);
    std::optional<TxInfo> tx;
    if (connector >= 1 && connector <= connector_count()) tx = tx_info(connector);
    // The CSMS names the transaction by its id, which a session has once answered.
    auto problem = charging_profiles_.install(neutral(req.csChargingProfiles, connector),
                                              connector_count(), tx);
    if (problem) {
      log_.info("SetChargingProfile {} rejected: {}", req.csChargingProfiles.chargingProfileId,
                *problem);
      return out;
    }
    out.response.status = ChargingProfileStatus::Accepted;
    out.then = [this] { apply_charging_limits(); };
    return out;
  });
}

CallAnswer ChargePoint::on_clear_charging_profile(const ocpp::Frame& call) {
  return answer<ClearChargingProfileRequest>(call, [this](const auto& req) {
    ProfileFilter filter;
    filter.id = req.id;
    if (req.connectorId) filter.connector = static_cast<int>(*req.connectorId);
    if (req.chargingProfilePurpose) filter.purpose = purpose_of(*req.chargingProfilePurpose);
    if (req.stackLevel) filter.stack_level = static_cast<int>(*req.stackLevel);
    const bool cleared = charging_profiles_.clear(filter) > 0;
    Outcome<ClearChargingProfileResponse> out{
        {cleared ? ClearChargingProfileStatus::Accepted : ClearChargingProfileStatus::Unknown}, {}};
    if (cleared) out.then = [this] { apply_charging_limits(); };
    return out;
  });
}

CallAnswer ChargePoint::on_get_composite_schedule(const ocpp::Frame& call) {
  return answer<GetCompositeScheduleRequest>(call, [this](const auto& req) {
    Outcome<GetCompositeScheduleResponse> out{{GetCompositeScheduleStatus::Rejected}, {}};
    const int connector = static_cast<int>(req.connectorId);
    if (connector < 0 || connector > connector_count() || req.duration <= 0) return out;
    const std::int64_t now_us = scheduler_.wall_now().unix_micros();
    const auto start = ocpp::DateTime::from_unix_micros(now_us - now_us % 1000000);
    const RateUnit unit = unit_of(req.chargingRateUnit.value_or(ChargingRateUnitType::W));
    const auto composite =
        charging_profiles_.composite(connector, start, req.duration, unit,
                                     connector > 0 ? tx_info(connector) : std::nullopt, supply());
    out.response.status = GetCompositeScheduleStatus::Accepted;
    out.response.connectorId = connector;
    out.response.scheduleStart = composite.start;
    ocpp::v16::ChargingSchedule schedule;
    schedule.duration = composite.duration_s;
    schedule.startSchedule = composite.start;
    schedule.chargingRateUnit =
        unit == RateUnit::A ? ChargingRateUnitType::A : ChargingRateUnitType::W;
    for (const auto& p : composite.periods) {
      ChargingSchedulePeriod period;
      period.startPeriod = p.start_s;
      period.limit = p.limit;
      schedule.chargingSchedulePeriod.push_back(period);
    }
    out.response.chargingSchedule = std::move(schedule);
    return out;
  });
}

}  // namespace simulator::v16
