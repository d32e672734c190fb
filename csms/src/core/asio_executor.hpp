#pragma once
// The server's Executor on a Boost.Asio io_context (the network thread's).

#include <boost/asio/io_context.hpp>

#include "core/executor.hpp"

namespace csms {

/// Posts to an io_context; delayed tasks use steady_timers on it.
class AsioExecutor : public Executor {
 public:
  explicit AsioExecutor(boost::asio::io_context& io) : io_(io) {}
  void post(Task task) override;
  TimerHandle post_after(Duration delay, Task task) override;
  boost::asio::io_context& context() { return io_; }

 private:
  boost::asio::io_context& io_;
};

}  // namespace csms
