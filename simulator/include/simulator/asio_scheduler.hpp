#pragma once
// The Scheduler on an asio io_context: real time, steady_timer per timer.

#include <memory>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "simulator/scheduler.hpp"

namespace simulator {

/// Timers on an io_context; many stations can share one. Must outlive the
/// io_context's run() (pending handlers refer to it).
class AsioScheduler : public Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& io) : io_(io) {}
  ~AsioScheduler() override;

  Clock::time_point now() const override { return Clock::now(); }
  ocpp::DateTime wall_now() const override { return ocpp::DateTime::now(); }
  TimerId after(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  /// The io_context the timers run on (also for the station's HTTP uploads).
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context& io_;
  TimerId next_id_ = 0;
  std::unordered_map<TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace simulator
