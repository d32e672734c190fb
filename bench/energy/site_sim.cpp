#include "site_sim.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace energy_sim {

using csms::energy::Decision;
using csms::energy::Evse;
using csms::energy::Mode;
using csms::energy::Node;
using csms::energy::Readings;
using csms::energy::Result;
using csms::energy::Sent;
using csms::energy::State;

namespace {

constexpr double kEps = 1e-9;

/// A small deterministic generator, so every run reproduces.
struct Lcg {
  std::uint64_t s;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

/// The site meters' view of one second.
struct Reading {
  std::int64_t at_s = 0;
  double grid_w = 0, pv_w = 0, battery_w = 0, soc = 0, base_w = 0;
  bool valid = false;
};

struct CarState {
  bool seen = false;
  bool present = false;
  std::optional<simulator::site::Car> model;  ///< From its arrival.
  double draw_a = 0;
};

}  // namespace

Run simulate(const Scenario& sc) {
  Run run;
  run.scenario = sc;
  std::vector<Node> nodes = sc.nodes;
  if (nodes.empty()) {
    Node root;
    root.id = "grid";
    nodes.push_back(root);
  }
  const std::size_t ncars = sc.cars.size();
  std::vector<std::size_t> car_evse(ncars, 0);
  for (std::size_t c = 0; c < ncars; ++c) {
    const auto it = std::find(run.evses.begin(), run.evses.end(), sc.cars[c].evse);
    car_evse[c] = static_cast<std::size_t>(it - run.evses.begin());
    if (it == run.evses.end()) run.evses.push_back(sc.cars[c].evse);
  }
  const std::size_t nevse = run.evses.size();
  const std::size_t seconds =
      static_cast<std::size_t>(std::max<std::int64_t>(0, sc.end_s - sc.start_s));
  run.t_s.reserve(seconds);
  for (auto* v : {&run.pv_w, &run.base_w, &run.cars_w, &run.battery_w, &run.grid_w})
    v->reserve(seconds);
  run.car_draw_a.assign(ncars, std::vector<double>(seconds, 0.0));
  run.car_cap_a.assign(ncars, std::vector<double>(seconds, 0.0));
  std::vector<double> soc_series;
  soc_series.reserve(seconds);

  std::vector<CarState> cars(ncars);
  auto car_settings = [&sc](const Car& car) {
    simulator::site::CarSettings s;
    s.phases = car.phases;
    s.min_a = car.min_a;
    s.draw_max_a = car.draw_max_a;
    s.capacity_wh = car.capacity_wh;
    s.soc_pct = car.soc_pct;
    s.target_soc_pct = car.target_soc_pct;
    s.taper_from_pct = car.taper_from_pct;
    s.delay_s = static_cast<double>(sc.car_delay_s);
    s.ramp_up_a_per_s = sc.car_ramp_up_a_per_s;
    return s;
  };
  std::vector<long> session(nevse, -1);  // Car at each EVSE (-1: none).
  std::vector<Sent> sent(nevse);
  std::vector<std::optional<double>> measured(nevse);
  State state;
  simulator::site::BaseLoadModel base_load(sc.base, sc.start_s);
  double batt_soc = sc.battery.soc_pct;
  Reading reading;
  std::int64_t last_shed = sc.start_s - 1000000;
  const double limit = sc.limits.import_limit_w.value_or(0);

  auto build = [&]() {
    std::vector<Evse> evs(nevse);
    for (std::size_t e = 0; e < nevse; ++e) {
      Evse& ev = evs[e];
      ev.key = run.evses[e];
      ev.safe_current_a = sc.safe_current_a;
      if (session[e] < 0) continue;
      const Car& car = sc.cars[static_cast<std::size_t>(session[e])];
      ev.node = car.node;
      ev.phases = car.phases;
      ev.min_current_a = car.min_a;
      ev.max_current_a = car.max_a;
      ev.priority = car.priority;
      ev.mode = car.mode;
      ev.smart_keep_minimum = car.smart_keep_minimum;
      ev.active = true;
      ev.arrived_ms = car.arrive_s * 1000;
      ev.measured_current_a = measured[e];
    }
    return evs;
  };
  auto readings_at = [&](std::int64_t t) {
    Readings r;
    if (!reading.valid || t - reading.at_s > sc.meter_max_age_s) return r;  // Stale.
    r.grid_w = reading.grid_w;
    if (sc.meter_pv) r.pv_w = reading.pv_w;
    if (sc.meter_battery && sc.battery.present) {
      r.battery_w = reading.battery_w;
      r.battery_soc = reading.soc;
    }
    if (sc.meter_base) r.base_w = reading.base_w;
    return r;
  };
  auto send = [&](std::int64_t t, std::size_t e, double decided, bool over, bool by_shed) {
    if (session[e] < 0) return;
    const auto v = csms::energy::profile_to_send(sc.policy, sent[e], decided, over, t * 1000);
    if (!v) return;
    sent[e] = Sent{*v, t * 1000};
    const std::size_t c = static_cast<std::size_t>(session[e]);
    cars[c].model->offer(static_cast<double>(t), *v);
    run.profiles.push_back(SentProfile{t, e, c, *v, by_shed});
  };

  for (std::int64_t t = sc.start_s; t < sc.end_s; ++t) {
    const std::size_t idx = static_cast<std::size_t>(t - sc.start_s);
    // Cars: sessions start and end, limits take effect, draws follow.
    double cars_w = 0;
    for (std::size_t c = 0; c < ncars; ++c) {
      const Car& car = sc.cars[c];
      CarState& cs = cars[c];
      const std::size_t e = car_evse[c];
      const bool present = t >= car.arrive_s && t < car.depart_s;
      if (present && !cs.seen) {
        cs.seen = true;
        // The EVSE's TxDefault: a session starts safe.
        cs.model.emplace(car_settings(car), sc.safe_current_a);
        session[e] = static_cast<long>(c);
        sent[e] = Sent{};
        measured[e].reset();
      }
      if (!present) {
        if (cs.present && session[e] == static_cast<long>(c)) {
          session[e] = -1;
          sent[e] = Sent{};
          measured[e].reset();
        }
        cs.present = false;
        cs.draw_a = 0;
        continue;
      }
      cs.present = true;
      for (const DrawChange& d : car.draw_changes)
        if (d.at_s == t) cs.model->set_draw_max(d.draw_max_a);
      cs.draw_a = cs.model->step(static_cast<double>(t));
      const double p = cs.model->power_w();
      cars_w += p;
      run.car_draw_a[c][idx] = cs.draw_a;
      run.car_cap_a[c][idx] = cs.model->cap_a();
    }

    // PV, base load, and the home battery covering what it can of the net load.
    const double pv = pv_power(sc.pv, static_cast<double>(t));
    const double base = base_load.step(t);
    const simulator::site::Flow flow =
        simulator::site::site_flow(base, cars_w, pv, sc.battery, batt_soc);
    const double batt = flow.battery_w;
    const double grid = flow.grid_w;
    run.t_s.push_back(t);
    run.pv_w.push_back(pv);
    run.base_w.push_back(base);
    run.cars_w.push_back(cars_w);
    run.battery_w.push_back(batt);
    run.grid_w.push_back(grid);
    soc_series.push_back(batt_soc);

    // Meters.
    bool new_reading = false;
    const bool online = sc.meter_offline_from_s < 0 || t < sc.meter_offline_from_s;
    if (online && (t - sc.start_s) % std::max<std::int64_t>(1, sc.meter_interval_s) == 0) {
      const std::int64_t back = std::min<std::int64_t>(sc.meter_delay_s, t - sc.start_s);
      const std::size_t j = idx - static_cast<std::size_t>(back);
      reading = Reading{t - back,      run.grid_w[j], run.pv_w[j], run.battery_w[j],
                        soc_series[j], run.base_w[j], true};
      new_reading = true;
    }
    if ((t - sc.start_s) % std::max<std::int64_t>(1, sc.evse_meter_interval_s) == 0)
      for (std::size_t e = 0; e < nevse; ++e) {
        if (session[e] < 0)
          measured[e].reset();
        else
          measured[e] = cars[static_cast<std::size_t>(session[e])].draw_a;
      }

    // Decrease-only path: a fresh reading over the import limit.
    if (sc.shed && new_reading && sc.limits.import_limit_w && t - last_shed >= sc.shed_holdoff_s) {
      const Readings rd = readings_at(t);
      if (rd.grid_w && *rd.grid_w > limit) {
        const std::vector<Evse> evs = build();
        const std::vector<Decision> out = csms::energy::shed(evs, rd, sc.limits, state);
        if (!out.empty()) {
          ++run.sheds;
          const std::size_t before = run.profiles.size();
          for (std::size_t e = 0; e < nevse; ++e) {
            if (!evs[e].active) continue;
            state.last_current_a[evs[e].key] = out[e].current_a;
            send(t, e, out[e].current_a, true, true);
          }
          // The hold-off starts with a cut that reached a car.
          if (run.profiles.size() > before) last_shed = t;
        }
      }
    }

    // Controller loop.
    if ((t - sc.start_s) % std::max(1, sc.period_s) == 0) {
      const Readings rd = readings_at(t);
      const std::vector<Evse> evs = build();
      const Result r = csms::energy::allocate(nodes, evs, rd, sc.limits, sc.params, state, t * 1000,
                                              std::int64_t{sc.period_s} * 1000);
      const bool over = rd.grid_w && sc.limits.import_limit_w && *rd.grid_w > limit;
      Period p;
      p.t_s = t;
      p.binding = r.binding;
      p.fail_safe = r.fail_safe;
      for (std::size_t e = 0; e < nevse; ++e) {
        p.decided_a.push_back(r.decisions[e].current_a);
        p.active.push_back(evs[e].active);
        p.min_a.push_back(evs[e].min_current_a);
        p.priority.push_back(evs[e].priority);
        p.limited_by.push_back(r.decisions[e].limited_by);
        if (evs[e].active) send(t, e, r.decisions[e].current_a, over, false);
      }
      run.periods.push_back(std::move(p));
    }
  }
  run.battery_soc_end = batt_soc;
  return run;
}

// --- Goals ------------------------------------------------------------------

G1Result goal_g1(const Run& run) {
  G1Result g;
  g.limit_w = run.scenario.limits.import_limit_w.value_or(0);
  if (g.limit_w <= 0) return g;
  std::int64_t spell = 0;
  double sum15 = 0;
  int n15 = 0;
  for (std::size_t i = 0; i < run.grid_w.size(); ++i) {
    const double over = run.grid_w[i] - g.limit_w;
    if (over > kEps) {
      if (spell == 0) ++g.events;
      ++spell;
      g.max_event_s = std::max(g.max_event_s, spell);
      g.max_overshoot_pct = std::max(g.max_overshoot_pct, over / g.limit_w * 100);
    } else {
      spell = 0;
    }
    if (run.t_s[i] % 900 == 0 && n15 > 0) {
      g.max_avg15_w = std::max(g.max_avg15_w, sum15 / n15);
      sum15 = 0;
      n15 = 0;
    }
    sum15 += run.grid_w[i];
    ++n15;
  }
  if (n15 > 0) g.max_avg15_w = std::max(g.max_avg15_w, sum15 / n15);
  return g;
}

namespace {

/// The limit the session `car` was last sent at or before `t` (its TxDefault
/// before any profile), or nullopt when it is not present.
struct SentIndex {
  std::vector<std::vector<std::pair<std::int64_t, double>>> per_car;
  explicit SentIndex(const Run& run) : per_car(run.scenario.cars.size()) {
    for (const SentProfile& p : run.profiles) per_car[p.car].emplace_back(p.t_s, p.current_a);
  }
  double at(std::size_t car, std::int64_t t, double fallback) const {
    const auto& v = per_car[car];
    auto it = std::upper_bound(v.begin(), v.end(), std::make_pair(t, 1e300));
    return it == v.begin() ? fallback : std::prev(it)->second;
  }
};

bool present(const Car& c, std::int64_t t) {
  return t >= c.arrive_s && t < c.depart_s;
}

}  // namespace

G2Result goal_g2(const Run& run) {
  G2Result g;
  const Scenario& sc = run.scenario;
  if (sc.meter_offline_from_s < 0) return g;
  // The last reading taken before the meter went offline.
  const std::int64_t interval = std::max<std::int64_t>(1, sc.meter_interval_s);
  std::int64_t last = sc.meter_offline_from_s - 1;
  while ((last - sc.start_s) % interval != 0) --last;
  last -= sc.meter_delay_s;
  g.stale_at_s = last + sc.meter_max_age_s;
  const SentIndex index(run);
  for (std::size_t c = 0; c < sc.cars.size(); ++c)
    if (present(sc.cars[c], g.stale_at_s)) ++g.evses;
  for (std::int64_t t = g.stale_at_s; t < sc.end_s && (g.sent_after_s < 0 || g.applied_after_s < 0);
       ++t) {
    const std::size_t idx = static_cast<std::size_t>(t - sc.start_s);
    bool sent_ok = true;
    bool drawn_ok = true;
    for (std::size_t c = 0; c < sc.cars.size(); ++c) {
      if (!present(sc.cars[c], t)) continue;
      if (index.at(c, t, sc.safe_current_a) > sc.safe_current_a + kEps) sent_ok = false;
      if (run.car_draw_a[c][idx] > sc.safe_current_a + kEps) drawn_ok = false;
    }
    if (sent_ok && g.sent_after_s < 0) g.sent_after_s = static_cast<double>(t - g.stale_at_s);
    if (drawn_ok && g.applied_after_s < 0)
      g.applied_after_s = static_cast<double>(t - g.stale_at_s);
  }
  return g;
}

G3Result goal_g3(const Run& run) {
  G3Result g;
  for (std::size_t i = 0; i < run.grid_w.size(); ++i) {
    const double pv = run.pv_w[i];
    const double grid = run.grid_w[i];
    const double cars = run.cars_w[i];
    g.pv_kwh += pv / 3.6e6;
    g.export_kwh += std::max(0.0, -grid) / 3.6e6;
    g.cars_kwh += cars / 3.6e6;
    const double load = run.base_w[i] + cars + std::max(0.0, run.battery_w[i]);
    if (grid > 0 && load > 0) g.cars_grid_kwh += grid * cars / load / 3.6e6;
  }
  g.self_consumption = g.pv_kwh > 0 ? 1 - g.export_kwh / g.pv_kwh : 1;
  g.grid_share = g.cars_kwh > 0 ? g.cars_grid_kwh / g.cars_kwh : 0;
  return g;
}

G4Result goal_g4(const Run& run) {
  G4Result g;
  const Scenario& sc = run.scenario;
  const SentIndex index(run);
  double session_10min = 0;
  for (std::size_t c = 0; c < sc.cars.size(); ++c) {
    const auto& v = index.per_car[c];
    const Car& car = sc.cars[c];
    const std::int64_t from = std::max(car.arrive_s, sc.start_s);
    const std::int64_t to = std::min(car.depart_s, sc.end_s);
    if (to <= from) continue;
    ++g.sessions;
    session_10min += static_cast<double>(to - from) / 600.0;
    if (v.empty()) continue;
    std::vector<std::int64_t> switches;
    std::vector<std::int64_t> stops;
    bool on = v.front().second > 0;
    for (std::size_t i = 1; i < v.size(); ++i) {
      const bool now_on = v[i].second > 0;
      if (now_on != on) switches.push_back(v[i].first);
      if (on && !now_on) stops.push_back(v[i].first);
      on = now_on;
    }
    g.total_switches += static_cast<int>(switches.size());
    auto most_in_10min = [](const std::vector<std::int64_t>& ts) {
      int most = 0;
      for (std::size_t i = 0; i < ts.size(); ++i) {
        int n = 0;
        for (std::size_t j = i; j < ts.size() && ts[j] < ts[i] + 600; ++j) ++n;
        most = std::max(most, n);
      }
      return most;
    };
    g.max_switches_10min = std::max(g.max_switches_10min, most_in_10min(switches));
    g.max_stops_10min = std::max(g.max_stops_10min, most_in_10min(stops));
  }
  g.switches_per_session_10min = session_10min > 0 ? g.total_switches / session_10min : 0;
  return g;
}

G5Result goal_g5(const Run& run) {
  G5Result g;
  double sum = 0;
  bool first = true;
  for (const Period& p : run.periods) {
    if (p.binding.rfind("grid import limit", 0) != 0) continue;
    std::vector<double> admitted;
    double min_a = 1e300;
    double margin = 1e300;
    int prio = -1000000;
    bool equal = true;
    for (std::size_t e = 0; e < p.decided_a.size(); ++e) {
      if (!p.active[e] || p.decided_a[e] <= 0) continue;
      if (prio != -1000000 && p.priority[e] != prio) equal = false;
      prio = p.priority[e];
      admitted.push_back(p.decided_a[e]);
      min_a = std::min(min_a, p.decided_a[e]);
      margin = std::min(margin, p.decided_a[e] - p.min_a[e]);
    }
    if (admitted.empty() || !equal) continue;
    const double j = csms::energy::jain_index(admitted);
    ++g.periods;
    sum += j;
    if (first) {
      g.min_jain = j;
      g.min_admitted_a = min_a;
      g.min_admitted_margin_a = margin;
      g.admitted_min = static_cast<int>(admitted.size());
      first = false;
    } else {
      g.min_jain = std::min(g.min_jain, j);
      g.min_admitted_a = std::min(g.min_admitted_a, min_a);
      g.min_admitted_margin_a = std::min(g.min_admitted_margin_a, margin);
      g.admitted_min = std::min(g.admitted_min, static_cast<int>(admitted.size()));
    }
  }
  g.mean_jain = g.periods > 0 ? sum / g.periods : 1;
  return g;
}

G6Result goal_g6(const Run& run, std::int64_t steady_from_s, bool count_shed) {
  G6Result g;
  std::vector<std::vector<std::int64_t>> per(run.evses.size());
  for (const SentProfile& p : run.profiles)
    if (count_shed || !p.by_shed) per[p.evse].push_back(p.t_s);
  double sum = 0;
  int counted = 0;
  for (const auto& v : per) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      int n = 0;
      for (std::size_t j = i; j < v.size() && v[j] < v[i] + 10; ++j) ++n;
      g.max_per_10s = std::max(g.max_per_10s, n);
    }
    const auto hour = std::count_if(v.begin(), v.end(), [&](std::int64_t t) {
      return t >= steady_from_s && t < steady_from_s + 3600;
    });
    g.max_per_hour = std::max(g.max_per_hour, static_cast<int>(hour));
    sum += static_cast<double>(hour);
    ++counted;
  }
  g.mean_per_hour = counted > 0 ? sum / counted : 0;
  return g;
}

G7Result goal_g7(const Run& run, std::size_t car, std::int64_t at_s, double within_a) {
  G7Result g;
  const Scenario& sc = run.scenario;
  const SentIndex index(run);
  const double before = index.at(car, at_s - 1, sc.safe_current_a);
  double draw = 0;
  for (const DrawChange& d : sc.cars[car].draw_changes)
    if (d.at_s == at_s) draw = d.draw_max_a;
  g.freed_a = before - draw;
  auto others = [&](std::int64_t t) {
    double s = 0;
    for (std::size_t c = 0; c < sc.cars.size(); ++c)
      if (c != car && present(sc.cars[c], t)) s += index.at(c, t, sc.safe_current_a);
    return s;
  };
  const double others_before = others(at_s - 1);
  for (std::int64_t t = at_s; t < sc.end_s && (g.reclaim_s < 0 || g.others_gain_s < 0); ++t) {
    if (g.reclaim_s < 0 && index.at(car, t, sc.safe_current_a) <= draw + within_a + kEps)
      g.reclaim_s = static_cast<double>(t - at_s);
    if (g.others_gain_s < 0 && others(t) >= others_before + g.freed_a / 2)
      g.others_gain_s = static_cast<double>(t - at_s);
  }
  return g;
}

G8Result goal_g8(int evses, int circuits, int runs) {
  using csms::energy::Parameters;
  using csms::energy::SiteLimits;
  Lcg rng{7};
  std::vector<Node> nodes;
  Node root;
  root.id = "grid";
  root.max_current_a = 4000;
  nodes.push_back(root);
  const int feeders = std::max(1, circuits / 10);
  for (int f = 0; f < feeders; ++f) {
    Node n;
    n.id = "F" + std::to_string(f);
    n.parent = "grid";
    n.max_current_a = 1000;
    nodes.push_back(n);
  }
  for (int c = 0; c < circuits - feeders; ++c) {
    Node n;
    n.id = "C" + std::to_string(c);
    n.parent = "F" + std::to_string(c % feeders);
    n.max_current_a = 125 + 125 * rng.next();
    nodes.push_back(n);
  }
  std::vector<Evse> evs;
  for (int i = 0; i < evses; ++i) {
    Evse e;
    e.key = "cs" + std::to_string(i / 2) + "/" + std::to_string(i % 2 + 1);
    e.node = nodes[static_cast<std::size_t>(1 + i % (circuits - 1))].id;
    e.phases = rng.next() < 0.2 ? 1 : 3;
    e.phase_map[0] = static_cast<int>(rng.next() * 3);
    e.phase_map[1] = (e.phase_map[0] + 1) % 3;
    e.phase_map[2] = (e.phase_map[0] + 2) % 3;
    e.max_current_a = rng.next() < 0.5 ? 16 : 32;
    e.priority = rng.next() < 0.1 ? 1 : 0;
    e.mode = rng.next() < 0.2 ? Mode::Smart : Mode::Fast;
    e.active = rng.next() < 0.9;
    e.arrived_ms = i * 1000;
    e.measured_current_a = e.max_current_a * rng.next();
    evs.push_back(e);
  }
  Readings rd;
  rd.grid_w = 1.2e6;
  rd.pv_w = 3e5;
  rd.battery_w = -1e5;
  rd.battery_soc = 60;
  SiteLimits limits;
  limits.import_limit_w = 1.5e6;
  limits.battery_priority_soc = 20;
  limits.battery_max_discharge_w = 2e5;
  Parameters params;
  State warm;
  for (int i = 0; i < 3; ++i)
    csms::energy::allocate(nodes, evs, rd, limits, params, warm, 15000 * i, 15000);
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    State s = warm;
    const auto t0 = std::chrono::steady_clock::now();
    const Result res = csms::energy::allocate(nodes, evs, rd, limits, params, s, 60000, 15000);
    const auto t1 = std::chrono::steady_clock::now();
    if (res.decisions.size() != evs.size()) return G8Result{-1, -1, -1};
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  G8Result g;
  if (ms.empty()) return g;
  g.min_ms = ms.front();
  g.max_ms = ms.back();
  g.median_ms = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  return g;
}

// --- Scenarios ----------------------------------------------------------------

namespace {

Car make_car(const std::string& evse, std::int64_t arrive_s, std::int64_t depart_s, int phases,
             double draw_max_a, double capacity_wh, double soc) {
  Car c;
  c.evse = evse;
  c.arrive_s = arrive_s;
  c.depart_s = depart_s;
  c.phases = phases;
  c.draw_max_a = draw_max_a;
  c.capacity_wh = capacity_wh;
  c.soc_pct = soc;
  return c;
}

constexpr std::int64_t kH = 3600;

}  // namespace

Scenario scenario_g1() {
  Scenario s;
  s.limits.import_limit_w = 60000;
  s.base.start_w = 14000;
  s.base.walk_w = 400;
  s.base.walk_every_s = 10;
  s.base.min_w = 8000;
  s.base.max_w = 30000;
  s.base.seed = 11;
  s.base.steps = {{9 * kH, 2500},        {10 * kH + 1800, -1500}, {11 * kH + 1234, 2500},
                  {13 * kH, -3000},      {15 * kH + 600, 2500},   {17 * kH + 900, 2000},
                  {19 * kH + 300, -4000}};
  s.pv.peak_w = 25000;
  s.battery.present = true;
  s.battery.capacity_wh = 30000;
  s.battery.soc_pct = 40;
  s.battery.max_charge_w = 10000;
  s.battery.max_discharge_w = 10000;
  s.limits.battery_priority_soc = 30;
  Lcg rng{5};
  for (int i = 0; i < 10; ++i) {
    const std::string evse = "cs" + std::to_string(i / 2) + "/" + std::to_string(i % 2 + 1);
    const std::int64_t a = 7 * kH + static_cast<std::int64_t>(rng.next() * 3 * kH);
    const std::int64_t d = 15 * kH + static_cast<std::int64_t>(rng.next() * 3 * kH);
    const int phases = i % 4 == 3 ? 1 : 3;
    const double draw = i % 3 == 2 ? 16 : 32;
    s.cars.push_back(
        make_car(evse, a, d, phases, draw, 60000 + 40000 * rng.next(), 10 + 30 * rng.next()));
    // A second session in the evening on every other EVSE.
    if (i % 2 == 0)
      s.cars.push_back(make_car(evse, d + 1800, 23 * kH, 3, 32, 75000, 30 + 20 * rng.next()));
  }
  return s;
}

Scenario scenario_g1_clouds() {
  Scenario s = scenario_g1();
  s.pv.clouds = {{10 * kH, 300}, {12 * kH + 1800, 120}, {14 * kH, 600}, {16 * kH, 180}};
  return s;
}

Scenario scenario_g2() {
  Scenario s;
  s.start_s = 11 * kH;
  s.end_s = 13 * kH;
  s.limits.import_limit_w = 60000;
  s.limits.base_configured = false;  // No max base load: every EVSE falls to its safe limit.
  s.base.start_w = 15000;
  s.pv.peak_w = 10000;
  for (int i = 0; i < 6; ++i)
    s.cars.push_back(
        make_car("cs" + std::to_string(i) + "/1", 10 * kH, 14 * kH, 3, 32, 100000, 20));
  s.meter_offline_from_s = kG2OfflineS;
  s.meter_max_age_s = 60;
  return s;
}

Scenario scenario_g3() {
  Scenario s;
  s.start_s = 4 * kH;
  s.end_s = 22 * kH;
  s.limits.import_limit_w = 60000;
  s.base.start_w = 500;
  s.pv.peak_w = 30000;
  for (int i = 0; i < 6; ++i) {
    Car c =
        make_car("cs" + std::to_string(i) + "/1", 5 * kH, 21 * kH, i < 4 ? 3 : 1, 32, 200000, 10);
    c.mode = Mode::Smart;
    s.cars.push_back(c);
  }
  return s;
}

Scenario scenario_g4() {
  Scenario s = scenario_g3();
  // Passing clouds (-70 %) of 30 s to 15 min, and a broken-cloud hour.
  s.pv.clouds = {{8 * kH, 30},         {8 * kH + 1200, 90},  {9 * kH, 240},
                 {9 * kH + 1800, 120}, {10 * kH + 600, 900}, {11 * kH + 300, 60},
                 {15 * kH, 300},       {16 * kH, 150},       {17 * kH + 1200, 480}};
  for (std::int64_t t = 13 * kH; t < 14 * kH; t += 300) s.pv.clouds.push_back({t, 120});
  return s;
}

Scenario scenario_g5() {
  Scenario s;
  s.start_s = 8 * kH;
  s.end_s = 13 * kH;
  s.limits.import_limit_w = 80000;
  s.base.start_w = 8000;
  s.base.walk_w = 200;
  s.base.min_w = 5000;
  s.base.max_w = 12000;
  s.base.seed = 3;
  for (int i = 0; i < 10; ++i)
    s.cars.push_back(make_car("cs" + std::to_string(i) + "/1", 8 * kH + i * 300, 12 * kH + i * 300,
                              3, 32, 150000, 20));
  return s;
}

Scenario scenario_g6() {
  Scenario s;
  s.start_s = 0;
  s.end_s = 2 * kH + 1800;
  s.limits.import_limit_w = 60000;
  s.base.start_w = 10000;
  for (int i = 0; i < 6; ++i)
    s.cars.push_back(make_car("cs" + std::to_string(i) + "/1", 0, 3 * kH, 3, 32, 400000, 10));
  return s;
}

Scenario scenario_g7() {
  Scenario s;
  s.start_s = kH;
  s.end_s = 3 * kH;
  s.limits.import_limit_w = 40000;
  s.base.start_w = 5000;
  for (int i = 0; i < 4; ++i)
    s.cars.push_back(make_car("cs" + std::to_string(i) + "/1", kH, 4 * kH, 3, 32, 400000, 10));
  s.cars[kG7Car].draw_changes.push_back({kG7AtS, kG7DrawA});
  return s;
}

}  // namespace energy_sim
