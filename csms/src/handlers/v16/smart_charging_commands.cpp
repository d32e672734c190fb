// Smart charging commands to OCPP 1.6 stations: set-profile
// (SetChargingProfile), clear-profile (ClearChargingProfile) and
// composite-schedule (GetCompositeSchedule). What a station accepts or clears
// is stored before the operator sees the answer.
#include <cmath>
#include <memory>

#include "handlers/smart_charging.hpp"
#include "handlers/v16/commands.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v16/codec.hpp"
#include "services/services.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

namespace {

template <class T>
std::string json_of(const T& value) {
  rapidjson::StringBuffer buffer;
  ocpp::JsonWriter writer(buffer);
  write(writer, value);
  return std::string(buffer.GetString(), buffer.GetSize());
}

w::ChargingProfile wire_profile(const ProfileRequest& r) {
  w::ChargingProfile cp;
  cp.chargingProfileId = r.id;
  if (r.transaction_id) cp.transactionId = std::stoll(*r.transaction_id);
  cp.stackLevel = r.stack_level;
  from_string(purpose_name(r.purpose, kVersion), cp.chargingProfilePurpose);
  from_string(r.kind, cp.chargingProfileKind);
  if (r.recurrency) {
    w::RecurrencyKindType k{};
    from_string(*r.recurrency, k);
    cp.recurrencyKind = k;
  }
  cp.validFrom = r.valid_from;
  cp.validTo = r.valid_to;
  auto& schedule = cp.chargingSchedule;
  schedule.duration = r.duration;
  schedule.startSchedule = r.start;
  from_string(r.unit, schedule.chargingRateUnit);
  w::ChargingSchedulePeriod period;
  period.startPeriod = 0;
  period.limit = r.limit;
  if (r.phases) period.numberPhases = *r.phases;
  schedule.chargingSchedulePeriod.push_back(period);
  schedule.minChargingRate = r.min_rate;
  return cp;
}

void send_profile(Services& sv, StationSession& session, const ProfileRequest& r,
                  CommandDone done) {
  w::SetChargingProfileRequest req;
  req.connectorId = r.connector;
  req.csChargingProfiles = wire_profile(r);
  auto pending = std::make_shared<std::function<void(storage::Session&)>>();
  const std::string station = session.station_id();
  const std::string schedule = json_of(req.csChargingProfiles.chargingSchedule);
  send(session, req,
       with_number("chargingProfileId", r.id, store_then(sv, pending, std::move(done))),
       [pending, station, r, schedule](const w::SetChargingProfileResponse& res) {
         auto profile = stored_profile(station, r, kVersion, schedule,
                                       res.status == w::ChargingProfileStatus::Accepted);
         *pending = [profile](storage::Session& s) {
           if (s.stations.get(profile.station_id)) s.charging_profiles.put(profile);
         };
       });
}

void set_profile(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "limit", "unit", "purpose", "id", "stackLevel", "kind", "recurrency",
           "start", "duration", "transactionId", "validFrom", "validTo", "minRate", "phases"},
          v201_only());
  auto r = read_profile_request(p);
  if (!r) return;
  if (std::fabs(r->limit * 10 - std::round(r->limit * 10)) > 1e-9)
    return p.fail("OCPP 1.6 limits have at most one decimal (e.g. 10.5)");
  if (r->transaction_id) {
    char* end = nullptr;
    std::strtoll(r->transaction_id->c_str(), &end, 10);
    if (r->transaction_id->empty() || *end != '\0')
      return p.fail("'transactionId' must be an OCPP 1.6 transaction id (an integer)");
  }
  send_profile_request(sv, session, *r, false, send_profile, std::move(done));
}

void clear_profile(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"id", "connector", "purpose", "stackLevel"}, v201_only());
  w::ClearChargingProfileRequest req;
  req.id = p.integer("id", false);
  req.connectorId = p.integer("connector", false);
  auto purpose_text = p.string("purpose", false);
  req.stackLevel = p.integer("stackLevel", false);
  if (!p.ok()) return;
  storage::ProfileFilter filter;
  if (purpose_text) {
    auto purpose = purpose_from(*purpose_text);
    if (!purpose)
      return p.fail(
          "'purpose' must be TxDefaultProfile, TxProfile or ChargePointMaxProfile "
          "(ChargingStationMaxProfile)");
    w::ChargingProfilePurposeType wire{};
    from_string(purpose_name(*purpose, kVersion), wire);
    req.chargingProfilePurpose = wire;
    filter.purpose = purpose_name(*purpose, kVersion);
  }
  if (req.connectorId && *req.connectorId < 0)
    return p.fail("'connector' must be 0 (the whole station) or a connector");
  if (req.stackLevel && *req.stackLevel < 0) return p.fail("'stackLevel' must not be negative");
  // The id names one profile; without it the other fields select (1.6 §5.5).
  if (req.id) {
    filter = storage::ProfileFilter{};
    filter.profile_id = req.id;
  } else {
    if (req.connectorId) filter.connector_id = static_cast<int>(*req.connectorId);
    if (req.stackLevel) filter.stack_level = static_cast<int>(*req.stackLevel);
  }
  auto pending = std::make_shared<std::function<void(storage::Session&)>>();
  const std::string station = session.station_id();
  send(session, req, store_then(sv, pending, std::move(done)),
       [pending, station, filter](const w::ClearChargingProfileResponse& res) {
         if (res.status != w::ClearChargingProfileStatus::Accepted) return;
         *pending = [station, filter](storage::Session& s) {
           s.charging_profiles.remove(station, filter);
         };
       });
}

void composite_schedule(StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "duration", "unit"}, v201_only());
  w::GetCompositeScheduleRequest req;
  if (auto c = p.integer("connector", true)) req.connectorId = *c;
  if (auto d = p.integer("duration", true)) req.duration = *d;
  req.chargingRateUnit = p.enumeration<w::ChargingRateUnitType>("unit", false, "W, A");
  if (!p.ok()) return;
  if (req.connectorId < 0)
    return p.fail("'connector' must be 0 (the whole station) or a connector");
  if (req.duration <= 0) return p.fail("'duration' must be greater than 0 seconds");
  send(session, req, std::move(done));
}

}  // namespace

void send_checked_profile(Services& sv, StationSession& session, const ProfileRequest& r,
                          std::function<void(CommandResult)> done) {
  send_profile_request(sv, session, r, false, send_profile, std::move(done));
}

void add_smart_charging_commands(CommandTable& table) {
  table["set-profile"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    set_profile(sv, session, p, std::move(done));
  };
  table["clear-profile"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    clear_profile(sv, session, p, std::move(done));
  };
  table["composite-schedule"] = [](Services&, StationSession& session, Params& p,
                                   CommandDone done) {
    composite_schedule(session, p, std::move(done));
  };
}

}  // namespace csms::v16
