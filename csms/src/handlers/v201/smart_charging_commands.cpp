// Smart charging commands to OCPP 2.0.1 stations: set-profile
// (SetChargingProfile), get-profiles (GetChargingProfiles; the
// ReportChargingProfiles that follow are stored, see
// smart_charging_messages.cpp), clear-profile (ClearChargingProfile) and
// composite-schedule (GetCompositeSchedule). 'connector' is the EVSE id here,
// as for 1.6 stations it is the connector. What a station accepts or clears is
// stored before the operator sees the answer.
#include <memory>

#include "handlers/smart_charging.hpp"
#include "handlers/v201/commands.hpp"
#include "handlers/v201/smart_charging.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v201/codec.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

constexpr std::size_t kTransactionIdMax = 36;  // TransactionType.transactionId maxLength

std::string schedules_json(const std::vector<w::ChargingScheduleType>& schedules) {
  rapidjson::StringBuffer buffer;
  ocpp::JsonWriter writer(buffer);
  writer.StartArray();
  for (const auto& s : schedules) write(writer, s);
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

storage::ChargingProfile stored_profile(const std::string& station_id, int evse_id,
                                        const w::ChargingProfileType& cp, bool accepted,
                                        const std::string& source) {
  storage::ChargingProfile p;
  p.station_id = station_id;
  p.profile_id = cp.id;
  p.connector_id = evse_id;
  p.purpose = std::string(w::to_string(cp.chargingProfilePurpose));
  p.stack_level = static_cast<int>(cp.stackLevel);
  p.kind = std::string(w::to_string(cp.chargingProfileKind));
  if (cp.recurrencyKind) p.recurrency = std::string(w::to_string(*cp.recurrencyKind));
  p.valid_from = cp.validFrom;
  p.valid_to = cp.validTo;
  p.transaction_id = cp.transactionId;
  p.schedule = schedules_json(cp.chargingSchedule);
  p.accepted = accepted;
  p.source = source;
  p.updated_at = storage::DateTime::now();
  return p;
}

namespace {

std::optional<w::ChargingProfilePurposeEnumType> wire_purpose(Params& p) {
  auto text = p.string("purpose", false);
  if (!text) return std::nullopt;
  auto purpose = purpose_from(*text);
  if (!purpose) {
    p.fail(
        "'purpose' must be TxDefaultProfile, TxProfile or ChargingStationMaxProfile "
        "(ChargePointMaxProfile)");
    return std::nullopt;
  }
  w::ChargingProfilePurposeEnumType wire{};
  from_string(purpose_name(*purpose, kVersion), wire);
  return wire;
}

// 'connector' or 'evse': both name the EVSE on a 2.0.1 station.
std::optional<std::int64_t> evse_param(Params& p, bool required, const char* command) {
  auto connector = p.integer("connector", false);
  auto evse = p.integer("evse", false);
  if (connector && evse) p.fail("give 'connector' or 'evse' (the same EVSE id), not both");
  if (!evse) evse = connector;
  if (p.ok() && required && !evse)
    p.fail(std::string(command) + " needs 'connector' (the EVSE id; 0 for the whole station)");
  if (p.ok() && evse && *evse < 0)
    p.fail("'connector' must be 0 (the whole station) or an EVSE id");
  return evse;
}

w::ChargingProfileType wire_profile(const ProfileRequest& r) {
  w::ChargingProfileType cp;
  cp.id = r.id;
  cp.stackLevel = r.stack_level;
  from_string(purpose_name(r.purpose, kVersion), cp.chargingProfilePurpose);
  from_string(r.kind, cp.chargingProfileKind);
  if (r.recurrency) {
    w::RecurrencyKindEnumType k{};
    from_string(*r.recurrency, k);
    cp.recurrencyKind = k;
  }
  cp.validFrom = r.valid_from;
  cp.validTo = r.valid_to;
  cp.transactionId = r.transaction_id;
  w::ChargingScheduleType schedule;
  schedule.id = r.id;  // one schedule per profile: its id is free to choose
  schedule.startSchedule = r.start;
  schedule.duration = r.duration;
  from_string(r.unit, schedule.chargingRateUnit);
  w::ChargingSchedulePeriodType period;
  period.startPeriod = 0;
  period.limit = r.limit;
  if (r.phases) period.numberPhases = *r.phases;
  schedule.chargingSchedulePeriod.push_back(period);
  schedule.minChargingRate = r.min_rate;
  cp.chargingSchedule.push_back(std::move(schedule));
  return cp;
}

void send_profile(Services& sv, StationSession& session, const ProfileRequest& r,
                  CommandDone done) {
  w::SetChargingProfileRequest req;
  req.evseId = r.connector;
  req.chargingProfile = wire_profile(r);
  auto pending = std::make_shared<std::function<void(storage::Session&)>>();
  const std::string station = session.station_id();
  send(session, req,
       with_number("chargingProfileId", r.id, store_then(sv, pending, std::move(done))),
       [pending, station, req](const w::SetChargingProfileResponse& res) {
         auto profile =
             stored_profile(station, static_cast<int>(req.evseId), req.chargingProfile,
                            res.status == w::ChargingProfileStatusEnumType::Accepted, "CSO");
         *pending = [profile](storage::Session& s) {
           if (s.stations.get(profile.station_id)) s.charging_profiles.put(profile);
         };
       });
}

void set_profile(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "evse", "limit", "unit", "purpose", "id", "stackLevel", "kind",
           "recurrency", "start", "duration", "transactionId", "validFrom", "validTo", "minRate",
           "phases"});
  auto r = read_profile_request(p);
  if (!r) return;
  if (r->transaction_id && r->transaction_id->size() > kTransactionIdMax)
    return p.fail("'transactionId' is at most 36 characters");
  send_profile_request(sv, session, *r, true, send_profile, std::move(done));
}

void get_profiles(StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "evse", "purpose", "stackLevel", "id", "source"});
  w::GetChargingProfilesRequest req;
  req.evseId = evse_param(p, false, "get-profiles");
  req.chargingProfile.chargingProfilePurpose = wire_purpose(p);
  req.chargingProfile.stackLevel = p.integer("stackLevel", false);
  if (auto id = p.integer("id", false)) req.chargingProfile.chargingProfileId = {*id};
  if (auto source =
          p.enumeration<w::ChargingLimitSourceEnumType>("source", false, "EMS, Other, SO, CSO"))
    req.chargingProfile.chargingLimitSource = {*source};
  if (!p.ok()) return;
  req.requestId = next_request_id();
  send(session, req, with_request_id(req.requestId, std::move(done)));
}

void clear_profile(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"id", "connector", "evse", "purpose", "stackLevel"});
  w::ClearChargingProfileRequest req;
  req.chargingProfileId = p.integer("id", false);
  w::ClearChargingProfileType criteria;
  criteria.evseId = evse_param(p, false, "clear-profile");
  criteria.chargingProfilePurpose = wire_purpose(p);
  criteria.stackLevel = p.integer("stackLevel", false);
  if (!p.ok()) return;
  const bool any_criteria =
      criteria.evseId || criteria.chargingProfilePurpose || criteria.stackLevel;
  if (req.chargingProfileId && any_criteria)
    return p.fail("give 'id' or criteria (connector, purpose, stackLevel), not both");
  if (criteria.stackLevel && *criteria.stackLevel < 0)
    return p.fail("'stackLevel' must not be negative");
  storage::ProfileFilter filter;
  filter.profile_id = req.chargingProfileId;
  if (any_criteria) {
    req.chargingProfileCriteria = criteria;
    if (criteria.evseId) filter.connector_id = static_cast<int>(*criteria.evseId);
    if (criteria.chargingProfilePurpose)
      filter.purpose = std::string(w::to_string(*criteria.chargingProfilePurpose));
    if (criteria.stackLevel) filter.stack_level = static_cast<int>(*criteria.stackLevel);
  }
  auto pending = std::make_shared<std::function<void(storage::Session&)>>();
  const std::string station = session.station_id();
  send(session, req, store_then(sv, pending, std::move(done)),
       [pending, station, filter](const w::ClearChargingProfileResponse& res) {
         if (res.status != w::ClearChargingProfileStatusEnumType::Accepted) return;
         *pending = [station, filter](storage::Session& s) {
           s.charging_profiles.remove(station, filter);
         };
       });
}

void composite_schedule(StationSession& session, Params& p, CommandDone done) {
  p.allow({"connector", "evse", "duration", "unit"});
  w::GetCompositeScheduleRequest req;
  if (auto evse = evse_param(p, true, "composite-schedule")) req.evseId = *evse;
  if (auto d = p.integer("duration", true)) req.duration = *d;
  req.chargingRateUnit = p.enumeration<w::ChargingRateUnitEnumType>("unit", false, "W, A");
  if (!p.ok()) return;
  if (req.duration <= 0) return p.fail("'duration' must be greater than 0 seconds");
  send(session, req, std::move(done));
}

}  // namespace

void send_checked_profile(Services& sv, StationSession& session, const ProfileRequest& r,
                          std::function<void(CommandResult)> done) {
  send_profile_request(sv, session, r, true, send_profile, std::move(done));
}

void add_smart_charging_commands(CommandTable& table) {
  table["set-profile"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    set_profile(sv, session, p, std::move(done));
  };
  table["get-profiles"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    get_profiles(session, p, std::move(done));
  };
  table["clear-profile"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    clear_profile(sv, session, p, std::move(done));
  };
  table["composite-schedule"] = [](Services&, StationSession& session, Params& p,
                                   CommandDone done) {
    composite_schedule(session, p, std::move(done));
  };
}

}  // namespace csms::v201
