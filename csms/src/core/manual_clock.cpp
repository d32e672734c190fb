#include <algorithm>

#include "core/clock.hpp"
#include "core/executor.hpp"

namespace csms {

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

void ManualClock::step_to(std::chrono::steady_clock::time_point t) {
  if (t <= steady_) return;
  system_ += std::chrono::duration_cast<std::chrono::microseconds>(t - steady_);
  steady_ = t;
}

void ManualClock::advance(std::chrono::steady_clock::duration d) {
  const auto target = steady_ + d;
  for (;;) {
    bool any = false;
    auto earliest = target;
    for (auto* e : executors_) {
      std::chrono::steady_clock::time_point due;
      if (e->next_due(due) && due <= earliest) {
        earliest = due;
        any = true;
      }
    }
    if (!any) break;
    step_to(earliest);
    // Copy: a timer may destroy or create executors.
    auto executors = executors_;
    for (auto* e : executors) e->fire_due(steady_);
  }
  step_to(target);
}

struct ManualExecutor::Timer : TimerHandle::State {
  Task task;
  bool cancelled = false;
  void cancel() override {
    cancelled = true;
    task = nullptr;  // drop what it holds, as a cancelled Asio timer would
  }
};

ManualExecutor::ManualExecutor(ManualClock& clock, Executor* inner) : clock_(clock), inner_(inner) {
  clock_.executors_.push_back(this);
}

ManualExecutor::~ManualExecutor() {
  auto& list = clock_.executors_;
  list.erase(std::remove(list.begin(), list.end(), this), list.end());
}

void ManualExecutor::post(Task task) {
  if (inner_) return inner_->post(std::move(task));
  std::lock_guard<std::mutex> lock(mutex_);
  posted_.push_back(std::move(task));
}

TimerHandle ManualExecutor::post_after(Duration delay, Task task) {
  auto timer = std::make_shared<Timer>();
  timer->task = std::move(task);
  timers_.emplace(clock_.steady_now() + std::max(delay, Duration::zero()), timer);
  return TimerHandle(timer);
}

std::size_t ManualExecutor::run_posted() {
  std::size_t ran = 0;
  for (;;) {
    std::vector<Task> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(posted_);
    }
    if (batch.empty()) return ran;
    for (auto& t : batch) {
      t();
      ++ran;
    }
  }
}

std::size_t ManualExecutor::pending_timers() const {
  return static_cast<std::size_t>(std::count_if(
      timers_.begin(), timers_.end(), [](const auto& t) { return !t.second->cancelled; }));
}

bool ManualExecutor::next_due(std::chrono::steady_clock::time_point& due) const {
  for (const auto& [when, timer] : timers_) {
    if (timer->cancelled) continue;
    due = when;
    return true;
  }
  return false;
}

void ManualExecutor::fire_due(std::chrono::steady_clock::time_point now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto timer = timers_.begin()->second;
    timers_.erase(timers_.begin());
    if (timer->cancelled) continue;
    auto task = std::move(timer->task);
    timer->cancelled = true;  // ran: a later cancel() is a no-op
    if (task) task();
  }
}

}  // namespace csms
