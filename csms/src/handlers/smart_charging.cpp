#include "handlers/smart_charging.hpp"

#include <cmath>
#include <vector>

#include "csms/log.hpp"
#include "services/services.hpp"

namespace csms {

using storage::DateTime;

namespace {

std::optional<DateTime> time_param(Params& p, const char* name) {
  auto text = p.string(name, false);
  if (!text) return std::nullopt;
  auto t = DateTime::parse(*text);
  if (!t)
    p.fail("'" + std::string(name) + "' must be an RFC 3339 date-time (e.g. 2027-01-15T10:30:00Z)");
  return t;
}

// A whole second now: schedules start on a second, as the stations count them.
DateTime this_second() {
  const std::int64_t us = DateTime::now().unix_micros();
  return DateTime::from_unix_micros(us - us % 1000000);
}

}  // namespace

std::optional<ProfilePurpose> purpose_from(const std::string& text) {
  if (text == "ChargePointMaxProfile" || text == "ChargingStationMaxProfile")
    return ProfilePurpose::StationMax;
  if (text == "TxDefaultProfile") return ProfilePurpose::TxDefault;
  if (text == "TxProfile") return ProfilePurpose::Tx;
  return std::nullopt;
}

std::string purpose_name(ProfilePurpose purpose, const std::string& version) {
  switch (purpose) {
    case ProfilePurpose::StationMax:
      return version == "1.6" ? "ChargePointMaxProfile" : "ChargingStationMaxProfile";
    case ProfilePurpose::TxDefault:
      return "TxDefaultProfile";
    case ProfilePurpose::Tx:
      return "TxProfile";
  }
  return "TxDefaultProfile";
}

std::optional<ProfileRequest> read_profile_request(Params& p) {
  const bool v201 = p.version() != "1.6";
  const std::string where = v201 ? "EVSE" : "connector";
  ProfileRequest r;
  auto connector = p.integer("connector", false);
  if (v201) {
    // 2.0.1 stations are addressed by EVSE; 'evse' says so explicitly.
    auto evse = p.integer("evse", false);
    if (connector && evse) p.fail("give 'connector' or 'evse' (the same EVSE id), not both");
    if (evse) connector = evse;
  }
  if (p.ok() && !connector)
    p.fail("set-profile needs 'connector' (the " + where + "; 0 for the whole station)");
  auto limit = p.number("limit", true);
  auto unit = p.string("unit", true);
  auto purpose_text = p.string("purpose", false);
  auto id = p.integer("id", false);
  auto stack_level = p.integer("stackLevel", false);
  auto kind = p.string("kind", false);
  r.recurrency = p.string("recurrency", false);
  r.start = time_param(p, "start");
  r.duration = p.integer("duration", false);
  r.transaction_id = p.string("transactionId", false);
  r.valid_from = time_param(p, "validFrom");
  r.valid_to = time_param(p, "validTo");
  r.min_rate = p.number("minRate", false);
  auto phases = p.integer("phases", false);
  if (!p.ok()) return std::nullopt;

  auto fail = [&p](std::string why) -> std::optional<ProfileRequest> {
    p.fail(std::move(why));
    return std::nullopt;
  };
  if (*connector < 0) return fail("'connector' must be 0 (the whole station) or a " + where);
  r.connector = static_cast<int>(*connector);
  if (*unit != "W" && *unit != "A") return fail("'unit' must be W or A");
  r.unit = *unit;
  if (!(*limit > 0)) return fail("'limit' must be greater than 0");
  r.limit = *limit;
  if (purpose_text) {
    auto purpose = purpose_from(*purpose_text);
    if (!purpose)
      return fail(
          "'purpose' must be TxDefaultProfile, TxProfile or ChargePointMaxProfile "
          "(ChargingStationMaxProfile)");
    r.purpose = *purpose;
  }
  if (id && *id < 0) return fail("'id' must not be negative");
  r.id = id ? *id : next_request_id();
  if (stack_level && *stack_level < 0) return fail("'stackLevel' must not be negative");
  r.stack_level = static_cast<int>(stack_level.value_or(0));
  if (kind) {
    if (*kind != "Absolute" && *kind != "Recurring" && *kind != "Relative")
      return fail("'kind' must be Absolute, Recurring or Relative");
    r.kind = *kind;
  }
  if (r.recurrency && *r.recurrency != "Daily" && *r.recurrency != "Weekly")
    return fail("'recurrency' must be Daily or Weekly");
  if (r.kind == "Recurring" && (!r.recurrency || !r.start))
    return fail("a Recurring profile needs 'recurrency' (Daily or Weekly) and 'start'");
  if (r.kind != "Recurring" && r.recurrency)
    return fail("'recurrency' is only for a Recurring profile (kind Recurring)");
  if (r.kind == "Relative" && r.start)
    return fail("a Relative profile starts with the transaction: it takes no 'start'");
  if (r.kind == "Absolute" && !r.start) r.start = this_second();
  if (r.duration && *r.duration <= 0) return fail("'duration' must be greater than 0 seconds");
  if (r.kind == "Recurring" && r.duration &&
      *r.duration > (*r.recurrency == "Daily" ? 86400 : 7 * 86400))
    return fail("'duration' is longer than the " + *r.recurrency + " recurrence");
  if (r.valid_from && r.valid_to && !(*r.valid_from < *r.valid_to))
    return fail("'validFrom' must be before 'validTo'");
  if (r.min_rate && *r.min_rate < 0) return fail("'minRate' must not be negative");
  if (phases && (*phases < 1 || *phases > 3)) return fail("'phases' must be 1, 2 or 3");
  if (phases) r.phases = static_cast<int>(*phases);

  switch (r.purpose) {
    case ProfilePurpose::StationMax:
      if (r.connector != 0)
        return fail("a " + purpose_name(r.purpose, p.version()) +
                    " applies to the whole station: use connector 0");
      if (r.transaction_id) return fail("'transactionId' is only for a TxProfile");
      if (v201 && r.kind == "Relative")
        return fail("a ChargingStationMaxProfile cannot be Relative (OCPP 2.0.1 K01.FR.38)");
      break;
    case ProfilePurpose::TxDefault:
      if (r.transaction_id) return fail("'transactionId' is only for a TxProfile");
      break;
    case ProfilePurpose::Tx:
      if (r.connector == 0)
        return fail("a TxProfile is for the transaction on one " + where +
                    ": connector must be > 0");
      break;
  }
  return r;
}

namespace {

// The station's running transaction on `connector` (1.6 connector, 2.0.1
// EVSE), as the station knows its id, or nullopt; on the network thread.
void running_transaction(Services& sv, const std::string& station_id, int connector, bool v201,
                         std::function<void(std::optional<std::string>)> then,
                         std::function<void(std::string)> failed) {
  auto found = std::make_shared<std::optional<std::string>>();
  sv.ctx.db.read(
      [station_id, connector, v201, found](storage::Session& s) {
        storage::TransactionFilter filter;
        filter.station_id = station_id;
        filter.active = true;
        for (const auto& tx : s.transactions.list(filter)) {
          if ((v201 ? tx.evse_id : tx.connector_id) != connector) continue;
          *found = v201 ? tx.station_tx_id : std::to_string(tx.id);
          return;
        }
      },
      sv.ctx.on_io(
          [found, then = std::move(then), failed = std::move(failed)](std::exception_ptr e) {
            if (e) return failed("could not read the station's transactions");
            then(*found);
          }));
}

}  // namespace

void send_profile_request(Services& sv, StationSession& session, ProfileRequest r, bool v201,
                          ProfileSender send, CommandDone done) {
  if (r.purpose != ProfilePurpose::Tx) return send(sv, session, r, std::move(done));
  const std::string where = (v201 ? "EVSE " : "connector ") + std::to_string(r.connector);
  std::weak_ptr<StationSession> weak = session.weak_from_this();
  running_transaction(
      sv, session.station_id(), r.connector, v201,
      [&sv, weak, r, where, send, done](std::optional<std::string> tx) mutable {
        auto s = weak.lock();
        if (!s) return done(command_failure(CommandError::Offline, "the station disconnected"));
        if (!tx)
          return done(command_failure(
              CommandError::InvalidArgument,
              "no transaction is running on " + where +
                  ": a TxProfile needs one (use TxDefaultProfile for the next ones)"));
        if (r.transaction_id && *r.transaction_id != *tx)
          return done(
              command_failure(CommandError::InvalidArgument, "transaction " + *r.transaction_id +
                                                                 " is not the one running on " +
                                                                 where + " (" + *tx + ")"));
        r.transaction_id = tx;
        send(sv, *s, r, done);
      },
      [done](std::string why) { done(command_failure(CommandError::Internal, why)); });
}

CommandDone store_then(Services& sv, PendingWrite pending, CommandDone done) {
  return [&sv, pending, done = std::move(done)](CommandResult r) {
    if (r.error != CommandError::None || !pending || !*pending) return done(std::move(r));
    sv.ctx.db.write(*pending, sv.ctx.on_io([done, r](std::exception_ptr e) mutable {
      if (e) {
        // The station did it; only our record of it failed. Say so.
        log::warn("charging profiles not stored after {}", r.action);
        r.error = CommandError::Internal;
        r.message = "the station answered, but the CSMS could not store the change";
      }
      done(std::move(r));
    }));
  };
}

CommandDone with_number(const char* key, std::int64_t value, CommandDone done) {
  return [key, value, done = std::move(done)](CommandResult r) {
    rapidjson::Document doc;
    if (r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
        doc.IsObject()) {
      doc.AddMember(rapidjson::StringRef(key), value, doc.GetAllocator());
      r.response_json = ocpp::to_compact_json(doc);
    }
    done(std::move(r));
  };
}

storage::ChargingProfile stored_profile(const std::string& station_id, const ProfileRequest& r,
                                        const std::string& version, std::string schedule_json,
                                        bool accepted) {
  storage::ChargingProfile p;
  p.station_id = station_id;
  p.profile_id = r.id;
  p.connector_id = r.connector;
  p.purpose = purpose_name(r.purpose, version);
  p.stack_level = r.stack_level;
  p.kind = r.kind;
  p.recurrency = r.recurrency.value_or("");
  p.valid_from = r.valid_from;
  p.valid_to = r.valid_to;
  p.transaction_id = r.transaction_id;
  p.schedule = std::move(schedule_json);
  p.accepted = accepted;
  p.updated_at = DateTime::now();
  return p;
}

}  // namespace csms
