#include "simulator/site_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "parse_number.hpp"

namespace simulator::site {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = 1e-9;

double clear_sky(const Pv& pv, double t_s) {
  const double rise = pv.sunrise_h * 3600;
  const double set = pv.sunset_h * 3600;
  if (pv.peak_w <= 0 || t_s <= rise || t_s >= set) return 0;
  const double x = (t_s - rise) / (set - rise);
  return pv.peak_w * std::pow(std::sin(kPi * x), 1.5);
}

double measured(const std::vector<PvPoint>& series, double t_s) {
  if (t_s <= series.front().t_s) return series.front().w;
  if (t_s >= series.back().t_s) return series.back().w;
  auto next = std::upper_bound(series.begin(), series.end(), t_s,
                               [](double t, const PvPoint& p) { return t < p.t_s; });
  const PvPoint& b = *next;
  const PvPoint& a = *(next - 1);
  if (b.t_s <= a.t_s) return b.w;
  return a.w + (b.w - a.w) * (t_s - a.t_s) / (b.t_s - a.t_s);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<double> parse_time_of_day(std::string_view text) {
  double seconds = 0;
  if (text.find(':') == std::string_view::npos) {
    if (!to_double(std::string(text), 0, 7 * 86400, seconds)) return std::nullopt;
    return seconds;
  }
  int parts[3] = {0, 0, 0};
  int n = 0;
  std::size_t from = 0;
  for (;;) {
    if (n == 3) return std::nullopt;  // more than HH:MM:SS
    const std::size_t colon = text.find(':', from);
    const std::size_t len = colon == std::string_view::npos ? colon : colon - from;
    if (!to_int(std::string(text.substr(from, len)), 0, n == 0 ? 48 : 59, parts[n])) {
      return std::nullopt;
    }
    ++n;
    if (colon == std::string_view::npos) break;
    from = colon + 1;
  }
  if (n < 2) return std::nullopt;
  return parts[0] * 3600.0 + parts[1] * 60.0 + parts[2];
}

std::string format_time_of_day(std::int64_t seconds) {
  const std::int64_t s = std::max<std::int64_t>(0, seconds);
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

double pv_power(const Pv& pv, double t_s) {
  const double p = pv.series.empty() ? clear_sky(pv, t_s) : measured(pv.series, t_s);
  const double ramp = static_cast<double>(std::max<std::int64_t>(1, pv.cloud_ramp_s));
  double cover = 0;  // 0: clear, 1: full cloud drop.
  for (const Cloud& c : pv.clouds) {
    const double a = static_cast<double>(c.at_s);
    const double b = a + static_cast<double>(c.duration_s);
    double k = 0;
    if (t_s >= a && t_s < a + ramp)
      k = (t_s - a) / ramp;
    else if (t_s >= a + ramp && t_s < b)
      k = 1;
    else if (t_s >= b && t_s < b + ramp)
      k = 1 - (t_s - b) / ramp;
    cover = std::max(cover, k);
  }
  return p * (1 - pv.cloud_drop * cover);
}

std::optional<std::vector<PvPoint>> parse_pv_csv(std::string_view text, std::string& error) {
  std::vector<PvPoint> points;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const std::size_t comma = line.find(',');
    std::optional<double> t;
    double w = 0;
    if (comma != std::string_view::npos) {
      t = parse_time_of_day(trim(line.substr(0, comma)));
      if (t && !to_double(std::string(trim(line.substr(comma + 1))), 0, 1e9, w)) t.reset();
    }
    if (!t) {
      if (points.empty() && line_no == 1) continue;  // a header
      error =
          fmt::format("line {}: expected time,W (time as seconds or HH:MM[:SS], W >= 0)", line_no);
      return std::nullopt;
    }
    if (!points.empty() && *t <= points.back().t_s) {
      error = fmt::format("line {}: times must increase", line_no);
      return std::nullopt;
    }
    points.push_back(PvPoint{*t, w});
  }
  if (points.empty()) {
    error = "no time,W line";
    return std::nullopt;
  }
  return points;
}

double battery_step(const Battery& b, double& soc_pct, double net_w, double dt_s) {
  if (!b.present || b.capacity_wh <= 0 || dt_s <= 0) return 0;
  if (net_w < 0) {
    const double room_wh = std::max(0.0, (b.max_soc_pct - soc_pct) / 100 * b.capacity_wh);
    const double p = std::min({-net_w, b.max_charge_w, room_wh / b.efficiency * 3600 / dt_s});
    soc_pct += p * dt_s * b.efficiency / 3600 / b.capacity_wh * 100;
    return p;
  }
  if (net_w > 0) {
    const double avail_wh = std::max(0.0, (soc_pct - b.min_soc_pct) / 100 * b.capacity_wh);
    const double p = std::min({net_w, b.max_discharge_w, avail_wh * b.efficiency * 3600 / dt_s});
    soc_pct -= p * dt_s / b.efficiency / 3600 / b.capacity_wh * 100;
    return -p;
  }
  return 0;
}

BaseLoadModel::BaseLoadModel(BaseLoad settings, std::int64_t start_s)
    : settings_(std::move(settings)),
      start_s_(start_s),
      rng_(settings_.seed),
      value_(settings_.start_w) {}

double BaseLoadModel::next_random() {
  // A small deterministic generator, so every run reproduces.
  rng_ = rng_ * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(rng_ >> 11) / 9007199254740992.0;
}

double BaseLoadModel::step(std::int64_t t_s) {
  if (settings_.walk_w > 0 && t_s > start_s_ &&
      (t_s - start_s_) % std::max<std::int64_t>(1, settings_.walk_every_s) == 0)
    value_ += settings_.walk_w * (2 * next_random() - 1);
  for (const BaseStep& s : settings_.steps)
    if (s.at_s == t_s) value_ += s.delta_w;
  value_ = std::min(settings_.max_w, std::max(settings_.min_w, value_));
  return value_;
}

Car::Car(CarSettings settings, double cap_a)
    : settings_(settings),
      soc_pct_(settings.soc_pct),
      draw_max_a_(settings.draw_max_a),
      cap_a_(cap_a) {}

void Car::offer(double t_s, double limit_a) {
  offered_a_ = limit_a;
  pending_.emplace_back(t_s + settings_.delay_s, limit_a);
}

void Car::follow(double t_s, double limit_a) {
  if (!offered_a_ || std::abs(*offered_a_ - limit_a) > 1e-6) offer(t_s, limit_a);
}

double Car::step(double t_s, double dt_s) {
  while (!pending_.empty() && pending_.front().first <= t_s) {
    cap_a_ = pending_.front().second;
    pending_.pop_front();
  }
  const CarSettings& s = settings_;
  double target = 0;
  if (cap_a_ >= s.min_a - kEps && soc_pct_ < s.target_soc_pct) {
    double taper = draw_max_a_;
    if (soc_pct_ > s.taper_from_pct)
      taper = std::max(s.min_a, draw_max_a_ * (100 - soc_pct_) / (100 - s.taper_from_pct));
    target = std::min({cap_a_, draw_max_a_, taper});
    target = std::max(target, s.min_a);  // Never below the minimum while charging.
  }
  if (target <= draw_a_)
    draw_a_ = target;
  else
    draw_a_ =
        std::max(std::min(target, s.min_a), std::min(target, draw_a_ + s.ramp_up_a_per_s * dt_s));
  const double p = power_of(s.phases, draw_a_);
  soc_pct_ += p * dt_s / 3600.0 / s.capacity_wh * 100.0;
  return draw_a_;
}

Flow site_flow(double base_w, double cars_w, double pv_w, const Battery& battery, double& soc_pct,
               double dt_s) {
  Flow f;
  f.pv_w = pv_w;
  f.base_w = base_w;
  f.cars_w = cars_w;
  const double net = base_w + cars_w - pv_w;
  f.battery_w = battery_step(battery, soc_pct, net, dt_s);
  f.grid_w = net + f.battery_w;
  return f;
}

}  // namespace simulator::site
