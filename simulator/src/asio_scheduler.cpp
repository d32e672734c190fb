#include "simulator/asio_scheduler.hpp"

namespace simulator {

AsioScheduler::~AsioScheduler() {
  for (auto& [id, timer] : timers_) timer->cancel();
}

Scheduler::TimerId AsioScheduler::after(Duration delay, std::function<void()> fn) {
  TimerId id = ++next_id_;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_, delay);
  timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: do not touch anything, we may be gone
    auto it = timers_.find(id);
    if (it == timers_.end()) return;  // cancelled after it had already expired
    timers_.erase(it);
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioScheduler::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace simulator
