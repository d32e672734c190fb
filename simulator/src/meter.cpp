#include "simulator/meter.hpp"

#include <algorithm>
#include <cmath>

namespace simulator {

Meter::Meter(double power_w, double energy_wh)
    : power_w_(std::max(0.0, power_w)), energy_wh_(std::max(0.0, energy_wh)) {}

void Meter::integrate(Clock::time_point t) {
  if (flowing_ && t > since_) {
    const double hours = std::chrono::duration<double, std::ratio<3600>>(t - since_).count();
    energy_wh_ += power_w_ * hours;
  }
  if (t > since_) since_ = t;
}

void Meter::resume(Clock::time_point t) {
  integrate(t);
  since_ = t;
  flowing_ = true;
}

void Meter::pause(Clock::time_point t) {
  integrate(t);
  flowing_ = false;
}

void Meter::set_power(Clock::time_point t, double power_w) {
  integrate(t);
  power_w_ = std::max(0.0, power_w);
}

double Meter::energy_wh(Clock::time_point t) const {
  double e = energy_wh_;
  if (flowing_ && t > since_) {
    e += power_w_ * std::chrono::duration<double, std::ratio<3600>>(t - since_).count();
  }
  return e;
}

std::int64_t Meter::energy_wh_int(Clock::time_point t) const {
  // The epsilon absorbs float error, so 10 Wh integrated in pieces is not 9.
  return static_cast<std::int64_t>(std::floor(energy_wh(t) + 1e-6));
}

void Meter::attach_ev(Clock::time_point t, double soc_percent, double capacity_wh) {
  ev_ = Ev{energy_wh(t), std::clamp(soc_percent, 0.0, 100.0), std::max(1.0, capacity_wh)};
}

std::optional<double> Meter::soc_percent(Clock::time_point t) const {
  if (!ev_) return std::nullopt;
  const double charged = energy_wh(t) - ev_->start_energy_wh;
  return std::min(100.0, ev_->start_soc + 100.0 * charged / ev_->capacity_wh);
}

}  // namespace simulator
