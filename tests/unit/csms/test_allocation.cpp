// The site energy controller's arithmetic (csms/src/energy/allocation.hpp):
// budgets per node and phase, admission, fair water-filling, reclaim, ramps,
// PV hysteresis, fail safe and the decrease-only shed path.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "energy/allocation.hpp"

using namespace csms::energy;

namespace {

Node node(const std::string& id, const std::string& parent, std::optional<double> max_a,
          std::optional<double> max_w = std::nullopt) {
  Node n;
  n.id = id;
  n.parent = parent;
  n.max_current_a = max_a;
  n.max_power_w = max_w;
  return n;
}

Evse car(const std::string& key, const std::string& on, int phases = 3, double max_a = 32,
         int priority = 0, std::int64_t arrived = 0) {
  Evse e;
  e.key = key;
  e.node = on;
  e.phases = phases;
  e.max_current_a = max_a;
  e.priority = priority;
  e.arrived_ms = arrived;
  e.active = true;
  return e;
}

/// A site whose grid meter is the sum of its loads and whose cars follow
/// their allocation at once (unless told to draw less).
struct Site {
  std::vector<Node> nodes;
  std::vector<Evse> evses;
  Readings readings;
  SiteLimits limits;
  Parameters params;
  State state;
  std::int64_t now = 0;
  std::int64_t period = 15000;
  double base_w = 0;
  double pv_w = 0;
  std::vector<double> draw_at_most;  ///< Per EVSE: what the car takes at most (<0: all).

  Site() { params.ramp_a_per_s = 100; }  // Most tests look at steady shares.

  double ev_power() const {
    double p = 0;
    for (const Evse& e : evses)
      if (e.measured_current_a) p += kVoltage * *e.measured_current_a * e.phases;
    return p;
  }
  void meter() { readings.grid_w = base_w + ev_power() - pv_w; }
  Result step() {
    meter();
    Result r = allocate(nodes, evses, readings, limits, params, state, now, period);
    now += period;
    for (std::size_t i = 0; i < evses.size(); ++i) {
      double a = r.decisions[i].current_a;
      if (i < draw_at_most.size() && draw_at_most[i] >= 0) a = std::min(a, draw_at_most[i]);
      evses[i].measured_current_a = a;
    }
    return r;
  }
  Result settle(int periods = 4) {
    Result r;
    for (int i = 0; i < periods; ++i) r = step();
    return r;
  }
};

double plan_power(const Result& r) {
  double p = 0;
  for (const Decision& d : r.decisions) p += d.power_w;
  return p;
}

/// A tiny deterministic generator, so failures reproduce.
struct Lcg {
  std::uint64_t s;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

}  // namespace

TEST_CASE("the grid limit is never exceeded in the plan", "[energy]") {
  Lcg rng{42};
  for (int trial = 0; trial < 50; ++trial) {
    Site s;
    s.limits.import_limit_w = 20000 + 80000 * rng.next();
    s.limits.margin_w = 1000 * rng.next();
    s.nodes.push_back(node("grid", "", std::nullopt));
    s.nodes.push_back(node("F1", "grid", 63));
    const int cars = 1 + static_cast<int>(rng.next() * 30);
    for (int i = 0; i < cars; ++i) {
      const int phases = rng.next() < 0.3 ? 1 : 3;
      Evse e = car("cs" + std::to_string(i) + "/1", rng.next() < 0.5 ? "F1" : "grid", phases,
                   16 + 16 * rng.next(), rng.next() < 0.2 ? 1 : 0, i);
      e.phase_map[0] = static_cast<int>(rng.next() * 3);
      s.evses.push_back(e);
    }
    for (int period = 0; period < 12; ++period) {
      s.base_w = 30000 * rng.next();
      s.pv_w = 10000 * rng.next();
      s.meter();
      const double uncontrolled = *s.readings.grid_w - s.ev_power();
      const Result r = s.step();
      CAPTURE(trial, period, r.budget_w);
      // Base load alone may exceed the limit: then nothing is planned.
      const double room = *s.limits.import_limit_w - s.limits.margin_w - uncontrolled;
      CHECK(plan_power(r) <= std::max(0.0, room) + 1e-6);
    }
  }
}

TEST_CASE("a circuit fuse binds per phase and spares the other phases", "[energy]") {
  Site s;
  s.limits.import_limit_w = 200000;
  s.nodes = {node("grid", "", std::nullopt), node("F2", "grid", 32)};
  for (int i = 0; i < 3; ++i) s.evses.push_back(car("l1-" + std::to_string(i), "F2", 1, 32));
  Evse l2 = car("l2", "F2", 1, 20);
  l2.phase_map[0] = 1;
  s.evses.push_back(l2);
  const Result r = s.settle();
  double l1 = 0;
  for (int i = 0; i < 3; ++i) {
    l1 += r.decisions[static_cast<std::size_t>(i)].current_a;
    CHECK(r.decisions[static_cast<std::size_t>(i)].current_a == Approx(10.6));
    CHECK(r.decisions[static_cast<std::size_t>(i)].limited_by == "circuit F2 (32 A)");
  }
  CHECK(l1 <= 32.0 + 1e-9);
  CHECK(r.decisions[3].current_a == Approx(20));
  CHECK(r.decisions[3].limited_by == "EVSE maximum (20 A)");
}

TEST_CASE("a nested feeder binds below its parent and unknown nodes hang on the root", "[energy]") {
  Site s;
  s.nodes = {node("grid", "", 100), node("T1", "grid", 40), node("F3", "T1", 16),
             node("lost", "nowhere", std::nullopt)};
  s.evses = {car("a", "F3"), car("b", "T1"), car("c", "lost"), car("d", "")};
  const Result r = s.settle();
  CHECK(r.decisions[0].current_a == Approx(16));
  CHECK(r.decisions[0].limited_by == "circuit F3 (16 A)");
  CHECK(r.decisions[1].current_a == Approx(24));
  CHECK(r.decisions[1].limited_by == "circuit T1 (40 A)");
  // 100 A at the grid: 40 on T1, 30 each for the two on the root.
  CHECK(r.decisions[2].current_a == Approx(30));
  CHECK(r.decisions[3].current_a == Approx(30));
  CHECK(r.decisions[3].limited_by == "circuit grid (100 A)");
}

TEST_CASE("minimums are admitted by priority then arrival and the rest pause at 0 A", "[energy]") {
  Site s;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 20)};
  for (int i = 0; i < 4; ++i) s.evses.push_back(car("c" + std::to_string(i), "F1", 3, 32, 0, i));
  s.evses.push_back(car("vip", "F1", 3, 32, 1, 100));  // Arrives last, ranks first.
  const Result r = s.step();
  CHECK(r.decisions[4].current_a >= 6);
  CHECK(r.decisions[0].current_a >= 6);
  CHECK(r.decisions[1].current_a >= 6);
  CHECK(r.decisions[2].current_a == 0);
  CHECK(r.decisions[3].current_a == 0);
  CHECK(r.decisions[2].limited_by.find("minimum not admitted (priority 0, arrived 2") == 0);
  CHECK(r.decisions[3].limited_by.find("circuit F1 (20 A)") != std::string::npos);
  double total = 0;
  for (const Decision& d : r.decisions) total += d.current_a;
  CHECK(total <= 20 + 1e-9);
}

TEST_CASE("equal priorities share fairly under a binding limit with every car at its minimum",
          "[energy]") {
  Site s;
  s.limits.import_limit_w = 100000;
  s.base_w = 10000;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 100), node("F2", "grid", 100)};
  for (int i = 0; i < 12; ++i)
    s.evses.push_back(car("c" + std::to_string(i), i % 2 ? "F1" : "F2", 3, i == 0 ? 10 : 32, 0, i));
  const Result r = s.settle();
  std::vector<double> shares;
  for (std::size_t i = 0; i < s.evses.size(); ++i) {
    CHECK(r.decisions[i].current_a >= s.evses[i].min_current_a);
    shares.push_back(r.decisions[i].current_a);
  }
  const double j = jain_index(shares);
  INFO("Jain " << j);
  CHECK(j >= 0.95);
  CHECK(r.binding == "grid import limit (100000 W)");
  CHECK(r.decisions[0].limited_by == "EVSE maximum (10 A)");
  CHECK(r.decisions[1].limited_by == "grid import limit (100000 W)");
}

TEST_CASE("priority weights the fair share", "[energy]") {
  Site s;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 30)};
  s.evses = {car("low", "F1", 3, 32, 0), car("high", "F1", 3, 32, 1)};
  const Result r = s.settle();
  CHECK(r.decisions[0].current_a == Approx(10));
  CHECK(r.decisions[1].current_a == Approx(20));
}

TEST_CASE("unused allocation is reclaimed within 3 periods and raised again when drawn",
          "[energy]") {
  Site s;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 32)};
  s.evses = {car("lazy", "F1"), car("busy", "F1")};
  Result r = s.step();
  CHECK(r.decisions[0].current_a == Approx(16));
  s.draw_at_most = {8, -1};
  r = s.step();  // Offered 16, draws 8 from now on.
  int periods = 0;
  while (r.decisions[0].current_a > 9.5 && periods < 10) {
    r = s.step();
    ++periods;
  }
  CHECK(periods <= 3);
  CHECK(r.decisions[0].current_a == Approx(9));
  CHECK(r.decisions[0].limited_by == "reclaimed (drawing 8 A)");
  CHECK(r.decisions[1].current_a == Approx(23));
  // A steady draw keeps the cap: no oscillation.
  for (int i = 0; i < 6; ++i) r = s.step();
  CHECK(r.decisions[0].current_a == Approx(9));
  // The car takes what it gets again: 1 A more each period until the cap goes.
  s.draw_at_most = {-1, -1};
  r = s.step();  // Meters lag a period: it still drew 8 A.
  CHECK(r.decisions[0].current_a == Approx(9));
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(10));
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(11));
  r = s.settle(10);
  CHECK(r.decisions[0].current_a == Approx(16));
  CHECK(s.state.reclaim_cap_a.count("lazy") == 0);
}

TEST_CASE("increases are ramped and decreases are immediate", "[energy]") {
  Site s;
  s.params.ramp_a_per_s = 1;
  s.period = 5000;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 32)};
  s.evses = {car("a", "F1")};
  Result r = s.step();
  CHECK(r.decisions[0].current_a == Approx(6));  // From 0 a car starts at its minimum.
  CHECK(r.decisions[0].limited_by == "ramp");
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(11));
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(16));
  s.nodes[1].max_current_a = 8;
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(8));
  CHECK(r.decisions[0].limited_by == "circuit F1 (8 A)");
}

TEST_CASE(
    "smart mode starts after the enable delay survives a cloud and stops after a long "
    "deficit",
    "[energy]") {
  Site s;
  s.limits.import_limit_w = 50000;
  s.nodes = {node("grid", "", std::nullopt)};
  Evse e = car("pv", "grid", 3, 16);
  e.mode = Mode::Smart;
  s.evses = {e};
  s.base_w = 1000;
  s.pv_w = 8000;  // 7 kW surplus: more than the 4140 W minimum.
  Result r;
  for (std::int64_t t = 0; t < 60000; t += s.period) {
    r = s.step();
    CHECK(r.decisions[0].current_a == 0);
    CHECK(r.decisions[0].limited_by == "PV surplus too small");
  }
  r = s.step();                                     // 60 s of surplus.
  CHECK(r.decisions[0].current_a == Approx(10.1));  // 7000 W / 690 W per A, rounded down.
  CHECK(r.decisions[0].limited_by == "PV surplus (7000 W)");
  r = s.step();
  CHECK(r.decisions[0].current_a == Approx(10.1));
  // A one-minute cloud: the car stays on at its minimum.
  s.pv_w = 2000;
  for (int i = 0; i < 4; ++i) {
    r = s.step();
    CHECK(r.decisions[0].current_a == Approx(6));
  }
  s.pv_w = 8000;
  r = s.step();
  CHECK(r.decisions[0].current_a > 6);
  // A long deficit stops it after the disable delay (180 s).
  s.pv_w = 2000;
  int on = 0;
  for (int i = 0; i < 20; ++i) {
    r = s.step();
    if (r.decisions[0].current_a > 0) ++on;
  }
  CHECK(on == 12);  // 180 s / 15 s periods at the minimum, then off.
  CHECK(r.decisions[0].current_a == 0);
  CHECK(r.decisions[0].limited_by == "PV surplus too small");
  CHECK_FALSE(s.state.pv_charging);
}

TEST_CASE("smart keep minimum charges at the minimum without surplus", "[energy]") {
  Site s;
  s.limits.import_limit_w = 50000;
  s.nodes = {node("grid", "", std::nullopt)};
  Evse e = car("pv", "grid", 1, 16);
  e.mode = Mode::Smart;
  e.smart_keep_minimum = true;
  s.evses = {e, car("off", "grid")};
  s.evses[1].mode = Mode::Off;
  s.base_w = 1000;
  const Result r = s.settle();
  CHECK(r.decisions[0].current_a == Approx(6));
  CHECK(r.decisions[1].current_a == 0);
  CHECK(r.decisions[1].limited_by == "mode off");
}

TEST_CASE("a stale grid reading with no base load configured fails safe", "[energy]") {
  Site s;
  s.limits.import_limit_w = 50000;
  s.nodes = {node("grid", "", std::nullopt)};
  s.evses = {car("a", "grid"), car("b", "grid", 3, 6), car("c", "grid"), car("none", "grid")};
  s.evses[0].safe_current_a = 8;
  s.evses[1].safe_current_a = 10;  // Above its maximum of 6 A.
  s.evses[3].active = false;
  s.settle();
  s.readings.grid_w.reset();
  Result r = allocate(s.nodes, s.evses, s.readings, s.limits, s.params, s.state, s.now, s.period);
  CHECK(r.fail_safe);
  CHECK(r.decisions[0].current_a == Approx(8));
  CHECK(r.decisions[1].current_a == Approx(6));
  CHECK(r.decisions[2].current_a == Approx(6));
  CHECK(r.decisions[0].limited_by == "stale readings: safe limit");
  CHECK(r.decisions[3].current_a == 0);
  CHECK(r.decisions[3].limited_by == "no car");
  // With a configured maximum base load the budget is the limit minus it.
  s.limits.base_configured = true;
  s.limits.max_base_w = 40000;
  r = allocate(s.nodes, s.evses, s.readings, s.limits, s.params, s.state, s.now, s.period);
  CHECK_FALSE(r.fail_safe);
  CHECK(r.budget_w == Approx(10000));
  CHECK(plan_power(r) <= 10000);
}

TEST_CASE("a stale circuit meter puts its EVSEs on their safe limits", "[energy]") {
  Site s;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 32), node("F2", "grid", 32)};
  s.nodes[1].metered = true;
  s.nodes[1].measured_current_a[0] = 2;  // L2 and L3 missing: stale.
  s.evses = {car("a", "F1"), car("b", "F2")};
  const Result r = s.settle();
  CHECK_FALSE(r.fail_safe);
  CHECK(r.decisions[0].current_a == Approx(6));
  CHECK(r.decisions[0].limited_by == "stale readings: safe limit");
  CHECK(r.decisions[1].current_a == Approx(32));
}

TEST_CASE("an admitted car yields to a waiting one after the rotation hold", "[energy]") {
  Site s;
  s.params.rotation_hold_ms = 60000;
  s.params.min_pause_ms = 30000;
  s.nodes = {node("grid", "", std::nullopt), node("F1", "grid", 10)};
  s.evses = {car("first", "F1", 3, 32, 0, 0), car("second", "F1", 3, 32, 0, 1)};
  Result r = s.step();
  CHECK(r.decisions[0].current_a == Approx(10));
  CHECK(r.decisions[1].current_a == 0);
  int switches = 0;
  double last_first = r.decisions[0].current_a;
  for (int i = 0; i < 20; ++i) {  // 5 minutes.
    r = s.step();
    CHECK(r.decisions[0].current_a + r.decisions[1].current_a <= 10 + 1e-9);
    if ((r.decisions[0].current_a > 0) != (last_first > 0)) ++switches;
    last_first = r.decisions[0].current_a;
  }
  CHECK(switches >= 3);
  CHECK(switches <= 5);
}

TEST_CASE("shed scales the allocations down at once when the import limit is exceeded",
          "[energy]") {
  Site s;
  s.limits.import_limit_w = 50000;
  s.nodes = {node("grid", "", std::nullopt)};
  for (int i = 0; i < 4; ++i) s.evses.push_back(car("c" + std::to_string(i), "grid", 3, 16));
  s.settle();
  s.readings.grid_w = 49000;
  CHECK(shed(s.evses, s.readings, s.limits, s.state).empty());
  s.readings.grid_w = 55000;  // Base load jumped: 5 kW over.
  const std::vector<Decision> d = shed(s.evses, s.readings, s.limits, s.state);
  REQUIRE(d.size() == 4);
  double before = 0;
  double after = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    before += kVoltage * 16 * 3;
    after += d[i].power_w;
    CHECK(d[i].current_a < 16);
    CHECK(d[i].current_a == Approx(d[0].current_a));
  }
  CHECK(before - after >= 5000);
  CHECK(before - after <= 5000 + 4 * 0.1 * 690 + 1e-6);
  // An excess beyond all charging pauses everyone, never below 0.
  s.readings.grid_w = 150000;
  for (const Decision& x : shed(s.evses, s.readings, s.limits, s.state)) CHECK(x.current_a == 0);
}

TEST_CASE("jain index of equal and unequal shares", "[energy]") {
  CHECK(jain_index({}) == 1);
  CHECK(jain_index({10, 10, 10}) == Approx(1));
  CHECK(jain_index({10, 0}) == Approx(0.5));
  CHECK(jain_index({0, 0}) == 1);
}

// A vector table: site limit, base load, cars (all 3-phase, 6..max A, equal
// priority, on the root), the current each car gets.
TEST_CASE("allocation test vectors", "[energy]") {
  struct Vector {
    const char* name;
    double import_w;
    double base_w;
    int cars;
    double max_a;
    double each_a;
    const char* limited_by;
  };
  const Vector table[] = {
      {"one car free", 50000, 0, 1, 32, 32, "EVSE maximum (32 A)"},
      {"two cars share", 22080, 0, 2, 32, 16, "grid import limit (22080 W)"},
      {"base load first", 50000, 10000, 4, 32, 14.4, "grid import limit (50000 W)"},
      {"minimum does not fit", 4000, 0, 1, 32, 0, "minimum not admitted"},
      {"exactly the minimum", 4140, 0, 1, 32, 6, "grid import limit (4140 W)"},
      {"max below share", 100000, 0, 2, 16, 16, "EVSE maximum (16 A)"},
  };
  for (const Vector& v : table) {
    Site s;
    s.limits.import_limit_w = v.import_w;
    s.base_w = v.base_w;
    for (int i = 0; i < v.cars; ++i)
      s.evses.push_back(car("c" + std::to_string(i), "", 3, v.max_a));
    const Result r = s.settle();
    INFO(v.name);
    for (const Decision& d : r.decisions) {
      CHECK(d.current_a == Approx(v.each_a));
      CHECK(d.limited_by.find(v.limited_by) == 0);
    }
  }
}

TEST_CASE("one allocation of 500 EVSEs on 50 circuits", "[energy]") {
  std::vector<Node> nodes{node("grid", "", std::nullopt)};
  for (int t = 0; t < 5; ++t) nodes.push_back(node("T" + std::to_string(t), "grid", 1000));
  for (int c = 0; c < 50; ++c)
    nodes.push_back(node("F" + std::to_string(c), "T" + std::to_string(c % 5), 125));
  std::vector<Evse> evses;
  Lcg rng{7};
  for (int i = 0; i < 500; ++i) {
    Evse e = car("cs" + std::to_string(i) + "/1", "F" + std::to_string(i % 50),
                 rng.next() < 0.3 ? 1 : 3, rng.next() < 0.5 ? 16 : 32, rng.next() < 0.1 ? 1 : 0, i);
    e.phase_map[0] = i % 3;
    e.measured_current_a = 10;
    evses.push_back(e);
  }
  Readings readings;
  readings.grid_w = 900000;
  SiteLimits limits;
  limits.import_limit_w = 1500000;
  Parameters params;
  State warm;
  allocate(nodes, evses, readings, limits, params, warm, 0, 15000);
  const int runs = 20;
  double best_ms = 1e9;
  double total_ms = 0;
  Result r;
  for (int i = 0; i < runs; ++i) {
    State state = warm;
    const auto t0 = std::chrono::steady_clock::now();
    r = allocate(nodes, evses, readings, limits, params, state, 15000, 15000);
    const std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
    best_ms = std::min(best_ms, dt.count());
    total_ms += dt.count();
  }
  WARN("500 EVSEs on 50 circuits: best " << best_ms << " ms, mean " << total_ms / runs << " ms");
  REQUIRE(r.decisions.size() == 500);
  CHECK(best_ms < 500);  // Generous: the G8 figure is measured by the benchmark.
}
