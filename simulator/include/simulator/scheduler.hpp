#pragma once
// Time and timers behind an interface, so the station model runs on an asio
// io_context in the simulator and on virtual time in tests.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "ocpp/common/datetime.hpp"

namespace simulator {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

/// Seconds (possibly fractional) as a Duration, rounded to the millisecond.
Duration seconds_to_duration(double seconds);

/// Monotonic time, wall-clock time and one-shot timers.
class Scheduler {
 public:
  using TimerId = std::uint64_t;
  virtual ~Scheduler() = default;

  virtual Clock::time_point now() const = 0;
  /// The wall clock, for message timestamps.
  virtual ocpp::DateTime wall_now() const = 0;
  /// Runs `fn` once after `delay` (never synchronously). Returns a nonzero id.
  virtual TimerId after(Duration delay, std::function<void()> fn) = 0;
  /// Cancels a timer; unknown or already-fired ids are ignored.
  virtual void cancel(TimerId id) = 0;
};

/// A restartable one-shot timer that cancels itself when destroyed, so objects
/// holding one never get called back after they are gone.
class Timer {
 public:
  explicit Timer(Scheduler& scheduler) : scheduler_(&scheduler) {}
  ~Timer() { cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// (Re)starts the timer; a pending expiry is cancelled.
  void start(Duration delay, std::function<void()> fn);
  void cancel();
  bool pending() const { return id_ != 0; }

 private:
  Scheduler* scheduler_;
  Scheduler::TimerId id_ = 0;
};

/// Virtual time: nothing happens until the test calls advance(). Deterministic.
class ManualScheduler : public Scheduler {
 public:
  ManualScheduler();
  Clock::time_point now() const override { return now_; }
  ocpp::DateTime wall_now() const override;
  TimerId after(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;

  /// Moves time forward by `delta`, firing due timers in order (including
  /// timers that fired timers schedule, when they fall due within `delta`).
  void advance(Duration delta);
  /// Fires timers due now (delay 0) without moving time.
  void run_due() { advance(Duration::zero()); }
  std::size_t pending() const { return timers_.size(); }

 private:
  using Key = std::pair<Clock::time_point, TimerId>;
  Clock::time_point now_;
  ocpp::DateTime wall_start_;
  Clock::time_point start_;
  TimerId next_id_ = 0;
  std::map<Key, std::function<void()>> timers_;
  std::map<TimerId, Key> key_of_;
};

}  // namespace simulator
