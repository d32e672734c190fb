#pragma once
// The connection to the CSMS as the station sees it: text frames in and out,
// up/down notifications, and the station's say over when to be offline.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "simulator/scheduler.hpp"

namespace simulator {

/// Why a connection attempt failed.
struct LinkFailure {
  int http_status = 0;  ///< The HTTP status that refused the upgrade; 0 if none.
  std::string message;  ///< Human-readable cause.
  bool fatal = false;   ///< The link gave up: it will not try again.
};

/// What a Link tells its station.
class LinkObserver {
 public:
  virtual ~LinkObserver() = default;
  /// The WebSocket is open (subprotocol checked).
  virtual void on_link_up() = 0;
  virtual void on_link_message(std::string_view text) = 0;
  /// The connection that was up is gone (whatever the cause).
  virtual void on_link_down() = 0;
  /// An attempt failed before the connection was up.
  virtual void on_link_failure(const LinkFailure& failure) = 0;
};

/// A connection that reconnects by itself (with back-off) unless told otherwise.
class Link {
 public:
  virtual ~Link() = default;
  virtual void set_observer(LinkObserver* observer) = 0;
  /// Starts connecting.
  virtual void start() = 0;
  /// Sends one text frame; dropped (and logged) when not up.
  virtual void send(std::string text) = 0;
  virtual bool is_up() const = 0;
  /// Closes the connection (if up: on_link_down is called before this returns)
  /// and reconnects after `reconnect_after`, or only on go_online() if nullopt.
  virtual void go_offline(std::optional<Duration> reconnect_after) = 0;
  /// Connects now if not up or connecting (cancels a pending back-off wait).
  virtual void go_online() = 0;
  /// Drops the connection as if it failed and reconnects with back-off (for an
  /// unanswered CALL: the peer is presumed unreachable).
  virtual void reconnect() = 0;
  /// Closes cleanly and never reconnects; `done` runs when the close finished.
  virtual void shutdown(std::function<void()> done) = 0;
};

}  // namespace simulator
