// Smart charging as a 2.0.1 charging station plays it: SetChargingProfile,
// ClearChargingProfile, GetCompositeSchedule and GetChargingProfiles (answered
// with ReportChargingProfiles, one message per EVSE, tbc on all but the last)
// on the version-neutral ProfileSet, whose limit drives each EVSE's meter.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

simulator::ProfilePurpose purpose_of(ChargingProfilePurposeEnumType p) {
  switch (p) {
    case ChargingProfilePurposeEnumType::ChargingStationMaxProfile:
      return simulator::ProfilePurpose::StationMax;
    case ChargingProfilePurposeEnumType::ChargingStationExternalConstraints:
      return simulator::ProfilePurpose::External;
    case ChargingProfilePurposeEnumType::TxDefaultProfile:
      return simulator::ProfilePurpose::TxDefault;
    case ChargingProfilePurposeEnumType::TxProfile:
      return simulator::ProfilePurpose::Tx;
  }
  return simulator::ProfilePurpose::TxDefault;
}

RateUnit unit_of(ChargingRateUnitEnumType u) {
  return u == ChargingRateUnitEnumType::A ? RateUnit::A : RateUnit::W;
}

// The profile with its first schedule (this station uses one schedule per profile).
simulator::ChargingProfile neutral(const ChargingProfileType& cp, int evse) {
  simulator::ChargingProfile p;
  p.id = cp.id;
  p.connector = evse;
  p.purpose = purpose_of(cp.chargingProfilePurpose);
  p.stack_level = static_cast<int>(cp.stackLevel);
  p.kind = cp.chargingProfileKind == ChargingProfileKindEnumType::Recurring ? ProfileKind::Recurring
           : cp.chargingProfileKind == ChargingProfileKindEnumType::Relative
               ? ProfileKind::Relative
               : ProfileKind::Absolute;
  if (cp.recurrencyKind)
    p.recurrency = *cp.recurrencyKind == RecurrencyKindEnumType::Daily ? Recurrency::Daily
                                                                       : Recurrency::Weekly;
  p.valid_from = cp.validFrom;
  p.valid_to = cp.validTo;
  p.transaction_id = cp.transactionId;
  if (cp.chargingSchedule.empty()) return p;
  const auto& s = cp.chargingSchedule.front();
  p.schedule.start = s.startSchedule;
  p.schedule.duration_s = s.duration;
  p.schedule.unit = unit_of(s.chargingRateUnit);
  p.schedule.min_rate = s.minChargingRate;
  for (const auto& period : s.chargingSchedulePeriod) {
    SchedulePeriod sp;
    sp.start_s = period.startPeriod;
    sp.limit = period.limit;
    if (period.numberPhases) sp.phases = static_cast<int>(*period.numberPhases);
    p.schedule.periods.push_back(sp);
  }
  return p;
}

}  // namespace

Supply ChargingStation::supply() const {
  Supply s;
  s.voltage = Meter::kVoltage;
  s.phases = settings_.phases;  // the phases the meter measures on (1 by default)
  s.max_power_w = settings_.power_w;
  return s;
}

std::optional<TxInfo> ChargingStation::tx_info(int evse) const {
  const auto& e = evses_.at(static_cast<std::size_t>(evse));
  if (!e.tx) return std::nullopt;
  TxInfo info;
  info.id = e.tx->id;
  auto started = tx_started_.find(evse);
  info.started = started != tx_started_.end() ? started->second : scheduler_.wall_now();
  return info;
}

void ChargingStation::charging_transaction_began(int evse) {
  tx_started_[evse] = scheduler_.wall_now();
  apply_charging_limits();
}

void ChargingStation::charging_transaction_ended(int evse) {
  tx_started_.erase(evse);
  charging_profiles_.transaction_ended(evse);  // a TxProfile ends with its transaction
  prune_wire_profiles();
  apply_charging_limits();
}

void ChargingStation::prune_wire_profiles() {
  for (auto it = wire_profiles_.begin(); it != wire_profiles_.end();) {
    const auto& installed = charging_profiles_.profiles();
    const bool kept =
        std::any_of(installed.begin(), installed.end(),
                    [&](const simulator::ChargingProfile& p) { return p.id == it->first; });
    it = kept ? std::next(it) : wire_profiles_.erase(it);
  }
}

void ChargingStation::apply_charging_limits() {
  if (!limit_timer_) limit_timer_ = std::make_unique<Timer>(scheduler_);
  const auto wall = scheduler_.wall_now();
  std::optional<ocpp::DateTime> next;
  for (int n = 1; n <= evse_count(); ++n) {
    auto& e = evses_[static_cast<std::size_t>(n)];
    const auto tx = tx_info(n);
    const double power = e.car_draw_w ? *e.car_draw_w
                                      : std::min(settings_.power_w,
                                                 charging_profiles_.limit_w(n, wall, tx, supply()));
    if (power != e.meter.configured_power_w()) {
      log_.info("EVSE {}: charging power {:.1f} W (charging profiles)", n, power);
      e.meter.set_power(now(), power);
      update_meter(n);  // the device model's Power follows
    }
    auto change = charging_profiles_.next_change(wall, tx);
    if (change && (!next || *change < *next)) next = change;
  }
  if (!next) return limit_timer_->cancel();
  const auto delay = std::chrono::duration_cast<Duration>(
      std::chrono::microseconds(next->unix_micros() - wall.unix_micros()));
  limit_timer_->start(std::max(delay, Duration(1)), [this] { apply_charging_limits(); });
}

std::optional<double> ChargingStation::offered_power_w(int evse) const {
  if (evse < 1 || evse > evse_count()) return std::nullopt;
  const auto tx = tx_info(evse);
  if (!tx) return std::nullopt;
  return std::min(settings_.power_w,
                  charging_profiles_.limit_w(evse, scheduler_.wall_now(), tx, supply()));
}

void ChargingStation::set_drawn_power_w(int evse, std::optional<double> watts) {
  if (evse < 1 || evse > evse_count()) return;
  auto& e = evses_[static_cast<std::size_t>(evse)];
  e.car_draw_w = watts;
  const double power =
      watts ? *watts : offered_power_w(evse).value_or(e.meter.configured_power_w());
  if (power == e.meter.configured_power_w()) return;
  e.meter.set_power(now(), power);
  update_meter(evse);  // the device model's Power follows
}

CallAnswer ChargingStation::on_set_charging_profile(const ocpp::Frame& call) {
  return answer<SetChargingProfileRequest>(call, [this](const auto& req) {
    Outcome<SetChargingProfileResponse> out{{}, {}};
    out.response.status = ChargingProfileStatusEnumType::Rejected;
    const int evse = static_cast<int>(req.evseId);
    std::optional<TxInfo> tx;
    if (evse >= 1 && evse <= evse_count()) tx = tx_info(evse);
    std::optional<std::string> problem;
    if (req.chargingProfile.chargingSchedule.size() != 1)
      problem = "this station takes one chargingSchedule per profile";
    if (req.chargingProfile.chargingProfilePurpose == ChargingProfilePurposeEnumType::TxProfile &&
        !req.chargingProfile.transactionId)
      problem = "a TxProfile needs a transactionId";  // K01.FR.03
    if (!problem)
      problem = charging_profiles_.install(neutral(req.chargingProfile, evse), evse_count(), tx);
    if (problem) {
      log_.info("SetChargingProfile {} rejected: {}", req.chargingProfile.id, *problem);
      out.response.statusInfo = status_info("InvalidProfile", *problem);
      return out;
    }
    wire_profiles_[req.chargingProfile.id] = WireProfile{evse, req.chargingProfile};
    prune_wire_profiles();
    out.response.status = ChargingProfileStatusEnumType::Accepted;
    out.then = [this] { apply_charging_limits(); };
    return out;
  });
}

CallAnswer ChargingStation::on_clear_charging_profile(const ocpp::Frame& call) {
  return answer<ClearChargingProfileRequest>(call, [this](const auto& req) {
    ProfileFilter filter;
    filter.id = req.chargingProfileId;
    if (const auto& c = req.chargingProfileCriteria) {
      if (c->evseId) filter.connector = static_cast<int>(*c->evseId);
      if (c->chargingProfilePurpose) filter.purpose = purpose_of(*c->chargingProfilePurpose);
      if (c->stackLevel) filter.stack_level = static_cast<int>(*c->stackLevel);
    }
    const bool cleared = charging_profiles_.clear(filter) > 0;
    prune_wire_profiles();
    Outcome<ClearChargingProfileResponse> out{{}, {}};
    out.response.status = cleared ? ClearChargingProfileStatusEnumType::Accepted
                                  : ClearChargingProfileStatusEnumType::Unknown;
    if (cleared) out.then = [this] { apply_charging_limits(); };
    return out;
  });
}

CallAnswer ChargingStation::on_get_composite_schedule(const ocpp::Frame& call) {
  return answer<GetCompositeScheduleRequest>(call, [this](const auto& req) {
    Outcome<GetCompositeScheduleResponse> out{{}, {}};
    out.response.status = GenericStatusEnumType::Rejected;
    const int evse = static_cast<int>(req.evseId);
    if (evse < 0 || evse > evse_count() || req.duration <= 0) {
      out.response.statusInfo = status_info("UnknownEVSE", fmt::format("no EVSE {}", evse));
      return out;
    }
    const std::int64_t now_us = scheduler_.wall_now().unix_micros();
    const auto start = ocpp::DateTime::from_unix_micros(now_us - now_us % 1000000);
    const RateUnit unit = unit_of(req.chargingRateUnit.value_or(ChargingRateUnitEnumType::W));
    const auto composite = charging_profiles_.composite(
        evse, start, req.duration, unit, evse > 0 ? tx_info(evse) : std::nullopt, supply());
    CompositeScheduleType schedule;
    schedule.evseId = evse;
    schedule.duration = composite.duration_s;
    schedule.scheduleStart = composite.start;
    schedule.chargingRateUnit =
        unit == RateUnit::A ? ChargingRateUnitEnumType::A : ChargingRateUnitEnumType::W;
    for (const auto& p : composite.periods) {
      ChargingSchedulePeriodType period;
      period.startPeriod = p.start_s;
      period.limit = p.limit;
      period.numberPhases = p.phases;
      schedule.chargingSchedulePeriod.push_back(period);
    }
    out.response.status = GenericStatusEnumType::Accepted;
    out.response.schedule = std::move(schedule);
    return out;
  });
}

CallAnswer ChargingStation::on_get_charging_profiles(const ocpp::Frame& call) {
  return answer<GetChargingProfilesRequest>(call, [this](const auto& req) {
    // Every profile here was set by the CSMS (source CSO); K09's criteria all apply.
    const auto& c = req.chargingProfile;
    std::map<int, std::vector<ChargingProfileType>> by_evse;
    for (const auto& [id, wire] : wire_profiles_) {
      if (req.evseId && wire.evse != *req.evseId) continue;
      if (c.chargingProfilePurpose &&
          wire.profile.chargingProfilePurpose != *c.chargingProfilePurpose)
        continue;
      if (c.stackLevel && wire.profile.stackLevel != *c.stackLevel) continue;
      if (c.chargingProfileId && std::find(c.chargingProfileId->begin(), c.chargingProfileId->end(),
                                           id) == c.chargingProfileId->end())
        continue;
      if (c.chargingLimitSource &&
          std::find(c.chargingLimitSource->begin(), c.chargingLimitSource->end(),
                    ChargingLimitSourceEnumType::CSO) == c.chargingLimitSource->end())
        continue;
      by_evse[wire.evse].push_back(wire.profile);
    }
    Outcome<GetChargingProfilesResponse> out{{}, {}};
    out.response.status = by_evse.empty() ? GetChargingProfileStatusEnumType::NoProfiles
                                          : GetChargingProfileStatusEnumType::Accepted;
    if (by_evse.empty()) return out;
    out.then = [this, request_id = req.requestId, by_evse = std::move(by_evse)] {
      if (!ready()) return;
      std::size_t left = by_evse.size();
      for (const auto& [evse, profiles] : by_evse) {
        ReportChargingProfilesRequest report;
        report.requestId = request_id;
        report.chargingLimitSource = ChargingLimitSourceEnumType::CSO;
        report.evseId = evse;
        report.chargingProfile = profiles;
        if (--left > 0) report.tbc = true;
        messenger_.call(make_call(report));
      }
    };
    return out;
  });
}

}  // namespace simulator::v201
