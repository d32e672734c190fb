#pragma once
// A background thread for blocking work (signing, file writes) that must not
// run on the network thread; results hop back through the Executor.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace csms {

/// One thread running posted tasks in order; the destructor runs what is
/// queued, then joins.
class Worker {
 public:
  Worker();
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  /// Queues `task`; callable from any thread.
  void post(std::function<void()> task);
  /// Runs what is queued and stops the thread (idempotent).
  void join();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace csms
