#include "simulator/scheduler.hpp"

#include <cmath>

namespace simulator {

Duration seconds_to_duration(double seconds) {
  if (!(seconds > 0)) return Duration::zero();
  return Duration(static_cast<Duration::rep>(std::llround(seconds * 1000.0)));
}

void Timer::start(Duration delay, std::function<void()> fn) {
  cancel();
  // Clear our id before running, so `fn` may restart this timer.
  id_ = scheduler_->after(delay, [this, fn = std::move(fn)] {
    id_ = 0;
    fn();
  });
}

void Timer::cancel() {
  if (id_ != 0) scheduler_->cancel(id_);
  id_ = 0;
}

ManualScheduler::ManualScheduler()
    : now_(Clock::time_point{} + std::chrono::hours(1)),
      wall_start_(ocpp::DateTime::from_unix_micros(1'700'000'000'000'000)),
      start_(now_) {}

ocpp::DateTime ManualScheduler::wall_now() const {
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now_ - start_);
  return ocpp::DateTime::from_unix_micros(wall_start_.unix_micros() + elapsed.count());
}

Scheduler::TimerId ManualScheduler::after(Duration delay, std::function<void()> fn) {
  TimerId id = ++next_id_;
  Key key{now_ + (delay < Duration::zero() ? Duration::zero() : delay), id};
  timers_.emplace(key, std::move(fn));
  key_of_.emplace(id, key);
  return id;
}

void ManualScheduler::cancel(TimerId id) {
  auto it = key_of_.find(id);
  if (it == key_of_.end()) return;
  timers_.erase(it->second);
  key_of_.erase(it);
}

void ManualScheduler::advance(Duration delta) {
  const Clock::time_point end = now_ + delta;
  while (!timers_.empty() && timers_.begin()->first.first <= end) {
    auto node = timers_.extract(timers_.begin());
    key_of_.erase(node.key().second);
    if (node.key().first > now_) now_ = node.key().first;
    node.mapped()();
  }
  now_ = end;
}

}  // namespace simulator
