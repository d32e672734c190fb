#pragma once
// The connection to the CSMS as the station sees it: text frames in and out,
// up/down notifications, and the station's say over when to be offline.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "simulator/scheduler.hpp"

namespace simulator {

/// Why a connection attempt failed.
struct LinkFailure {
  int http_status = 0;  ///< The HTTP status that refused the upgrade; 0 if none.
  std::string message;  ///< Human-readable cause.
  bool fatal = false;   ///< The link gave up: it will not try again.
  bool tls = false;     ///< TLS failed (set-up, handshake or certificate check).
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

  // How the station authenticates, changed by the CSMS (password rotation,
  // CertificateSigned, InstallCertificate, a security-profile upgrade). Each
  // applies from the next connection; links without TLS ignore them.

  /// HTTP Basic password (user = station id); nullopt: none sent.
  virtual void set_password(std::optional<std::string> password) { (void)password; }
  /// The client certificate (leaf first) and its key; empty: none presented.
  virtual void set_client_certificate(std::string chain_pem, std::string key_pem) {
    (void)chain_pem;
    (void)key_pem;
  }
  /// Installed CSMS root certificates (PEM): they verify the server unless the
  /// link was given its own trust anchors.
  virtual void set_installed_roots(std::string pem) { (void)pem; }
  /// Where to connect from the next connection on (ws:// or wss://). False
  /// with `error` set when the URL is unusable.
  virtual bool set_url(const std::string& url, std::string& error) {
    (void)url;
    error = "this link cannot change its URL";
    return false;
  }
  /// The URL connected to (or to be).
  virtual std::string url() const { return {}; }
};

}  // namespace simulator
