#pragma once
// Charging profiles (smart charging) as the CSMS knows them: what it installed
// with SetChargingProfile (and whether the station accepted), what a 2.0.1
// station reported, minus what ClearChargingProfile removed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// One charging profile of one station, version-neutral.
struct ChargingProfile {
  std::string station_id;
  std::int64_t profile_id = 0;
  int connector_id = 0;  ///< 1.6 connectorId or 2.0.1 evseId; 0: the whole station.
  /// As the station's version spells it: ChargePointMaxProfile (1.6),
  /// ChargingStationMaxProfile, ChargingStationExternalConstraints (2.0.1),
  /// TxDefaultProfile, TxProfile.
  std::string purpose;
  int stack_level = 0;
  std::string kind;        ///< Absolute, Recurring, Relative.
  std::string recurrency;  ///< Daily, Weekly; empty when not recurring.
  std::optional<DateTime> valid_from;
  std::optional<DateTime> valid_to;
  std::optional<std::string> transaction_id;  ///< TxProfile: 1.6 id as text, 2.0.1 station's id.
  std::string schedule;  ///< chargingSchedule JSON (2.0.1: the array) in the station's version.
  bool accepted = true;  ///< False: the station answered Rejected.
  std::string source = "CSO";  ///< CSO (this CSMS) or the 2.0.1 chargingLimitSource reported.
  DateTime updated_at;
};

/// Which profiles a ClearChargingProfile removes: by id, or every profile
/// matching all the criteria given (none given: all).
struct ProfileFilter {
  std::optional<std::int64_t> profile_id;
  std::optional<int> connector_id;
  std::optional<std::string> purpose;
  std::optional<int> stack_level;
  std::optional<std::string> transaction_id;  ///< TxProfiles of one transaction.
};

/// Charging profiles by station.
class ChargingProfileStore {
 public:
  virtual ~ChargingProfileStore() = default;
  /// Stores `profile`. An accepted one replaces the station's profile with the
  /// same id and the one with the same connector, purpose and stack level (as a
  /// station does). A rejected one is kept for the record only where it
  /// displaces no accepted profile; returns false when it was not stored.
  virtual bool put(const ChargingProfile& profile) = 0;
  /// Removes the matching profiles; returns how many.
  virtual std::size_t remove(const std::string& station_id, const ProfileFilter& filter) = 0;
  /// The station's profiles by connector, purpose, stack level.
  virtual std::vector<ChargingProfile> profiles(const std::string& station_id) = 0;
};

}  // namespace storage
