#include "simulator/smart_charging.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace simulator {

namespace {

constexpr std::int64_t kUs = 1000000;
constexpr std::int64_t kWeekUs = 7 * 86400 * kUs;

std::int64_t us(const DateTime& t) {
  return t.unix_micros();
}

std::int64_t recurrence_us(Recurrency r) {
  return (r == Recurrency::Daily ? 86400 : 7 * 86400) * kUs;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Where the instance of p's schedule that starts last at or before `t` starts.
// `reference` starts a Relative schedule (or an Absolute one without a start)
// when no transaction does.
std::optional<std::int64_t> schedule_start(const ChargingProfile& p, std::int64_t t,
                                           const std::optional<TxInfo>& tx,
                                           std::int64_t reference) {
  const std::int64_t relative = tx ? us(tx->started) : reference;
  switch (p.kind) {
    case ProfileKind::Absolute:
      return p.schedule.start ? us(*p.schedule.start) : relative;
    case ProfileKind::Relative:
      return relative;
    case ProfileKind::Recurring: {
      if (!p.schedule.start || !p.recurrency) return std::nullopt;
      const std::int64_t period = recurrence_us(*p.recurrency);
      const std::int64_t s = us(*p.schedule.start);
      return s + floor_div(t - s, period) * period;
    }
  }
  return std::nullopt;
}

// How long one instance of p's schedule lasts (µs): its duration, else until
// the next recurrence, else for ever.
std::int64_t schedule_length(const ChargingProfile& p) {
  std::int64_t length = std::numeric_limits<std::int64_t>::max() / 4;
  if (p.kind == ProfileKind::Recurring && p.recurrency) length = recurrence_us(*p.recurrency);
  if (p.schedule.duration_s) length = std::min(length, *p.schedule.duration_s * kUs);
  return length;
}

bool applies_to_tx(const ChargingProfile& p, const std::optional<TxInfo>& tx) {
  if (p.purpose != ProfilePurpose::Tx) return true;
  return tx && (!p.transaction_id || *p.transaction_id == tx->id);
}

// The period of p in force at `t`, if p is.
const SchedulePeriod* period_at(const ChargingProfile& p, std::int64_t t,
                                const std::optional<TxInfo>& tx, std::int64_t reference) {
  if (p.valid_from && t < us(*p.valid_from)) return nullptr;
  if (p.valid_to && t >= us(*p.valid_to)) return nullptr;
  auto start = schedule_start(p, t, tx, reference);
  if (!start || t < *start) return nullptr;
  const std::int64_t offset = t - *start;
  if (offset >= schedule_length(p)) return nullptr;
  const SchedulePeriod* found = nullptr;
  for (const auto& period : p.schedule.periods) {
    if (period.start_s * kUs <= offset) found = &period;
  }
  return found;
}

double round_tenth(double v) {
  return std::round(v * 10.0) / 10.0;
}

}  // namespace

double to_watts(double value, RateUnit unit, std::optional<int> phases, const Supply& supply) {
  if (unit == RateUnit::W) return value;
  const int in_use = std::max(1, std::min(supply.phases, phases.value_or(3)));
  return value * supply.voltage * in_use;
}

double from_watts(double watts, RateUnit unit, const Supply& supply) {
  if (unit == RateUnit::W) return watts;
  return watts / (supply.voltage * std::max(1, supply.phases));
}

bool add_quirk(ProfileQuirks& quirks, std::string_view name) {
  if (name == "stack0-only")
    quirks.stack0_only = true;
  else if (name == "amps-only")
    quirks.amps_only = true;
  else if (name == "rejects-zero")
    quirks.rejects_zero = true;
  else if (name == "rejects-password")
    quirks.rejects_password = true;
  else
    return false;
  return true;
}

std::optional<std::string> ProfileSet::install(const ChargingProfile& p, int connectors,
                                               const std::optional<TxInfo>& tx) {
  if (p.connector < 0 || p.connector > connectors)
    return fmt::format("there is no connector/EVSE {}", p.connector);
  if ((p.purpose == ProfilePurpose::StationMax || p.purpose == ProfilePurpose::External) &&
      p.connector != 0)
    return std::string("a station-wide profile must be on connector/EVSE 0");
  if (p.purpose == ProfilePurpose::Tx) {
    if (p.connector == 0) return std::string("a TxProfile needs a connector/EVSE");
    if (!tx) return fmt::format("no transaction on connector/EVSE {}", p.connector);
    if (p.transaction_id && *p.transaction_id != tx->id)
      return fmt::format("transaction {} is not the one on connector/EVSE {}", *p.transaction_id,
                         p.connector);
  }
  if (p.stack_level < 0 || p.stack_level > kMaxStackLevel)
    return fmt::format("stack level {} is beyond 0..{}", p.stack_level, kMaxStackLevel);
  const auto& periods = p.schedule.periods;
  if (periods.empty() || periods.size() > kMaxPeriods)
    return fmt::format("a schedule needs 1 to {} periods", kMaxPeriods);
  if (periods.front().start_s != 0) return std::string("the first period must start at 0");
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (periods[i].limit < 0) return std::string("a limit is negative");
    if (i > 0 && periods[i].start_s <= periods[i - 1].start_s)
      return std::string("periods must start in increasing order");
  }
  if (p.kind == ProfileKind::Recurring && (!p.recurrency || !p.schedule.start))
    return std::string("a Recurring profile needs a recurrency and a start");
  if (quirks_.stack0_only && p.stack_level != 0)
    return fmt::format("stack level {}: this firmware takes stack level 0 only", p.stack_level);
  if (quirks_.amps_only && p.schedule.unit == RateUnit::W)
    return std::string("this firmware takes schedules in A only");
  if (quirks_.rejects_zero && std::any_of(periods.begin(), periods.end(),
                                          [](const SchedulePeriod& sp) { return sp.limit == 0; }))
    return std::string("this firmware rejects a limit of 0");

  std::vector<ChargingProfile> kept;
  for (const auto& old : profiles_) {
    const bool same_slot = old.connector == p.connector && old.purpose == p.purpose &&
                           old.stack_level == p.stack_level;
    if (old.id != p.id && !same_slot) kept.push_back(old);
  }
  if (kept.size() >= kMaxProfiles)
    return fmt::format("{} profiles are installed already", kMaxProfiles);
  kept.push_back(p);
  profiles_ = std::move(kept);
  return std::nullopt;
}

std::size_t ProfileSet::clear(const ProfileFilter& f) {
  const std::size_t before = profiles_.size();
  profiles_.erase(std::remove_if(profiles_.begin(), profiles_.end(),
                                 [&f](const ChargingProfile& p) {
                                   if (f.id) return p.id == *f.id;
                                   return (!f.connector || p.connector == *f.connector) &&
                                          (!f.purpose || p.purpose == *f.purpose) &&
                                          (!f.stack_level || p.stack_level == *f.stack_level);
                                 }),
                  profiles_.end());
  return before - profiles_.size();
}

void ProfileSet::transaction_ended(int connector) {
  ProfileFilter f;
  f.connector = connector;
  f.purpose = ProfilePurpose::Tx;
  clear(f);
}

namespace {

// The limit (W) of the highest stack level of `purpose` on `connector` in force at `t`.
std::optional<double> best_limit(const std::vector<ChargingProfile>& profiles,
                                 ProfilePurpose purpose, int connector, std::int64_t t,
                                 const std::optional<TxInfo>& tx, std::int64_t reference,
                                 const Supply& supply) {
  const ChargingProfile* best = nullptr;
  const SchedulePeriod* best_period = nullptr;
  for (const auto& p : profiles) {
    if (p.purpose != purpose || p.connector != connector || !applies_to_tx(p, tx)) continue;
    if (best && p.stack_level <= best->stack_level) continue;
    if (const SchedulePeriod* period = period_at(p, t, tx, reference)) {
      best = &p;
      best_period = period;
    }
  }
  if (!best) return std::nullopt;
  return to_watts(best_period->limit, best->schedule.unit, best_period->phases, supply);
}

double limit_at(const std::vector<ChargingProfile>& profiles, int connector, std::int64_t t,
                const std::optional<TxInfo>& tx, std::int64_t reference, const Supply& supply) {
  double w = supply.max_power_w;
  for (auto purpose : {ProfilePurpose::StationMax, ProfilePurpose::External}) {
    if (auto l = best_limit(profiles, purpose, 0, t, tx, reference, supply)) w = std::min(w, *l);
  }
  if (connector > 0) {
    // A TxProfile overrides the defaults; a connector's default overrides the station's.
    auto l = best_limit(profiles, ProfilePurpose::Tx, connector, t, tx, reference, supply);
    if (!l)
      l = best_limit(profiles, ProfilePurpose::TxDefault, connector, t, tx, reference, supply);
    if (!l) l = best_limit(profiles, ProfilePurpose::TxDefault, 0, t, tx, reference, supply);
    if (l) w = std::min(w, *l);
  }
  return std::max(0.0, w);
}

// Every time in [from, to) at which some profile may start or stop applying.
std::vector<std::int64_t> change_points(const std::vector<ChargingProfile>& profiles,
                                        std::int64_t from, std::int64_t to,
                                        const std::optional<TxInfo>& tx, std::int64_t reference) {
  std::vector<std::int64_t> out;
  auto add = [&](std::int64_t t) {
    if (t >= from && t < to) out.push_back(t);
  };
  for (const auto& p : profiles) {
    if (p.valid_from) add(us(*p.valid_from));
    if (p.valid_to) add(us(*p.valid_to));
    auto first = schedule_start(p, from, tx, reference);
    if (!first) continue;
    const std::int64_t length = schedule_length(p);
    const std::int64_t step =
        p.kind == ProfileKind::Recurring && p.recurrency ? recurrence_us(*p.recurrency) : 0;
    for (std::int64_t s = *first; s < to; s += step) {
      add(s);
      for (const auto& period : p.schedule.periods) add(s + period.start_s * kUs);
      if (length < std::numeric_limits<std::int64_t>::max() / 4) add(s + length);
      if (step == 0) break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

double ProfileSet::limit_w(int connector, const DateTime& t, const std::optional<TxInfo>& tx,
                           const Supply& supply) const {
  return limit_at(profiles_, connector, us(t), tx, us(t), supply);
}

CompositeSchedule ProfileSet::composite(int connector, const DateTime& start,
                                        std::int64_t duration_s, RateUnit unit,
                                        const std::optional<TxInfo>& tx,
                                        const Supply& supply) const {
  CompositeSchedule out;
  out.start = start;
  out.duration_s = duration_s;
  out.unit = unit;
  const std::int64_t from = us(start);
  auto points = change_points(profiles_, from, from + duration_s * kUs, tx, from);
  points.insert(points.begin(), from);
  for (std::int64_t t : points) {
    CompositePeriod period;
    period.start_s = (t - from) / kUs;
    period.limit =
        round_tenth(from_watts(limit_at(profiles_, connector, t, tx, from, supply), unit, supply));
    period.phases = supply.phases;
    if (!out.periods.empty() && (out.periods.back().limit == period.limit ||
                                 out.periods.back().start_s == period.start_s)) {
      if (out.periods.back().start_s == period.start_s) out.periods.back() = period;
      continue;
    }
    out.periods.push_back(period);
  }
  return out;
}

std::optional<DateTime> ProfileSet::next_change(const DateTime& t,
                                                const std::optional<TxInfo>& tx) const {
  const std::int64_t from = us(t) + 1;
  auto points = change_points(profiles_, from, from + kWeekUs, tx, us(t));
  if (points.empty()) return std::nullopt;
  return DateTime::from_unix_micros(points.front());
}

}  // namespace simulator
