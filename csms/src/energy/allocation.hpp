#pragma once
// The site energy controller's arithmetic (docs/energy.md): per-node and
// per-phase budgets over a tree of circuits, PV surplus, minimum-current
// admission by priority then arrival, weighted max-min fair water-filling,
// reclaim of unused allocation, ramped increases and PV hysteresis. Pure: no
// storage, no sockets, time passed in; the energy service feeds it readings
// and turns its decisions into charging profiles.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace csms::energy {

/// Nominal phase voltage: P = kVoltage x I x phases.
constexpr double kVoltage = 230.0;

/// How an EVSE may charge.
enum class Mode {
  Fast,   ///< As fast as the limits allow.
  Smart,  ///< PV surplus only (optionally never below the minimum).
  Off,    ///< 0 A.
};

/// A node of the site's circuit tree: the grid connection (root, parent ""),
/// a transformer, a feeder, a fuse.
struct Node {
  std::string id;
  std::string parent;                   ///< "" for the root (the grid connection).
  std::optional<double> max_current_a;  ///< Per phase.
  std::optional<double> max_power_w;    ///< Import limit (the root: the grid connection).
  /// Uncontrolled load measured on this node (base load, per phase A), if metered.
  std::optional<double> measured_current_a[3];
  /// Has a meter: a missing per-phase reading then means stale, and the EVSEs
  /// below fall to their safe limits (fail safe); unmetered nodes count 0 A.
  bool metered = false;
};

/// One EVSE the controller steers.
struct Evse {
  std::string key;   ///< "station/evse", stable.
  std::string node;  ///< Node it hangs on ("" or unknown: the root).
  int phases = 3;    ///< 1, 2 or 3 phases used.
  /// Which grid phases (0=L1, 1=L2, 2=L3) the EVSE's L1..L3 are wired to.
  int phase_map[3] = {0, 1, 2};
  double min_current_a = 6;
  double max_current_a = 32;
  int priority = 0;  ///< Higher first; weights the fair share (weight = 1 + priority).
  Mode mode = Mode::Fast;
  bool smart_keep_minimum = false;           ///< Smart: never below the minimum while charging.
  bool active = false;                       ///< A car is connected and a transaction runs.
  std::int64_t arrived_ms = 0;               ///< When the transaction started (admission order).
  std::optional<double> measured_current_a;  ///< Highest phase current drawn now.
  double safe_current_a = 6;  ///< What the EVSE falls to when data is missing (its TxDefault).
};

/// Site readings (signs: grid import positive, battery charging positive).
/// A reading older than its maximum age is passed as nullopt (stale).
struct Readings {
  std::optional<double> grid_w;
  std::optional<double> pv_w;
  std::optional<double> battery_w;
  std::optional<double> battery_soc;  ///< %
  std::optional<double> base_w;       ///< Building load, if metered.
};

/// The site's settings that do not change every period.
struct SiteLimits {
  std::optional<double> import_limit_w;  ///< Grid connection (contract or fuse), W.
  double margin_w = 0;                   ///< Kept free below the import limit.
  double max_base_w = 0;               ///< Assumed base load when its reading is stale (fail safe).
  bool base_configured = false;        ///< False: no max base load known (stale -> safe limits).
  double battery_priority_soc = 0;     ///< Below it the battery charges before cars (%).
  double battery_max_discharge_w = 0;  ///< Battery power cars may use in Fast mode.
};

/// Controller parameters (docs/energy.md has their reasons).
struct Parameters {
  double ramp_a_per_s = 1.0;                  ///< Largest increase per second per EVSE.
  std::int64_t pv_enable_delay_ms = 60000;    ///< Surplus must last this long to start.
  std::int64_t pv_disable_delay_ms = 180000;  ///< Deficit must last this long to stop.
  std::int64_t min_pause_ms = 30000;          ///< A paused car stays paused at least this long.
  std::int64_t pv_restart_pause_ms = 600000;  ///< A Smart car the sun stopped restarts after this.
  std::int64_t rotation_hold_ms = 600000;  ///< Admitted cars rotate with waiting ones after this.
  double reclaim_gap_a = 1.0;  ///< Allocation above draw by more than this is reclaimed...
  int reclaim_samples = 3;     ///< ...after this many consecutive periods.
  /// A reclaimed cap rises 1 A a period while the draw is within this of it
  /// (below the reclaim gap, so a car that keeps its draw keeps its cap).
  double reclaim_raise_within_a = 0.5;
};

/// What the controller decided for one EVSE.
struct Decision {
  std::string key;
  double current_a = 0;  ///< Per phase; 0: paused (the transaction stays).
  double power_w = 0;    ///< kVoltage x current x phases.
  /// What binds: "grid import limit", "circuit F2 (32 A)", "PV surplus",
  /// "minimum not admitted (priority 0, arrived ...)", "EVSE maximum", "mode off",
  /// "ramp", "reclaimed (drawing 8 A)", "stale readings: safe limit", ...
  std::string limited_by;
};

/// Carried from one period to the next (hysteresis, ramps, reclaim, rotation).
struct State {
  std::map<std::string, double> last_current_a;  ///< Previous decisions.
  std::map<std::string, std::int64_t> paused_since_ms;
  std::map<std::string, std::int64_t> admitted_since_ms;
  std::map<std::string, int> reclaim_count;
  std::map<std::string, double> reclaim_cap_a;
  std::optional<std::int64_t> surplus_since_ms;  ///< PV surplus enough to start.
  std::optional<std::int64_t> deficit_since_ms;  ///< PV short of the running minimum.
  bool pv_charging = false;                      ///< Smart EVSEs are on (hysteresis).
};

/// One period's result.
struct Result {
  std::vector<Decision> decisions;  ///< One per input EVSE, same order.
  double budget_w = 0;              ///< Power available to the EVSEs at the root.
  std::string binding;              ///< The site-level limit that binds, in words.
  bool fail_safe = false;           ///< Stale data: safe limits applied.
};

/// One control period at `now_ms`: the allocation for every EVSE. `state` is
/// updated. Nodes whose parent is unknown hang on the root.
Result allocate(const std::vector<Node>& nodes, const std::vector<Evse>& evses,
                const Readings& readings, const SiteLimits& limits, const Parameters& params,
                State& state, std::int64_t now_ms, std::int64_t period_ms);

/// The decrease-only path: when a reading shows the import limit exceeded,
/// scales the current allocations down at once (no increases); empty when
/// nothing is exceeded.
std::vector<Decision> shed(const std::vector<Evse>& evses, const Readings& readings,
                           const SiteLimits& limits, const State& state);

/// Jain's fairness index of a set of allocations (1 = perfectly fair).
double jain_index(const std::vector<double>& values);

/// What was last sent to one EVSE as its dynamic profile.
struct Sent {
  double current_a = -1;  ///< < 0: nothing sent yet.
  std::int64_t at_ms = 0;
};

/// When a decision becomes a profile (flash wear, OCPP pitfalls): at most one
/// per EVSE per `min_interval_ms`, only for a change of `significant_a` or
/// more (or to or from 0 A), or to renew the lease shortly before it ends; a
/// decrease while the site is over its limit is not held back.
struct OutputPolicy {
  std::int64_t min_interval_ms = 10000;
  double significant_a = 1.0;
  std::int64_t lease_ms = 900000;  ///< 0: no lease.
};

/// The limit to send to an EVSE now (rounded down to 0.1 A, as 1.6 takes one
/// decimal), or nullopt to send nothing.
std::optional<double> profile_to_send(const OutputPolicy& policy, const Sent& last,
                                      double decided_a, bool over_limit, std::int64_t now_ms);

}  // namespace csms::energy
