#pragma once
// The physics of a simulated site, pure and deterministic, on a clock of
// seconds of the day: clear-sky PV with cloud steps (or a measured series), a
// home battery with its own logic, a building base load (random walk and
// steps), cars that follow the limit they are offered after a delay, never
// below their minimum, tapering at high SoC and some drawing less than
// offered, and the grid meter that is the sum. `ocpp-sim site` (site.hpp)
// runs it against real stations; bench/energy runs it against the allocator.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simulator::site {

/// Nominal voltage per phase: P = 230 V x I x phases.
constexpr double kVoltage = 230.0;

/// W drawn at `current_a` per phase on `phases` phases.
inline double power_of(int phases, double current_a) {
  return kVoltage * current_a * phases;
}

/// "HH:MM[:SS]" (hours up to 48) or a number of seconds, as seconds of the day.
std::optional<double> parse_time_of_day(std::string_view text);
/// Seconds of the day as "HH:MM:SS" (past midnight: 24:00:00 and on).
std::string format_time_of_day(std::int64_t seconds);

/// A cloud: PV falls by the cloud drop over the ramp, stays down for
/// `duration_s`, then comes back over the ramp.
struct Cloud {
  std::int64_t at_s = 0;  ///< Time of day, s.
  std::int64_t duration_s = 0;
};

/// One point of a measured PV series.
struct PvPoint {
  double t_s = 0;  ///< Time of day, s.
  double w = 0;
};

/// PV production: clear sky, peak x sin(pi x)^1.5 between sunrise and sunset,
/// or a measured series; clouds apply to either.
struct Pv {
  double peak_w = 0;
  double sunrise_h = 6;
  double sunset_h = 20;
  std::vector<Cloud> clouds;
  double cloud_drop = 0.7;  ///< 0.7: -70 %.
  std::int64_t cloud_ramp_s = 10;
  /// Non-empty (by time): production is interpolated linearly between the
  /// points (the first and last values hold before and after) instead of the
  /// clear-sky curve.
  std::vector<PvPoint> series;
};

/// PV production (W) at `t_s` seconds of the day.
double pv_power(const Pv& pv, double t_s);

/// Parses a CSV of `time,W` lines (time as seconds of the day or HH:MM[:SS]; a
/// first line that is not a number is a header; blank lines and `#` comments
/// are skipped) into points by time; nullopt with `error` naming the line.
std::optional<std::vector<PvPoint>> parse_pv_csv(std::string_view text, std::string& error);

/// A home battery with its own logic: charges from surplus, discharges to
/// cover a deficit, each up to its power limit, `efficiency` each way.
struct Battery {
  bool present = false;
  double capacity_wh = 10000;
  double soc_pct = 50;
  double max_charge_w = 5000;
  double max_discharge_w = 5000;
  double efficiency = 0.95;
  double min_soc_pct = 5;
  double max_soc_pct = 100;
};

/// One step of `dt_s` seconds of the battery on the site's net load `net_w`
/// (import positive, the battery left out): returns the battery's power
/// (charging positive) and updates `soc_pct`. An absent battery returns 0.
double battery_step(const Battery& battery, double& soc_pct, double net_w, double dt_s = 1);

/// A permanent change of the base load at a time of day.
struct BaseStep {
  std::int64_t at_s = 0;
  double delta_w = 0;
};

/// Building load: constant, or a seeded random walk (a uniform step of at
/// most `walk_w` every `walk_every_s`), plus steps, clamped to [min_w, max_w].
struct BaseLoad {
  double start_w = 0;
  double walk_w = 0;
  std::int64_t walk_every_s = 10;
  double min_w = 0;
  double max_w = 1e12;
  std::vector<BaseStep> steps;
  std::uint64_t seed = 1;
};

/// The base load second by second from `start_s`.
class BaseLoadModel {
 public:
  BaseLoadModel(BaseLoad settings, std::int64_t start_s);
  /// The load at second `t_s`; call once for each second, in order, from start_s.
  double step(std::int64_t t_s);
  double value() const { return value_; }

 private:
  double next_random();
  BaseLoad settings_;
  std::int64_t start_s_;
  std::uint64_t rng_;
  double value_;
};

/// What a car is and how it charges.
struct CarSettings {
  int phases = 3;
  double min_a = 6;        ///< Below it (offered less) the car draws nothing.
  double draw_max_a = 32;  ///< What the car takes at most (some draw less than offered).
  double capacity_wh = 60000;
  double soc_pct = 20;          ///< At arrival.
  double target_soc_pct = 100;  ///< Full: the car stops drawing.
  double taper_from_pct = 80;   ///< Above it the current falls linearly (never below min).
  double delay_s = 6;           ///< An offered limit takes effect this much later.
  double ramp_up_a_per_s = 5;   ///< Increases are ramped; decreases are immediate.
};

/// A car at an EVSE.
class Car {
 public:
  /// A car that follows `cap_a` (A per phase) until offered another limit.
  explicit Car(CarSettings settings, double cap_a = 0);

  /// A limit (A per phase) reaches the car at `t_s`; it takes effect `delay_s` later.
  void offer(double t_s, double limit_a);
  /// offer(), only when `limit_a` differs from the last limit offered.
  void follow(double t_s, double limit_a);
  /// What the car takes at most from now on.
  void set_draw_max(double draw_max_a) { draw_max_a_ = draw_max_a; }
  /// Advances to `t_s` by `dt_s` seconds: due limits apply, the draw follows
  /// them, the SoC rises. Returns the draw (A per phase).
  double step(double t_s, double dt_s = 1);

  double draw_a() const { return draw_a_; }
  double power_w() const { return power_of(settings_.phases, draw_a_); }
  double soc_pct() const { return soc_pct_; }
  double cap_a() const { return cap_a_; }
  const CarSettings& settings() const { return settings_; }

 private:
  CarSettings settings_;
  double soc_pct_;
  double draw_max_a_;
  double cap_a_;
  double draw_a_ = 0;
  std::optional<double> offered_a_;
  std::deque<std::pair<double, double>> pending_;  ///< (takes effect at, limit).
};

/// The site in one step: the battery acts on the net load, the grid meter
/// shows the rest (import positive).
struct Flow {
  double pv_w = 0;
  double base_w = 0;
  double cars_w = 0;
  double battery_w = 0;  ///< Charging positive.
  double grid_w = 0;     ///< base + cars + battery - PV.
};

/// One step of `dt_s` seconds: grid = base + cars + battery charge - PV, with
/// the battery (updating `soc_pct`) covering what it can of the net load.
Flow site_flow(double base_w, double cars_w, double pv_w, const Battery& battery, double& soc_pct,
               double dt_s = 1);

}  // namespace simulator::site
