// The site energy controller's goals (issue 12, G1..G8) measured on the
// simulated site: prints a markdown table and writes it to --out FILE.
//
//   energy_goals [--out FILE]

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "site_sim.hpp"

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Row {
  std::string goal, target, measured;
  bool met;
};

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else {
      std::cerr << "usage: energy_goals [--out FILE]\n";
      return 2;
    }
  }
  using namespace energy_sim;
  std::vector<Row> rows;

  const Run r1 = simulate(scenario_g1());
  const G1Result g1 = goal_g1(r1);
  rows.push_back(
      {"G1 grid limit", "<= 20 s per event, overshoot <= 5 %, 15-min average <= limit",
       std::to_string(g1.events) + " events, longest " + std::to_string(g1.max_event_s) +
           " s, overshoot " + fmt("%.1f", g1.max_overshoot_pct) + " %, max 15-min " +
           fmt("%.1f", g1.max_avg15_w / 1000) + " kW of " + fmt("%.0f", g1.limit_w / 1000) + " kW",
       g1.max_event_s <= 20 && g1.max_overshoot_pct <= 5 && g1.max_avg15_w <= g1.limit_w});

  const Run r1c = simulate(scenario_g1_clouds());
  const G1Result g1c = goal_g1(r1c);
  rows.push_back(
      {"G1 grid limit, PV cloud steps",
       "<= 20 s per event, overshoot <= 5 %, 15-min average <= limit",
       std::to_string(g1c.events) + " events, longest " + std::to_string(g1c.max_event_s) +
           " s, overshoot " + fmt("%.1f", g1c.max_overshoot_pct) + " %, max 15-min " +
           fmt("%.1f", g1c.max_avg15_w / 1000) + " kW of " + fmt("%.0f", g1c.limit_w / 1000) +
           " kW",
       g1c.max_event_s <= 20 && g1c.max_overshoot_pct <= 5 && g1c.max_avg15_w <= g1c.limit_w});

  const Run r2 = simulate(scenario_g2());
  const G2Result g2 = goal_g2(r2);
  const int period = r2.scenario.period_s;
  rows.push_back(
      {"G2 stale meter",
       "safe limit sent <= 1 period (" + std::to_string(period) + " s) after the maximum age",
       fmt("%.0f", g2.sent_after_s) + " s sent (" + fmt("%.0f", g2.applied_after_s) +
           " s drawn), " + std::to_string(g2.evses) + " EVSEs",
       g2.sent_after_s >= 0 && g2.sent_after_s <= period});

  const Run r3 = simulate(scenario_g3());
  const G3Result g3 = goal_g3(r3);
  rows.push_back({"G3 PV smart", "self-consumption >= 95 %, grid share of cars <= 5 %",
                  fmt("%.1f", g3.self_consumption * 100) + " % self-consumption, " +
                      fmt("%.1f", g3.grid_share * 100) + " % from grid (PV " +
                      fmt("%.0f", g3.pv_kwh) + " kWh, cars " + fmt("%.0f", g3.cars_kwh) + " kWh)",
                  g3.self_consumption >= 0.95 && g3.grid_share <= 0.05});

  const Run r4 = simulate(scenario_g4());
  const G4Result g4 = goal_g4(r4);
  rows.push_back({"G4 clouds", "<= 1 start/stop per session per 10 min",
                  std::to_string(g4.max_switches_10min) +
                      " most in any 10 min (stops: " + std::to_string(g4.max_stops_10min) + "; " +
                      std::to_string(g4.total_switches) + " in " + std::to_string(g4.sessions) +
                      " sessions, mean " + fmt("%.3f", g4.switches_per_session_10min) +
                      " per 10 min)",
                  g4.max_switches_10min <= 1});

  const Run r5 = simulate(scenario_g5());
  const G5Result g5 = goal_g5(r5);
  rows.push_back({"G5 fairness", "Jain >= 0.95, every admitted car >= its minimum",
                  "Jain min " + fmt("%.3f", g5.min_jain) + " (mean " + fmt("%.3f", g5.mean_jain) +
                      ") over " + std::to_string(g5.periods) + " binding periods, lowest car " +
                      fmt("%.1f", g5.min_admitted_a) + " A",
                  g5.periods > 0 && g5.min_jain >= 0.95 && g5.min_admitted_margin_a >= 0});

  const Run r6 = simulate(scenario_g6());
  const G6Result g6 = goal_g6(r6, kG6SteadyFromS);
  const G6Result g6loop = goal_g6(r1, 0, false);
  const G6Result g6all = goal_g6(r1, 0, true);
  const int per10 = std::max(g6.max_per_10s, g6loop.max_per_10s);
  rows.push_back({"G6 profile rate", "<= 1 per EVSE per 10 s, <= 6 per EVSE-hour when steady",
                  std::to_string(per10) + " per 10 s from the loop (" +
                      std::to_string(g6all.max_per_10s) +
                      " counting over-limit decreases on the busy day), " +
                      std::to_string(g6.max_per_hour) + " per EVSE-hour steady",
                  per10 <= 1 && g6.max_per_hour <= 6});

  const Run r7 = simulate(scenario_g7());
  const G7Result g7 = goal_g7(r7, kG7Car, kG7AtS, 1.5);
  rows.push_back({"G7 reclaim", "unused allocation reclaimed <= 60 s",
                  fmt("%.0f", g7.reclaim_s) + " s (others got it after " +
                      fmt("%.0f", g7.others_gain_s) + " s, " + fmt("%.1f", g7.freed_a) +
                      " A freed)",
                  g7.reclaim_s >= 0 && g7.reclaim_s <= 60});

  const G8Result g8 = goal_g8(500, 50, 20);
  rows.push_back({"G8 allocation time", "500 EVSEs on 50 circuits < 5 ms",
                  "median " + fmt("%.3f", g8.median_ms) + " ms of 20 (min " +
                      fmt("%.3f", g8.min_ms) + ", max " + fmt("%.3f", g8.max_ms) + ")",
                  g8.median_ms >= 0 && g8.median_ms < 5});

  std::ostringstream table;
  table << "| goal | target | measured | met? |\n|---|---|---|---|\n";
  for (const Row& r : rows)
    table << "| " << r.goal << " | " << r.target << " | " << r.measured << " | "
          << (r.met ? "yes" : "no") << " |\n";
  std::cout << table.str();
  if (!out.empty()) {
    std::ofstream f(out);
    f << table.str();
    if (!f) {
      std::cerr << "cannot write " << out << "\n";
      return 1;
    }
  }
  return 0;
}
