#pragma once
// A simulated site for the site energy controller (issue 12, "Goals, measured
// and published"): PV, a home battery, a base load, cars that follow the limit
// the controller last sent after a delay, and a grid meter that is the sum,
// all on a simulated clock stepping every second. The controller loop runs
// csms::energy::allocate every period, the decrease-only path runs
// csms::energy::shed on a grid reading over the import limit, and what reaches
// the cars goes through csms::energy::profile_to_send. The goal metrics G1..G7
// are computed from the recorded time series.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "energy/allocation.hpp"
#include "simulator/site_model.hpp"

namespace energy_sim {

// The site's physics (PV, battery, base load, the car model) is the
// simulator's, shared with `ocpp-sim site` (simulator/site_model.hpp).
using simulator::site::BaseLoad;
using simulator::site::BaseStep;
using simulator::site::Battery;
using simulator::site::Cloud;
using simulator::site::Pv;
using simulator::site::pv_power;

/// A change of what a car can draw (its on-board charger, a thermal limit).
struct DrawChange {
  std::int64_t at_s = 0;
  double draw_max_a = 0;
};

/// One charging session: a car at an EVSE between its arrival and departure.
struct Car {
  std::string evse;  ///< EVSE key; several sessions may share one EVSE.
  std::string node;  ///< Circuit node ("" : the root).
  int phases = 3;
  double min_a = 6;
  double max_a = 32;       ///< The EVSE's maximum.
  double draw_max_a = 32;  ///< What the car takes at most (some draw less than offered).
  std::vector<DrawChange> draw_changes;
  std::int64_t arrive_s = 0;
  std::int64_t depart_s = 86400;
  double capacity_wh = 60000;
  double soc_pct = 20;
  double target_soc_pct = 100;
  double taper_from_pct = 80;  ///< Above it the car's current falls linearly (never below min).
  int priority = 0;
  csms::energy::Mode mode = csms::energy::Mode::Fast;
  bool smart_keep_minimum = false;
};

/// Everything a run needs. Times of day in seconds; the clock runs from
/// `start_s` to `end_s` in steps of one second.
struct Scenario {
  std::int64_t start_s = 0;
  std::int64_t end_s = 86400;
  int period_s = 15;  ///< Controller loop.
  csms::energy::SiteLimits limits;
  csms::energy::Parameters params;
  csms::energy::OutputPolicy policy;
  std::vector<csms::energy::Node> nodes;  ///< Empty: one root node "grid".
  Pv pv;
  Battery battery;
  BaseLoad base;
  std::vector<Car> cars;
  double safe_current_a = 6;  ///< Each EVSE's TxDefault (a new session starts at it).
  // Cars.
  std::int64_t car_delay_s = 6;    ///< A sent limit takes effect this much later.
  double car_ramp_up_a_per_s = 5;  ///< Increases are ramped by the car; decreases are immediate.
  // Site meters (grid, PV, battery: one device).
  std::int64_t meter_interval_s = 1;
  std::int64_t meter_delay_s = 0;  ///< A reading describes the site this long ago.
  std::int64_t meter_max_age_s = 60;
  std::int64_t meter_offline_from_s = -1;  ///< From then on no new readings (-1: never).
  bool meter_pv = true;
  bool meter_battery = true;
  bool meter_base = false;
  // Station meter values (each EVSE's draw).
  std::int64_t evse_meter_interval_s = 10;
  // Decrease-only path.
  bool shed = true;
  /// After a shed the next one waits this long, so the cars apply the first
  /// cut before it is cut again (shed() cannot see a cut in flight).
  std::int64_t shed_holdoff_s = 7;
};

/// A profile the controller sent to an EVSE.
struct SentProfile {
  std::int64_t t_s = 0;
  std::size_t evse = 0;  ///< Index into Run::evses.
  std::size_t car = 0;   ///< Session it reached.
  double current_a = 0;
  bool by_shed = false;
};

/// One controller period.
struct Period {
  std::int64_t t_s = 0;
  std::string binding;
  bool fail_safe = false;
  std::vector<double> decided_a;  ///< Per EVSE (0 where no car).
  std::vector<bool> active;       ///< Per EVSE.
  std::vector<double> min_a;      ///< Per EVSE: the session's minimum.
  std::vector<int> priority;      ///< Per EVSE.
  std::vector<std::string> limited_by;
};

/// The recorded run: per second site series, per car draws, profiles, periods.
struct Run {
  Scenario scenario;
  std::vector<std::string> evses;  ///< Distinct EVSE keys, in order of first use.
  std::vector<std::int64_t> t_s;
  std::vector<double> pv_w, base_w, cars_w, battery_w, grid_w;  ///< battery_w: charging positive.
  std::vector<std::vector<double>> car_draw_a;                  ///< [car][second]
  std::vector<std::vector<double>> car_cap_a;  ///< [car][second]: the limit the car follows.
  std::vector<SentProfile> profiles;
  std::vector<Period> periods;
  int sheds = 0;
  double battery_soc_end = 0;
};

/// Runs a scenario.
Run simulate(const Scenario& scenario);

// --- Goals ------------------------------------------------------------------

struct G1Result {
  int events = 0;                ///< Contiguous spells above the import limit.
  std::int64_t max_event_s = 0;  ///< Longest spell.
  double max_overshoot_pct = 0;  ///< Highest import above the limit, % of the limit.
  double max_avg15_w = 0;        ///< Highest 15-minute (clock-aligned) average import.
  double limit_w = 0;
};
/// G1: import above the limit per event, overshoot, 15-minute average.
G1Result goal_g1(const Run& run);

struct G2Result {
  std::int64_t stale_at_s = -1;  ///< When the last reading passed its maximum age.
  double sent_after_s = -1;      ///< Until every active EVSE was sent <= its safe limit.
  double applied_after_s = -1;   ///< Until every car drew <= its safe limit.
  int evses = 0;                 ///< Active EVSEs then.
};
/// G2: a stale meter puts every EVSE on its safe limit (-1: never).
G2Result goal_g2(const Run& run);

struct G3Result {
  double pv_kwh = 0;
  double export_kwh = 0;
  double cars_kwh = 0;
  double cars_grid_kwh = 0;  ///< Grid import attributed to the cars (pro rata of the load).
  double self_consumption = 0;
  double grid_share = 0;
};
/// G3: PV self-consumption and the grid share of the cars' energy.
G3Result goal_g3(const Run& run);

struct G4Result {
  int max_switches_10min = 0;  ///< Most starts+stops of one session in any 10 minutes.
  int max_stops_10min = 0;     ///< Most stops of one session in any 10 minutes.
  int total_switches = 0;
  int sessions = 0;
  double switches_per_session_10min = 0;  ///< Mean rate: switches / session-10-minutes.
};
/// G4: starts and stops per session, from the limits sent (the first profile
/// of a session sets its initial state and does not count).
G4Result goal_g4(const Run& run);

struct G5Result {
  int periods = 0;      ///< Periods in which the grid import limit bound.
  double min_jain = 1;  ///< Lowest Jain index of the admitted cars' allocations.
  double mean_jain = 1;
  double min_admitted_a = 0;         ///< Lowest allocation of an admitted car.
  double min_admitted_margin_a = 0;  ///< Lowest (allocation - minimum) over admitted cars.
  int admitted_min = 0;              ///< Fewest admitted cars in a binding period.
};
/// G5: fairness among equal priorities while the import limit binds.
G5Result goal_g5(const Run& run);

struct G6Result {
  int max_per_10s = 0;   ///< Most profiles one EVSE got in any 10 s.
  int max_per_hour = 0;  ///< Most profiles one EVSE got in [from_s, from_s + 3600).
  double mean_per_hour = 0;
};
/// G6: profile rate per EVSE (the hour counted from `steady_from_s`);
/// `count_shed` false leaves out the decreases the decrease-only path sent
/// while over the limit (the output policy lets those past the 10 s spacing).
G6Result goal_g6(const Run& run, std::int64_t steady_from_s, bool count_shed = true);

struct G7Result {
  double reclaim_s = -1;  ///< From the car's draw dropping to its limit being near the draw.
  double others_gain_s =
      -1;  ///< Until the other cars were sent at least half of the freed current.
  double freed_a = 0;
};
/// G7: the car `car` draws `draw_a` from `at_s`: when is its allocation within
/// `within_a` of its draw, and when do the others get the difference.
G7Result goal_g7(const Run& run, std::size_t car, std::int64_t at_s, double within_a);

struct G8Result {
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
};
/// G8: one allocation of `evses` EVSEs on `circuits` circuits, `runs` times.
G8Result goal_g8(int evses, int circuits, int runs);

// --- Scenarios used by the tests and the bench --------------------------------

Scenario scenario_g1();         ///< A busy day: fast cars, base walk with steps, clear PV, battery.
Scenario scenario_g1_clouds();  ///< The same day with PV cloud steps (-70 % in 10 s).
Scenario scenario_g2();  ///< Site meter goes offline at noon with no max base load configured.
Scenario scenario_g3();  ///< Smart cars on a clear day that can take all the surplus.
Scenario scenario_g4();  ///< Smart cars under cloud steps.
Scenario scenario_g5();  ///< Equal-priority fast cars under a binding import limit.
Scenario scenario_g6();  ///< Steady: constant base, no PV, long sessions.
Scenario scenario_g7();  ///< One car drops its draw while the limit binds.
constexpr std::int64_t kG2OfflineS = 12 * 3600;
constexpr std::int64_t kG6SteadyFromS = 3600;
constexpr std::size_t kG7Car = 0;
constexpr std::int64_t kG7AtS = 2 * 3600;
constexpr double kG7DrawA = 8;

}  // namespace energy_sim
