#include "energy/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <utility>

namespace csms::energy {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-9;

/// "32" or "7.5": labels read as words, not as floating-point dumps.
std::string num(double v) {
  char buf[40];
  const double r = std::round(v);
  if (std::fabs(v - r) < 0.05)
    std::snprintf(buf, sizeof buf, "%.0f", r);
  else
    std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

/// Chargers take 0.1 A steps; rounding down keeps every sum within its limit.
double floor_tenth(double a) {
  return std::floor(a * 10.0 + 1e-7) / 10.0;
}

int clamp_phases(int p) {
  return std::min(3, std::max(1, p));
}

enum class Kind { SitePower, NodePhase, NodePower, Surplus };

/// One linear limit: sum over members of coef x current <= cap.
struct Constraint {
  Kind kind = Kind::SitePower;
  int node = -1;
  double limit = 0;  ///< The configured value, for the label.
  double cap = 0;    ///< What is left for the EVSEs.
  // Water-filling: used(lambda) = used + rate x (lambda - base).
  double used = 0;
  double rate = 0;
  double base = 0;
  int growing = 0;
  bool saturated = false;
};

struct Term {
  int c;
  double coef;
};

enum class Phase { Wait, Grow, Frozen };

struct Member {
  std::size_t evse = 0;
  double min = 0;
  double cap = 0;
  double weight = 1;
  int group = 0;  ///< Sorted first: fixed/keep-minimum members before the rest.
  int priority = 0;
  int rotation = 0;  ///< Within a priority: 0 admitted, 1 waiting, 2 due to yield.
  std::int64_t arrived = 0;
  std::size_t t_begin = 0;
  std::size_t t_end = 0;
  bool admitted = false;
  int blocked_by = -1;  ///< Constraint that refused the minimum.
  int frozen_by = -1;   ///< Constraint that stopped the growth; -1: own cap.
  double alloc = 0;
  Phase phase = Phase::Wait;
};

std::string label(const Constraint& c, const std::vector<Node>& nodes) {
  switch (c.kind) {
    case Kind::SitePower:
      return "grid import limit (" + num(c.limit) + " W)";
    case Kind::NodePhase:
      return "circuit " + nodes[static_cast<std::size_t>(c.node)].id + " (" + num(c.limit) + " A)";
    case Kind::NodePower:
      return "circuit " + nodes[static_cast<std::size_t>(c.node)].id + " (" + num(c.limit) + " W)";
    case Kind::Surplus:
      return "PV surplus (" + num(c.limit) + " W)";
  }
  return {};
}

bool before(const Member& a, const Member& b) {
  if (a.group != b.group) return a.group < b.group;
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.rotation != b.rotation) return a.rotation < b.rotation;
  if (a.arrived != b.arrived) return a.arrived < b.arrived;
  return a.evse < b.evse;
}

/// Admits minimums in the members' order while they fit every constraint on
/// their path (skipping those that do not, so a small car may use a gap).
void admit(std::vector<Constraint>& cs, const std::vector<Term>& terms, std::vector<Member>& ms) {
  std::sort(ms.begin(), ms.end(), before);
  for (Member& m : ms) {
    for (std::size_t t = m.t_begin; t < m.t_end && m.blocked_by < 0; ++t) {
      const Constraint& c = cs[static_cast<std::size_t>(terms[t].c)];
      if (c.used + m.min * terms[t].coef > c.cap + kEps * std::max(1.0, std::fabs(c.cap)))
        m.blocked_by = terms[t].c;
    }
    if (m.blocked_by >= 0) continue;
    m.admitted = true;
    for (std::size_t t = m.t_begin; t < m.t_end; ++t)
      cs[static_cast<std::size_t>(terms[t].c)].used += m.min * terms[t].coef;
  }
}

/// Weighted max-min fair progressive filling above the admitted minimums:
/// member i holds clamp(lambda x w_i, min_i, cap_i) while lambda rises; a
/// constraint that fills freezes its members. Event driven: each step is a
/// member starting to grow, reaching its cap or a constraint filling, so the
/// cost is O(events x (constraints + depth)).
void water_fill(std::vector<Constraint>& cs, const std::vector<Term>& terms,
                std::vector<Member>& ms) {
  const std::size_t nc = cs.size();
  // Members per constraint (CSR), admitted only.
  std::vector<std::size_t> first(nc + 1, 0);
  for (const Member& m : ms)
    if (m.admitted)
      for (std::size_t t = m.t_begin; t < m.t_end; ++t)
        ++first[static_cast<std::size_t>(terms[t].c) + 1];
  for (std::size_t c = 0; c < nc; ++c) first[c + 1] += first[c];
  std::vector<std::size_t> fill(first.begin(), first.end() - 1);
  std::vector<std::size_t> members(first[nc]);
  std::vector<std::pair<double, std::size_t>> starts;
  starts.reserve(ms.size());
  for (std::size_t i = 0; i < ms.size(); ++i) {
    Member& m = ms[i];
    if (!m.admitted) continue;
    for (std::size_t t = m.t_begin; t < m.t_end; ++t)
      members[fill[static_cast<std::size_t>(terms[t].c)]++] = i;
    m.alloc = m.min;
    if (m.cap <= m.min + kEps) {
      m.phase = Phase::Frozen;
      m.frozen_by = -1;
    } else {
      starts.emplace_back(m.min / m.weight, i);
    }
  }
  std::sort(starts.begin(), starts.end());

  double lambda = 0;
  auto used_at = [&](const Constraint& c) { return c.used + c.rate * (lambda - c.base); };
  auto rebase = [&](Constraint& c) {
    c.used = used_at(c);
    c.base = lambda;
  };
  auto freeze = [&](Member& m, int by) {
    if (m.phase == Phase::Grow) {
      m.alloc = std::min(m.cap, std::max(m.min, lambda * m.weight));
      for (std::size_t t = m.t_begin; t < m.t_end; ++t) {
        Constraint& c = cs[static_cast<std::size_t>(terms[t].c)];
        rebase(c);
        if (--c.growing == 0)
          c.rate = 0;  // Exactly zero: no drift from repeated subtraction.
        else
          c.rate -= terms[t].coef * m.weight;
      }
    }
    m.phase = Phase::Frozen;
    m.frozen_by = by;
  };
  using CapEvent = std::pair<double, std::size_t>;
  std::priority_queue<CapEvent, std::vector<CapEvent>, std::greater<CapEvent>> caps;
  auto start = [&](std::size_t i) {
    Member& m = ms[i];
    for (std::size_t t = m.t_begin; t < m.t_end; ++t)
      if (cs[static_cast<std::size_t>(terms[t].c)].saturated) return freeze(m, terms[t].c);
    for (std::size_t t = m.t_begin; t < m.t_end; ++t) {
      Constraint& c = cs[static_cast<std::size_t>(terms[t].c)];
      rebase(c);
      c.rate += terms[t].coef * m.weight;
      ++c.growing;
    }
    m.phase = Phase::Grow;
    caps.emplace(m.cap / m.weight, i);
  };

  std::size_t next = 0;
  for (;;) {
    while (next < starts.size() && starts[next].first <= lambda) {
      if (ms[starts[next].second].phase == Phase::Wait) start(starts[next].second);
      ++next;
    }
    while (!caps.empty() && ms[caps.top().second].phase != Phase::Grow) caps.pop();
    const double l_start = next < starts.size() ? starts[next].first : kInf;
    const double l_cap = caps.empty() ? kInf : caps.top().first;
    double l_sat = kInf;
    int tightest = -1;
    for (std::size_t c = 0; c < nc; ++c) {
      const Constraint& k = cs[c];
      if (k.growing == 0 || k.saturated || k.rate <= 0) continue;
      const double l = k.base + (k.cap - k.used) / k.rate;
      if (l < l_sat) {
        l_sat = l;
        tightest = static_cast<int>(c);
      }
    }
    const double l_next = std::min(l_start, std::min(l_cap, l_sat));
    if (l_next == kInf) break;
    lambda = std::max(lambda, l_next);
    for (std::size_t c = 0; c < nc; ++c) {
      Constraint& k = cs[c];
      if (k.growing == 0 || k.saturated) continue;
      const bool full = static_cast<int>(c) == tightest && l_sat <= lambda;
      if (!full && used_at(k) < k.cap - kEps * std::max(1.0, std::fabs(k.cap))) continue;
      k.saturated = true;
      for (std::size_t j = first[c]; j < first[c + 1]; ++j)
        if (ms[members[j]].phase != Phase::Frozen) freeze(ms[members[j]], static_cast<int>(c));
    }
    while (!caps.empty() && caps.top().first <= lambda) {
      Member& m = ms[caps.top().second];
      caps.pop();
      if (m.phase == Phase::Grow) freeze(m, -1);
    }
  }
}

struct NodeInfo {
  int parent = -1;
  int depth = 0;
  double uncontrolled[3] = {0, 0, 0};
  bool stale = false;  ///< Itself or an ancestor has a stale meter.
  int phase_c = -1;    ///< First of its three per-phase constraints.
  int power_c = -1;
};

/// Parents resolved (unknown or cyclic: the root), depths, effective
/// uncontrolled load (a node without its own reading carries its children's).
std::vector<NodeInfo> resolve_tree(const std::vector<Node>& nodes, int& root) {
  const std::size_t n = nodes.size();
  std::vector<NodeInfo> info(n);
  std::unordered_map<std::string, int> index;
  index.reserve(n);
  root = -1;
  for (std::size_t i = 0; i < n; ++i) {
    index.emplace(nodes[i].id, static_cast<int>(i));
    if (root < 0 && nodes[i].parent.empty()) root = static_cast<int>(i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (nodes[i].parent.empty()) continue;  // A top-level node.
    const auto it = index.find(nodes[i].parent);
    info[i].parent = it != index.end() && it->second != static_cast<int>(i) ? it->second : root;
    if (info[i].parent == static_cast<int>(i)) info[i].parent = -1;
  }
  // Break cycles: walking n steps up from a node in or above a cycle ends
  // inside it; hang that node on the root (whose own parent is none).
  for (std::size_t i = 0; i < n; ++i) {
    for (;;) {
      int p = static_cast<int>(i);
      std::size_t steps = 0;
      while (p >= 0 && steps <= n) {
        p = info[static_cast<std::size_t>(p)].parent;
        ++steps;
      }
      if (p < 0) break;
      info[static_cast<std::size_t>(p)].parent = p == root ? -1 : root;
    }
  }
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) {
    order[i] = i;
    for (int p = info[i].parent; p >= 0; p = info[static_cast<std::size_t>(p)].parent)
      ++info[i].depth;
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return info[a].depth > info[b].depth; });
  std::vector<double> child_sum(3 * n, 0.0);
  for (const std::size_t i : order) {
    bool missing = false;
    for (int k = 0; k < 3; ++k) {
      const auto& m = nodes[i].measured_current_a[k];
      if (!m) missing = true;
      const std::size_t kk = static_cast<std::size_t>(k);
      info[i].uncontrolled[k] = m ? std::max(0.0, *m) : child_sum[3 * i + kk];
      if (info[i].parent >= 0)
        child_sum[3 * static_cast<std::size_t>(info[i].parent) + kk] += info[i].uncontrolled[k];
    }
    info[i].stale = nodes[i].metered && missing;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (info[*it].parent >= 0 && info[static_cast<std::size_t>(info[*it].parent)].stale)
      info[*it].stale = true;
  return info;
}

/// Per-EVSE grid-phase coefficients (how many of its phases sit on L1..L3).
void phase_coefs(const Evse& e, double out[3]) {
  out[0] = out[1] = out[2] = 0;
  const int p = clamp_phases(e.phases);
  for (int k = 0; k < p; ++k) {
    const int g = e.phase_map[k];
    out[g >= 0 && g < 3 ? g : k] += 1;
  }
}

double power_of(const Evse& e, double current) {
  return kVoltage * current * clamp_phases(e.phases);
}

template <class Map>
typename Map::mapped_type get_or(const Map& m, const std::string& key,
                                 typename Map::mapped_type fallback) {
  const auto it = m.find(key);
  return it == m.end() ? fallback : it->second;
}

/// Keeps the reclaim bookkeeping: a car drawing well under its allocation for
/// a few periods is capped near its draw; one drawing up to its cap gets 1 A
/// more a period until the cap is gone.
void update_reclaim(const Evse& e, double min_a, const Parameters& params, State& state) {
  const double last = get_or(state.last_current_a, e.key, 0.0);
  if (!e.measured_current_a || last <= 0) {
    state.reclaim_count.erase(e.key);
    return;
  }
  const double drawn = std::max(0.0, *e.measured_current_a);
  const auto cap_it = state.reclaim_cap_a.find(e.key);
  if (cap_it != state.reclaim_cap_a.end() && drawn >= last - params.reclaim_raise_within_a) {
    // Drawing all it gets: at the cap it may want more; below it (another
    // limit binds) the cap has no reason left.
    if (last < cap_it->second - kEps || cap_it->second + 1.0 >= e.max_current_a)
      state.reclaim_cap_a.erase(cap_it);
    else
      cap_it->second += 1.0;
    state.reclaim_count.erase(e.key);
    return;
  }
  if (drawn < last - params.reclaim_gap_a) {
    int& count = state.reclaim_count[e.key];
    if (++count >= std::max(1, params.reclaim_samples)) {
      const double cap = std::max(min_a, drawn + params.reclaim_gap_a);
      if (cap < e.max_current_a) {
        const auto it = state.reclaim_cap_a.find(e.key);
        state.reclaim_cap_a[e.key] =
            it == state.reclaim_cap_a.end() ? cap : std::min(cap, it->second);
      }
      count = 0;
    }
  } else {
    state.reclaim_count.erase(e.key);
  }
}

void forget(State& state, const std::string& key) {
  state.last_current_a.erase(key);
  state.paused_since_ms.erase(key);
  state.admitted_since_ms.erase(key);
  state.reclaim_count.erase(key);
  state.reclaim_cap_a.erase(key);
}

}  // namespace

Result allocate(const std::vector<Node>& nodes, const std::vector<Evse>& evses,
                const Readings& readings, const SiteLimits& limits, const Parameters& params,
                State& state, std::int64_t now_ms, std::int64_t period_ms) {
  Result result;
  const std::size_t n = evses.size();
  result.decisions.resize(n);
  for (std::size_t i = 0; i < n; ++i) result.decisions[i].key = evses[i].key;

  // Drop state of EVSEs that are gone or have no car.
  {
    std::unordered_map<std::string, bool> present;
    present.reserve(n);
    for (const Evse& e : evses) present[e.key] = e.active && e.mode != Mode::Off;
    auto prune = [&](auto& m) {
      for (auto it = m.begin(); it != m.end();) {
        const auto p = present.find(it->first);
        it = p == present.end() || !p->second ? m.erase(it) : std::next(it);
      }
    };
    prune(state.last_current_a);
    prune(state.paused_since_ms);
    prune(state.admitted_since_ms);
    prune(state.reclaim_count);
    prune(state.reclaim_cap_a);
  }

  int root = -1;
  std::vector<NodeInfo> info = resolve_tree(nodes, root);
  std::unordered_map<std::string, int> node_index;
  node_index.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    node_index.emplace(nodes[i].id, static_cast<int>(i));

  // Site power: what the EVSEs may draw at the grid connection.
  double ev_power = 0;
  double smart_power = 0;
  for (const Evse& e : evses) {
    if (!e.measured_current_a) continue;
    const double p = power_of(e, std::max(0.0, *e.measured_current_a));
    ev_power += p;
    if (e.active && e.mode == Mode::Smart) smart_power += p;
  }
  const bool soc_allows_battery =
      readings.battery_soc && *readings.battery_soc >= limits.battery_priority_soc;
  const double discharge = readings.battery_w ? std::max(0.0, -*readings.battery_w) : 0.0;
  std::optional<double> uncontrolled_w;
  if (readings.grid_w) {
    // Battery discharge beyond what cars may use (none below the priority SoC)
    // counts as load: the battery may stop at any moment.
    const double allowed = soc_allows_battery ? limits.battery_max_discharge_w : 0.0;
    uncontrolled_w = *readings.grid_w - ev_power + std::max(0.0, discharge - allowed);
  } else if (readings.base_w || limits.base_configured) {
    // Stale grid: PV counts as 0, no battery discharge, base load as measured
    // or its configured maximum.
    const double base = readings.base_w ? *readings.base_w : limits.max_base_w;
    uncontrolled_w = base + (readings.battery_w ? std::max(0.0, *readings.battery_w) : 0.0);
  }
  result.fail_safe = limits.import_limit_w && !uncontrolled_w;

  // Surplus for Smart EVSEs: what would otherwise be exported. The battery's
  // charging is yielded to cars only above its priority SoC; its discharge
  // never feeds PV-only cars.
  double surplus = 0;
  if (readings.grid_w) {
    surplus = smart_power - *readings.grid_w - discharge;
    if (soc_allows_battery && readings.battery_w) surplus += std::max(0.0, *readings.battery_w);
  }

  // Constraints: site import, each node's phases and power, the PV surplus.
  std::vector<Constraint> cs;
  cs.reserve(2 + 4 * nodes.size());
  int site_c = -1;
  if (limits.import_limit_w && uncontrolled_w) {
    Constraint c;
    c.kind = Kind::SitePower;
    c.limit = *limits.import_limit_w;
    result.budget_w = std::max(0.0, *limits.import_limit_w - limits.margin_w - *uncontrolled_w);
    c.cap = result.budget_w;
    site_c = static_cast<int>(cs.size());
    cs.push_back(c);
  } else if (!limits.import_limit_w) {
    // Nothing limits the site: the budget is what the EVSEs could take.
    for (const Evse& e : evses)
      if (e.active && e.mode != Mode::Off) result.budget_w += power_of(e, e.max_current_a);
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& nd = nodes[i];
    if (nd.max_current_a) {
      info[i].phase_c = static_cast<int>(cs.size());
      for (int k = 0; k < 3; ++k) {
        Constraint c;
        c.kind = Kind::NodePhase;
        c.node = static_cast<int>(i);
        c.limit = *nd.max_current_a;
        c.cap = std::max(0.0, *nd.max_current_a - info[i].uncontrolled[k]);
        cs.push_back(c);
      }
    }
    if (nd.max_power_w) {
      Constraint c;
      c.kind = Kind::NodePower;
      c.node = static_cast<int>(i);
      c.limit = *nd.max_power_w;
      const double u = info[i].uncontrolled[0] + info[i].uncontrolled[1] + info[i].uncontrolled[2];
      c.cap = std::max(0.0, *nd.max_power_w - kVoltage * u);
      info[i].power_c = static_cast<int>(cs.size());
      cs.push_back(c);
    }
  }
  const int surplus_c = static_cast<int>(cs.size());
  {
    Constraint c;
    c.kind = Kind::Surplus;
    cs.push_back(c);  // Capacity set before the Smart stage.
  }

  // Terms of every EVSE: the site, then each node from its own up.
  std::vector<Term> terms;
  terms.reserve(n * 8);
  std::vector<std::size_t> t_begin(n + 1, 0);
  std::vector<int> evse_node(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    const Evse& e = evses[i];
    t_begin[i] = terms.size();
    const auto it = e.node.empty() ? node_index.end() : node_index.find(e.node);
    const int node = it == node_index.end() ? root : it->second;
    evse_node[i] = node;
    const double pw = kVoltage * clamp_phases(e.phases);
    if (site_c >= 0) terms.push_back({site_c, pw});
    double coef[3];
    phase_coefs(e, coef);
    for (int nd = node; nd >= 0; nd = info[static_cast<std::size_t>(nd)].parent) {
      const NodeInfo& ni = info[static_cast<std::size_t>(nd)];
      if (ni.phase_c >= 0)
        for (int k = 0; k < 3; ++k)
          if (coef[k] > 0) terms.push_back({ni.phase_c + k, coef[k]});
      if (ni.power_c >= 0) terms.push_back({ni.power_c, pw});
    }
  }
  t_begin[n] = terms.size();

  // Waiting Fast EVSEs per priority, so a long-admitted car only yields when
  // an equal-priority car can take its place.
  auto paused_within = [&](const std::string& key, std::int64_t ms) {
    const auto it = state.paused_since_ms.find(key);
    return it != state.paused_since_ms.end() && now_ms - it->second < ms;
  };
  auto in_min_pause = [&](const std::string& key) {
    return paused_within(key, params.min_pause_ms);
  };
  auto is_admitted = [&](const std::string& key) {
    return state.admitted_since_ms.count(key) > 0 && get_or(state.last_current_a, key, 0.0) > 0;
  };
  std::unordered_map<int, int> waiting;

  std::vector<Member> fast;
  std::vector<std::size_t> smart;
  std::vector<double> min_a(n, 0), cap_a(n, 0);
  std::vector<bool> fixed(n, false), reclaimed(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const Evse& e = evses[i];
    Decision& d = result.decisions[i];
    if (!e.active) {
      d.limited_by = "no car";
      continue;
    }
    if (e.mode == Mode::Off) {
      d.limited_by = "mode off";
      continue;
    }
    const double max_a = std::max(0.0, e.max_current_a);
    min_a[i] = std::min(std::max(0.0, e.min_current_a), max_a);
    const bool stale = result.fail_safe ||
                       (evse_node[i] >= 0 && info[static_cast<std::size_t>(evse_node[i])].stale);
    Member m;
    m.evse = i;
    m.priority = e.priority;
    m.weight = std::max(0.1, 1.0 + e.priority);
    m.arrived = e.arrived_ms;
    m.t_begin = t_begin[i];
    m.t_end = t_begin[i + 1];
    if (stale) {
      // The EVSE's own safe limit, within its range; only the node limits apply.
      fixed[i] = true;
      const double safe =
          e.safe_current_a > 0 ? std::min(max_a, std::max(min_a[i], e.safe_current_a)) : 0.0;
      m.min = m.cap = safe;
      fast.push_back(m);
      continue;
    }
    update_reclaim(e, min_a[i], params, state);
    cap_a[i] = max_a;
    const auto rc = state.reclaim_cap_a.find(e.key);
    if (rc != state.reclaim_cap_a.end() && rc->second < max_a) {
      cap_a[i] = std::max(min_a[i], rc->second);
      reclaimed[i] = true;
    }
    if (e.mode == Mode::Smart) {
      smart.push_back(i);
      continue;
    }
    m.min = min_a[i];
    m.cap = cap_a[i];
    if (is_admitted(e.key)) {
      m.rotation = 0;
    } else {
      if (in_min_pause(e.key)) continue;  // Stays paused; labelled below.
      m.rotation = 1;
      ++waiting[e.priority];
    }
    fast.push_back(m);
  }
  for (Member& m : fast) {
    if (fixed[m.evse] || m.rotation != 0) continue;
    const auto since = state.admitted_since_ms.find(evses[m.evse].key);
    if (since != state.admitted_since_ms.end() &&
        now_ms - since->second >= params.rotation_hold_ms && waiting[m.priority] > 0)
      m.rotation = 2;
  }
  for (Member& m : fast)
    if (fixed[m.evse]) m.group = -1;  // Safe limits first: they are not negotiable.

  std::vector<double> alloc(n, 0);
  std::vector<std::string> why(n);
  bool site_bound = false;
  bool surplus_bound = false;
  auto settle = [&](std::vector<Member>& ms, bool smart_stage) {
    admit(cs, terms, ms);
    water_fill(cs, terms, ms);
    for (const Member& m : ms) {
      const Evse& e = evses[m.evse];
      if (!m.admitted) {
        if (m.blocked_by == site_c && site_c >= 0) site_bound = true;
        if (fixed[m.evse])
          why[m.evse] = "stale readings: safe limit, not admitted: " +
                        label(cs[static_cast<std::size_t>(m.blocked_by)], nodes);
        else if (smart_stage && m.blocked_by == surplus_c)
          why[m.evse] = "PV surplus too small";
        else
          why[m.evse] = "minimum not admitted (priority " + std::to_string(e.priority) +
                        ", arrived " + std::to_string(e.arrived_ms) +
                        " ms): " + label(cs[static_cast<std::size_t>(m.blocked_by)], nodes);
        continue;
      }
      alloc[m.evse] = m.alloc;
      if (fixed[m.evse])
        why[m.evse] = "stale readings: safe limit";
      else if (m.frozen_by >= 0)
        why[m.evse] = label(cs[static_cast<std::size_t>(m.frozen_by)], nodes);
      else if (reclaimed[m.evse])
        why[m.evse] = "reclaimed (drawing " + num(e.measured_current_a.value_or(0)) + " A)";
      else
        why[m.evse] = "EVSE maximum (" + num(m.cap) + " A)";
      if (m.frozen_by == site_c && site_c >= 0) site_bound = true;
      if (m.frozen_by == surplus_c) surplus_bound = true;
    }
  };
  settle(fast, false);

  // Smart stage: residual capacity after Fast, plus the PV surplus with
  // hysteresis (enable after a lasting surplus, stop after a lasting deficit).
  if (!smart.empty()) {
    // What Fast took (minimum and growth) is gone from every constraint.
    for (Constraint& c : cs) {
      c.used = c.rate = c.base = 0;
      c.growing = 0;
      c.saturated = false;
    }
    for (const Member& m : fast) {
      if (!m.admitted) continue;
      for (std::size_t t = m.t_begin; t < m.t_end; ++t) {
        Constraint& c = cs[static_cast<std::size_t>(terms[t].c)];
        c.cap = std::max(0.0, c.cap - m.alloc * terms[t].coef);
      }
    }
    auto min_power = [&](std::size_t i) { return power_of(evses[i], min_a[i]); };
    std::vector<Member> ms;
    double need_run = 0;
    double keep_floor = 0;
    std::vector<std::size_t> idle;
    for (const std::size_t i : smart) {
      const Evse& e = evses[i];
      const bool running = e.smart_keep_minimum || get_or(state.last_current_a, e.key, 0.0) > 0;
      if (running) {
        need_run += min_power(i);
        if (e.smart_keep_minimum) keep_floor += min_power(i);
      } else if (!paused_within(e.key, std::max(params.min_pause_ms, params.pv_restart_pause_ms))) {
        // A car the sun stopped waits before it starts again (at most one
        // start/stop per session per 10 minutes under passing clouds).
        idle.push_back(i);
      }
    }
    std::sort(idle.begin(), idle.end(), [&](std::size_t a, std::size_t b) {
      if (evses[a].priority != evses[b].priority) return evses[a].priority > evses[b].priority;
      if (evses[a].arrived_ms != evses[b].arrived_ms)
        return evses[a].arrived_ms < evses[b].arrived_ms;
      return a < b;
    });
    std::vector<bool> starting(n, false);
    if (!idle.empty() && surplus >= need_run + min_power(idle.front())) {
      if (!state.surplus_since_ms) state.surplus_since_ms = now_ms;
      if (now_ms - *state.surplus_since_ms >= params.pv_enable_delay_ms) {
        // Start every waiting car the surplus carries, in order.
        for (const std::size_t i : idle) {
          if (surplus < need_run + min_power(i)) continue;
          need_run += min_power(i);
          starting[i] = true;
        }
        state.surplus_since_ms.reset();
      }
    } else {
      state.surplus_since_ms.reset();
    }
    double budget = surplus;
    if (need_run > keep_floor && surplus < need_run) {
      if (!state.deficit_since_ms) state.deficit_since_ms = now_ms;
      if (now_ms - *state.deficit_since_ms >= params.pv_disable_delay_ms) {
        state.deficit_since_ms.reset();  // Stop those the surplus cannot carry.
      } else {
        budget = need_run;  // A passing cloud: keep running at the minimum.
      }
    } else {
      state.deficit_since_ms.reset();
    }
    budget = std::max(budget, keep_floor);
    cs[static_cast<std::size_t>(surplus_c)].limit = std::max(0.0, budget);
    cs[static_cast<std::size_t>(surplus_c)].cap = std::max(0.0, budget);
    for (const std::size_t i : smart) {
      const Evse& e = evses[i];
      const bool running =
          e.smart_keep_minimum || starting[i] || get_or(state.last_current_a, e.key, 0.0) > 0;
      if (!running) {
        why[i] =
            surplus >= need_run + min_power(i) &&
                    paused_within(e.key, std::max(params.min_pause_ms, params.pv_restart_pause_ms))
                ? "paused (minimum pause after a stop)"
                : "PV surplus too small";
        continue;
      }
      Member m;
      m.evse = i;
      m.group = e.smart_keep_minimum ? 0 : 1;
      m.priority = e.priority;
      m.weight = std::max(0.1, 1.0 + e.priority);
      m.arrived = e.arrived_ms;
      m.rotation = is_admitted(e.key) ? 0 : 1;
      m.min = min_a[i];
      m.cap = cap_a[i];
      // Smart EVSEs also share the surplus: one more term each.
      m.t_begin = terms.size();
      for (std::size_t t = t_begin[i]; t < t_begin[i + 1]; ++t) {
        const Term copy = terms[t];  // push_back may move the vector.
        terms.push_back(copy);
      }
      terms.push_back({surplus_c, power_of(e, 1.0)});
      m.t_end = terms.size();
      ms.push_back(m);
    }
    settle(ms, true);
    state.pv_charging = false;
    for (const Member& m : ms)
      if (m.admitted && m.alloc > 0 && !evses[m.evse].smart_keep_minimum) state.pv_charging = true;
  } else {
    state.surplus_since_ms.reset();
    state.deficit_since_ms.reset();
    state.pv_charging = false;
  }

  // Round, ramp increases, write decisions and state.
  const double step = std::max(0.0, params.ramp_a_per_s) *
                      static_cast<double>(std::max<std::int64_t>(0, period_ms)) / 1000.0;
  for (std::size_t i = 0; i < n; ++i) {
    const Evse& e = evses[i];
    Decision& d = result.decisions[i];
    if (!e.active || e.mode == Mode::Off) {
      forget(state, e.key);
      continue;
    }
    double a = alloc[i] > 0 ? std::max(min_a[i], floor_tenth(alloc[i])) : 0.0;
    if (fixed[i]) a = alloc[i];
    const double last = get_or(state.last_current_a, e.key, 0.0);
    d.limited_by = why[i].empty() ? "paused (minimum pause)" : why[i];
    if (a > last + kEps && !fixed[i]) {
      // A car below its minimum can only start at the minimum.
      const double ceiling = std::max(min_a[i], floor_tenth(last + step));
      if (a > ceiling) {
        a = ceiling;
        d.limited_by = "ramp";
      }
    }
    d.current_a = a;
    d.power_w = power_of(e, a);
    state.last_current_a[e.key] = a;
    if (a > 0) {
      state.admitted_since_ms.emplace(e.key, now_ms);
      state.paused_since_ms.erase(e.key);
    } else {
      // Only a stop starts the minimum pause: a car that never charged has
      // no start/stop to protect.
      if (last > 0) state.paused_since_ms[e.key] = now_ms;
      state.admitted_since_ms.erase(e.key);
      state.reclaim_count.erase(e.key);
    }
  }
  if (result.fail_safe)
    result.binding = "stale readings: safe limit";
  else if (site_bound)
    result.binding = label(cs[static_cast<std::size_t>(site_c)], nodes);
  else if (surplus_bound)
    result.binding = "PV surplus";
  return result;
}

std::vector<Decision> shed(const std::vector<Evse>& evses, const Readings& readings,
                           const SiteLimits& limits, const State& state) {
  std::vector<Decision> out;
  if (!readings.grid_w || !limits.import_limit_w || *readings.grid_w <= *limits.import_limit_w)
    return out;
  const double excess = *readings.grid_w - *limits.import_limit_w;
  // Scale what each car can actually draw now (its allocation, or less when
  // it draws less), so the cut removes the excess from the real load.
  std::vector<double> basis(evses.size(), 0);
  double total = 0;
  for (std::size_t i = 0; i < evses.size(); ++i) {
    const Evse& e = evses[i];
    if (!e.active) continue;
    double a = get_or(state.last_current_a, e.key, 0.0);
    if (e.measured_current_a) a = std::min(a, std::max(0.0, *e.measured_current_a));
    basis[i] = a;
    total += power_of(e, a);
  }
  const double factor = total > 0 ? std::max(0.0, (total - excess) / total) : 0.0;
  const std::string why = "grid import limit exceeded (" + num(*readings.grid_w) + " W > " +
                          num(*limits.import_limit_w) + " W)";
  out.resize(evses.size());
  for (std::size_t i = 0; i < evses.size(); ++i) {
    const Evse& e = evses[i];
    Decision& d = out[i];
    d.key = e.key;
    const double last = get_or(state.last_current_a, e.key, 0.0);
    if (!e.active) {
      d.limited_by = "no car";
      continue;
    }
    double a = std::min(last, floor_tenth(basis[i] * factor));
    // Below its minimum a car cannot charge: pause it rather than pretend.
    if (a < std::min(e.min_current_a, e.max_current_a) - kEps) a = 0;
    d.current_a = a;
    d.power_w = power_of(e, a);
    d.limited_by = a < last ? why : "unchanged";
  }
  return out;
}

double jain_index(const std::vector<double>& values) {
  if (values.empty()) return 1.0;
  double sum = 0;
  double squares = 0;
  for (const double v : values) {
    sum += v;
    squares += v * v;
  }
  if (squares <= 0) return 1.0;
  return sum * sum / (static_cast<double>(values.size()) * squares);
}

std::optional<double> profile_to_send(const OutputPolicy& policy, const Sent& last,
                                      double decided_a, bool over_limit, std::int64_t now_ms) {
  const double target = std::floor(decided_a * 10) / 10;
  const bool first = last.current_a < 0;
  if (first) return target;
  const bool significant = std::fabs(target - last.current_a) >= policy.significant_a ||
                           ((target == 0) != (last.current_a == 0));
  // Renewed shortly before the lease ends (a fifth of it, at least a minute):
  // a 15-minute lease is renewed five times an hour.
  const bool renew =
      policy.lease_ms > 0 &&
      now_ms - last.at_ms >= policy.lease_ms - std::max<std::int64_t>(60000, policy.lease_ms / 5);
  const bool decrease = target < last.current_a;
  const bool may_send = now_ms - last.at_ms >= policy.min_interval_ms || (decrease && over_limit);
  // Over the limit every cut goes out, however small.
  if ((significant || renew || (decrease && over_limit)) && may_send) return target;
  return std::nullopt;
}

}  // namespace csms::energy
