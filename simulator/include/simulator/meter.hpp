#pragma once
// The energy meter of one connector, with a simple EV battery attached.

#include <cstdint>
#include <optional>

#include "simulator/scheduler.hpp"

namespace simulator {

/// Integrates power over the time it flows into an energy register (Wh), like
/// a real meter: the register only ever rises. Current follows from a fixed
/// single-phase voltage; state of charge from the attached EV's battery size.
class Meter {
 public:
  static constexpr double kVoltage = 230.0;

  explicit Meter(double power_w = 7400.0, double energy_wh = 0.0);

  /// Power starts / stops flowing at `t` (idempotent).
  void resume(Clock::time_point t);
  void pause(Clock::time_point t);
  bool flowing() const { return flowing_; }
  /// Changes the power drawn from `t` on (the energy so far is kept).
  void set_power(Clock::time_point t, double power_w);

  /// The register at `t` (t not before the last resume/pause/set_power).
  double energy_wh(Clock::time_point t) const;
  /// The register in whole Wh, as OCPP's meterStart/meterStop want it.
  std::int64_t energy_wh_int(Clock::time_point t) const;
  /// What flows now: the configured power while flowing, else 0.
  double power_w() const { return flowing_ ? power_w_ : 0.0; }
  /// Per phase, on the phases the meter measures.
  double current_a() const { return power_w() / (kVoltage * phases_); }
  double configured_power_w() const { return power_w_; }
  /// The phases power flows on (1 by default), for current_a().
  void set_phases(int phases) { phases_ = phases < 1 ? 1 : phases; }

  /// An EV is plugged in at `t` with `soc_percent` charge in a `capacity_wh` battery.
  void attach_ev(Clock::time_point t, double soc_percent, double capacity_wh);
  void detach_ev() { ev_.reset(); }
  /// The EV's state of charge at `t` (capped at 100), or nullopt with no EV.
  std::optional<double> soc_percent(Clock::time_point t) const;

 private:
  void integrate(Clock::time_point t);

  double power_w_;
  double energy_wh_;
  int phases_ = 1;
  bool flowing_ = false;
  Clock::time_point since_{};  // when energy_wh_ was last brought up to date
  struct Ev {
    double start_energy_wh;
    double start_soc;
    double capacity_wh;
  };
  std::optional<Ev> ev_;
};

}  // namespace simulator
