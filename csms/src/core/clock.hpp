#pragma once
// The time the server core reads: wall-clock instants for records and OCPP
// answers, a steady clock for intervals. Injected so tests can move it.

#include <chrono>
#include <vector>

#include "ocpp/common/datetime.hpp"

namespace csms {

class ManualExecutor;

/// Where the core reads the time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The wall-clock instant (UTC, microseconds), as stored and sent.
  virtual ocpp::DateTime system_now() const = 0;
  /// A monotonic instant, for timeouts and rates.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

/// The real clocks of the machine.
class SystemClock : public Clock {
 public:
  ocpp::DateTime system_now() const override { return ocpp::DateTime::now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  /// The process's one instance, for code without a context.
  static SystemClock& instance();
};

/// A clock for tests: stands still until advance() moves both clocks, firing
/// the due delayed tasks of the ManualExecutors built on it as time passes.
class ManualClock : public Clock {
 public:
  explicit ManualClock(ocpp::DateTime start = ocpp::DateTime::now())
      : system_(start.time_point()), steady_(std::chrono::steady_clock::now()) {}
  ocpp::DateTime system_now() const override { return ocpp::DateTime(system_); }
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }

  /// Moves time forward by `d`, stopping at each due timer to run it (timers
  /// that it sets within the step run too).
  void advance(std::chrono::steady_clock::duration d);
  /// Sets the wall clock alone (the steady clock never goes back).
  void set_system(ocpp::DateTime t) { system_ = t.time_point(); }

 private:
  friend class ManualExecutor;
  void step_to(std::chrono::steady_clock::time_point t);
  ocpp::DateTime::TimePoint system_;
  std::chrono::steady_clock::time_point steady_;
  std::vector<ManualExecutor*> executors_;
};

}  // namespace csms
