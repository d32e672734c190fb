#pragma once
// Smart charging as a simulated station does it, whatever the OCPP version:
// the installed charging profiles per connector/EVSE and what they allow at a
// given time (stack levels, purposes, validity, recurrence, A <-> W), as a
// limit for the meter and as a composite schedule for the CSMS.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/datetime.hpp"

namespace simulator {

using ocpp::DateTime;

/// Charging rate unit.
enum class RateUnit { W, A };
/// Profile purposes; StationMax is 1.6 ChargePointMaxProfile / 2.0.1
/// ChargingStationMaxProfile, External is 2.0.1 ChargingStationExternalConstraints.
enum class ProfilePurpose { StationMax, External, TxDefault, Tx };
enum class ProfileKind { Absolute, Recurring, Relative };
enum class Recurrency { Daily, Weekly };

/// One period of a schedule: from `start_s` after the schedule's start.
struct SchedulePeriod {
  std::int64_t start_s = 0;
  double limit = 0;
  std::optional<int> phases;  ///< numberPhases; absent: 3 (both versions' default).
};

/// A charging schedule (a profile's first one).
struct ChargingSchedule {
  std::optional<DateTime> start;  ///< startSchedule.
  std::optional<std::int64_t> duration_s;
  RateUnit unit = RateUnit::W;
  std::vector<SchedulePeriod> periods;  ///< By start_s.
  std::optional<double> min_rate;
};

/// An installed charging profile.
struct ChargingProfile {
  std::int64_t id = 0;
  int connector = 0;  ///< 1.6 connectorId / 2.0.1 evseId; 0: the station.
  ProfilePurpose purpose = ProfilePurpose::TxDefault;
  int stack_level = 0;
  ProfileKind kind = ProfileKind::Absolute;
  std::optional<Recurrency> recurrency;
  std::optional<DateTime> valid_from;
  std::optional<DateTime> valid_to;
  std::optional<std::string> transaction_id;
  ChargingSchedule schedule;
};

/// The station's supply: converts A to W and back.
struct Supply {
  double voltage = 230.0;
  int phases = 1;
  double max_power_w = 7400.0;  ///< What flows without any limit.
};

/// What a connector's transaction is, for TxProfiles and Relative schedules.
struct TxInfo {
  std::string id;
  DateTime started;
};

/// A period of a composite schedule.
struct CompositePeriod {
  std::int64_t start_s = 0;
  double limit = 0;
  int phases = 1;
};

/// A composite schedule: what is allowed from `start` for `duration_s`.
struct CompositeSchedule {
  DateTime start;
  std::int64_t duration_s = 0;
  RateUnit unit = RateUnit::W;
  std::vector<CompositePeriod> periods;
};

/// Which profiles a ClearChargingProfile removes: by id, or all matching the
/// criteria given.
struct ProfileFilter {
  std::optional<std::int64_t> id;
  std::optional<int> connector;
  std::optional<ProfilePurpose> purpose;
  std::optional<int> stack_level;
};

/// Firmware quirks seen in the field (docs/energy.md, "OCPP enforcement"): profiles
/// a real station rejects although they are valid. Both versions, as the same switches.
struct ProfileQuirks {
  bool stack0_only = false;   ///< A stack level other than 0 is Rejected (ABB Terra AC).
  bool amps_only = false;     ///< A schedule in W is Rejected.
  bool rejects_zero = false;  ///< A period limit of 0 is Rejected.
  /// A new Basic-auth password (AuthorizationKey, BasicAuthPassword) is Rejected.
  bool rejects_password = false;
  bool any() const { return stack0_only || amps_only || rejects_zero; }
};
/// Switches on the quirk `name` ("stack0-only", "amps-only", "rejects-zero",
/// "rejects-password") in `quirks`; false for another name.
bool add_quirk(ProfileQuirks& quirks, std::string_view name);

/// The profiles installed on a station and what they allow.
class ProfileSet {
 public:
  /// The firmware quirks install() plays (none by default).
  void set_quirks(const ProfileQuirks& quirks) { quirks_ = quirks; }
  const ProfileQuirks& quirks() const { return quirks_; }

  static constexpr int kMaxStackLevel = 10;
  static constexpr std::size_t kMaxProfiles = 10;
  static constexpr std::size_t kMaxPeriods = 24;

  /// Installs `p` (replacing the profile with its id, and the one with its
  /// connector, purpose and stack level), or says why not (also a quirk's refusal). `tx` is the
  /// transaction on p.connector, if any; `connectors` how many there are.
  std::optional<std::string> install(const ChargingProfile& p, int connectors,
                                     const std::optional<TxInfo>& tx);
  /// Removes the matching profiles; returns how many.
  std::size_t clear(const ProfileFilter& filter);
  /// TxProfiles of `connector` end with its transaction.
  void transaction_ended(int connector);
  const std::vector<ChargingProfile>& profiles() const { return profiles_; }

  /// The limit in W on `connector` at `t` (0: the station), at most the supply's maximum.
  double limit_w(int connector, const DateTime& t, const std::optional<TxInfo>& tx,
                 const Supply& supply) const;
  /// The composite schedule of `connector` from `start` for `duration_s`, in `unit`.
  CompositeSchedule composite(int connector, const DateTime& start, std::int64_t duration_s,
                              RateUnit unit, const std::optional<TxInfo>& tx,
                              const Supply& supply) const;
  /// The first time after `t` (within a week) at which a limit may change.
  std::optional<DateTime> next_change(const DateTime& t, const std::optional<TxInfo>& tx) const;

 private:
  std::vector<ChargingProfile> profiles_;
  ProfileQuirks quirks_;
};

/// `value` in `unit` as W with `supply` (A: per phase, on the phases in use).
double to_watts(double value, RateUnit unit, std::optional<int> phases, const Supply& supply);
/// `watts` in `unit`.
double from_watts(double watts, RateUnit unit, const Supply& supply);

}  // namespace simulator
