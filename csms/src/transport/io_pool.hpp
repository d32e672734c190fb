#pragma once
// Threads that carry the connections' per-frame work (TLS, WebSocket framing,
// JSON parsing), each running its own io_context, so one network thread is
// not the ceiling (server.io_threads).

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace csms::transport {

/// N I/O threads, one io_context each; connections are spread over them.
/// Outlive everything that holds a connection: stop() before the service
/// thread's io_context is destroyed, destroy after it.
class IoPool {
 public:
  /// `threads` 0: no pool (connections stay on the service thread).
  explicit IoPool(std::size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  /// Starts the threads (once).
  void start();
  /// Ends the threads and joins them (pending work is dropped); idempotent.
  void stop();
  /// The context for the next connection (round robin); nullptr without threads.
  /// Service thread only.
  boost::asio::io_context* next();
  std::size_t size() const { return contexts_.size(); }

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
  bool started_ = false;
};

/// The default of server.io_threads: the machine's cores, at most 8.
std::size_t default_io_threads();

}  // namespace csms::transport
