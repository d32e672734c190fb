#pragma once
// What every part of the server core shares: the network thread's executor and
// clock, configuration, storage, the station registry and metrics. Handlers and
// services see the server through this header: it includes no Boost.

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/executor.hpp"
#include "csms/config.hpp"
#include "csms/event_hub.hpp"
#include "csms/metrics.hpp"
#include "csms/station_registry.hpp"
#include "storage/database.hpp"

namespace csms {

/// Shared services of the server core. Network thread only, except `db`.
struct ServerContext {
  Executor& executor;  ///< The network thread: post() hops there, post_after() waits.
  Clock& clock;        ///< The time records and answers carry; a test can move it.
  const Config& config;
  storage::Database& db;
  StationRegistry& registry;
  Metrics& metrics;
  std::vector<storage::LoggedFrame> frame_batch{};  ///< Logged, not yet handed to storage.
  EventHub* events = nullptr;  ///< Live events for the console (none in some tests).

  /// Publishes a live event (GET /api/stream), if anyone can listen.
  void publish(std::string_view type, std::initializer_list<EventField> fields) {
    if (events) events->publish(type, fields);
  }
  /// Called after the station CA rewrote its CRL file (tls.crl_files): the TLS
  /// listener reloads its CRLs. Empty: nothing to reload.
  std::function<void()> crl_reload{};
  /// In a cluster: `done(true)` when this node may run the one-at-a-time job
  /// named (it holds its lock). Empty: a single node runs every job.
  std::function<void(const std::string& job, std::function<void(bool)> done)> job_lock{};
  TimerHandle frame_flush_timer{};  ///< Pending flush of frame_batch.

  /// Appends a frame to the message log (asynchronously, never waited for).
  /// Frames go to storage in batches, at most every half second.
  void log_frame(const std::string& station_id, storage::Direction direction,
                 std::string_view frame);
  /// Hands the frames logged so far to storage (also at shutdown).
  void flush_frames();
  /// The wall-clock instant now (the context's clock).
  storage::DateTime now() const { return clock.system_now(); }
  /// Records a security event and logs it.
  void security_event(const std::string& station_id, const std::string& type,
                      const std::string& tech_info, const std::string& remote_address,
                      bool critical = false);
  /// Records a security event a station reported; `done` runs when it is
  /// committed (or failed), so the station is answered only then.
  void station_security_event(storage::SecurityEvent event, storage::Done done);

  /// Wraps `f(std::exception_ptr)` so it runs on the network thread when a
  /// storage operation completes.
  template <class F>
  storage::Done on_io(F f) {
    return [ex = &executor, f = std::move(f)](std::exception_ptr error) mutable {
      ex->post([f = std::move(f), error]() mutable { f(error); });
    };
  }
};

}  // namespace csms
