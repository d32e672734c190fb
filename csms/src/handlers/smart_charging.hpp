#pragma once
// What the smart-charging commands of both versions share: reading and checking
// a set-profile's parameters, finding the transaction a TxProfile is for, and
// storing what an accepted answer changed before the operator hears of it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "handlers/command_support.hpp"
#include "storage/charging_profiles.hpp"
#include "storage/model.hpp"
#include "storage/stores.hpp"

namespace csms {

struct Services;

/// The purpose of a profile, whatever the version calls it.
enum class ProfilePurpose { StationMax, TxDefault, Tx };

/// A set-profile as the operator described it, checked (one schedule period).
struct ProfileRequest {
  int connector = 0;  ///< 1.6 connectorId, 2.0.1 evseId.
  std::int64_t id = 0;
  ProfilePurpose purpose = ProfilePurpose::TxDefault;
  int stack_level = 0;
  std::string kind = "Absolute";  ///< Absolute, Recurring, Relative.
  std::optional<std::string> recurrency;
  std::optional<storage::DateTime> start;  ///< startSchedule.
  std::optional<std::int64_t> duration;
  std::optional<std::string> transaction_id;
  std::optional<storage::DateTime> valid_from;
  std::optional<storage::DateTime> valid_to;
  std::string unit;  ///< "W" or "A".
  double limit = 0;
  std::optional<double> min_rate;
  std::optional<int> phases;
};

/// Reads set-profile's parameters (connector, limit, unit, purpose, id,
/// stackLevel, kind, recurrency, start, duration, transactionId, validFrom,
/// validTo, minRate, phases; 2.0.1 also takes evse for connector) and checks
/// them; nullopt with `p` failed on the first problem.
std::optional<ProfileRequest> read_profile_request(Params& p);

/// The purpose named `text` in either version's spelling (ChargePointMaxProfile
/// and ChargingStationMaxProfile are the same); nullopt if unknown.
std::optional<ProfilePurpose> purpose_from(const std::string& text);
/// `purpose` as the station's version spells it.
std::string purpose_name(ProfilePurpose purpose, const std::string& version);

/// A version's way of sending a checked profile (SetChargingProfile).
using ProfileSender = void (*)(Services&, StationSession&, const ProfileRequest&, CommandDone);

/// Sends `r` with `send`. A TxProfile is for the transaction running on its
/// connector (2.0.1: EVSE; 1.6 §3.13.3, 2.0.1 K01.FR.03): refused when none runs or the operator
/// named another, else sent with that transaction's id as the station knows it.
void send_profile_request(Services& sv, StationSession& session, ProfileRequest r, bool v201,
                          ProfileSender send, CommandDone done);

/// Storage work a command's answer calls for (set by the command's on_answer).
using PendingWrite = std::shared_ptr<std::function<void(storage::Session&)>>;

/// Wraps `done`: after a successful answer that left work in `pending`, the
/// work is committed first, so what the operator reads next already shows it.
CommandDone store_then(Services& sv, PendingWrite pending, CommandDone done);

/// Adds "key": value to a successful answer's JSON.
CommandDone with_number(const char* key, std::int64_t value, CommandDone done);

/// The stored form of the profile `r` sent to a `version` station.
storage::ChargingProfile stored_profile(const std::string& station_id, const ProfileRequest& r,
                                        const std::string& version, std::string schedule_json,
                                        bool accepted);

}  // namespace csms
