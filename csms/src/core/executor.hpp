#pragma once
// The one way the server core runs work later: post a task to the network
// thread, or run it after a delay. Handlers and services see only this
// interface, so they need no Boost.Asio and tests can drive time by hand.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace csms {

class ManualClock;

/// Owns a pending delayed task, like a steady_timer owns its wait: cancel(),
/// assigning another task or destroying the handle makes sure the task never
/// runs. Move-only; an empty handle (default) cancels nothing.
class [[nodiscard]] TimerHandle {
 public:
  /// What an executor keeps per delayed task.
  struct State {
    virtual ~State() = default;
    virtual void cancel() = 0;
  };
  TimerHandle() = default;
  explicit TimerHandle(std::shared_ptr<State> state) : state_(std::move(state)) {}
  TimerHandle(TimerHandle&&) noexcept = default;
  TimerHandle& operator=(TimerHandle&& other) noexcept {
    if (this != &other) {
      cancel();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  ~TimerHandle() { cancel(); }
  /// Call on the executor's thread; a task cancelled before it ran never runs.
  void cancel() {
    if (state_) state_->cancel();
    state_.reset();
  }

 private:
  std::shared_ptr<State> state_;
};

/// Runs tasks on one thread (the network thread, in the server).
class Executor {
 public:
  using Task = std::function<void()>;
  using Duration = std::chrono::steady_clock::duration;
  virtual ~Executor() = default;
  /// Queues `task` to run on the executor's thread; callable from any thread.
  virtual void post(Task task) = 0;
  /// Runs `task` on the executor's thread once `delay` has passed (on the
  /// executor's clock), unless the returned handle is cancelled or destroyed
  /// first. Call on the executor's thread.
  virtual TimerHandle post_after(Duration delay, Task task) = 0;
};

/// An executor for tests: posted tasks wait until run_posted() (or go to an
/// inner executor), delayed tasks run when the ManualClock is advanced past
/// their time, never on their own.
class ManualExecutor : public Executor {
 public:
  /// `inner`: where post() goes (e.g. a real event loop that storage
  /// completions also need); none: post() queues for run_posted().
  explicit ManualExecutor(ManualClock& clock, Executor* inner = nullptr);
  ~ManualExecutor() override;
  ManualExecutor(const ManualExecutor&) = delete;
  ManualExecutor& operator=(const ManualExecutor&) = delete;

  void post(Task task) override;
  TimerHandle post_after(Duration delay, Task task) override;

  /// Runs the tasks posted so far (and those they post); returns how many ran.
  std::size_t run_posted();
  /// Delayed tasks not yet run nor cancelled.
  std::size_t pending_timers() const;

 private:
  friend class ManualClock;
  struct Timer;
  /// The earliest due time of a pending delayed task, if any.
  bool next_due(std::chrono::steady_clock::time_point& due) const;
  /// Runs the pending delayed tasks due at or before `now`, in time order.
  void fire_due(std::chrono::steady_clock::time_point now);

  ManualClock& clock_;
  Executor* inner_;
  std::mutex mutex_;  ///< Guards posted_ (post() may come from any thread).
  std::vector<Task> posted_;
  std::multimap<std::chrono::steady_clock::time_point, std::shared_ptr<Timer>> timers_;
};

}  // namespace csms
