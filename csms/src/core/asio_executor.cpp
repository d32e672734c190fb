#include "core/asio_executor.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace csms {

namespace {

/// A steady_timer and its task; cancel() drops the task so it never runs, even
/// if the wait already completed and its handler is queued.
struct AsioTimer : TimerHandle::State {
  explicit AsioTimer(boost::asio::io_context& io) : timer(io) {}
  void cancel() override {
    task = nullptr;
    timer.cancel();
  }
  boost::asio::steady_timer timer;
  Executor::Task task;
};

}  // namespace

void AsioExecutor::post(Task task) {
  boost::asio::post(io_, std::move(task));
}

TimerHandle AsioExecutor::post_after(Duration delay, Task task) {
  auto t = std::make_shared<AsioTimer>(io_);
  t->task = std::move(task);
  t->timer.expires_after(delay);
  t->timer.async_wait([t](const boost::system::error_code& ec) {
    if (ec || !t->task) return;
    auto run = std::move(t->task);
    t->task = nullptr;
    run();
  });
  return TimerHandle(t);
}

}  // namespace csms
