#pragma once
// The Link over a Boost.Beast WebSocket client: asynchronous on a shared
// io_context (no thread per station), reconnecting with back-off.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "simulator/backoff.hpp"
#include "simulator/link.hpp"
#include "simulator/log.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/tls.hpp"
#include "simulator/url.hpp"

namespace boost::asio {
class io_context;
}

namespace simulator {

/// Where and how a WsLink connects.
struct WsLinkSettings {
  WsUrl url;
  std::string station_id;
  std::optional<std::string> password;  ///< Set: HTTP Basic auth, user = station id.
  std::string subprotocol = "ocpp1.6";
  Duration reconnect_min{500};
  Duration reconnect_max{30000};
  /// Keep retrying after 401/404 or a wrong subprotocol (else: give up).
  bool retry_rejected = false;
  Duration connect_timeout{10000};  ///< TCP connect; also WebSocket open/close handshakes.
  std::uint64_t seed = 0;           ///< Back-off jitter.
  /// wss://: trust anchors (--ca-file) and client certificate (--cert, --key).
  TlsClientConfig tls;
};

/// A client WebSocket (ws:// or wss://) to the CSMS at `<url>/<percent-encoded id>`.
class WsLink : public Link {
 public:
  WsLink(boost::asio::io_context& io, Scheduler& scheduler, WsLinkSettings settings, Logger log);
  ~WsLink() override;
  WsLink(const WsLink&) = delete;
  WsLink& operator=(const WsLink&) = delete;

  void set_observer(LinkObserver* observer) override { observer_ = observer; }
  void start() override;
  void send(std::string text) override;
  bool is_up() const override { return state_ == State::Open; }
  void go_offline(std::optional<Duration> reconnect_after) override;
  void go_online() override;
  void reconnect() override;
  void shutdown(std::function<void()> done) override;
  void set_password(std::optional<std::string> password) override;
  void set_client_certificate(std::string chain_pem, std::string key_pem) override;
  void set_installed_roots(std::string pem) override { installed_roots_ = std::move(pem); }
  bool set_url(const std::string& url, std::string& error) override;
  std::string url() const override;

 private:
  struct Conn;
  enum class State { Idle, Connecting, Open, Waiting, Paused, Stopped };

  void connect();
  void handshake(const std::shared_ptr<Conn>& conn);
  void attempt_failed(const std::shared_ptr<Conn>& conn, LinkFailure failure);
  void connection_lost(const std::shared_ptr<Conn>& conn, const std::string& why);
  void opened(const std::shared_ptr<Conn>& conn);
  void schedule_reconnect(Duration delay);
  static void read(WsLink* self, std::shared_ptr<Conn> conn);
  static void write_next(WsLink* self, std::shared_ptr<Conn> conn);
  static void close(std::shared_ptr<Conn> conn, std::function<void()> done);
  static void abort(const std::shared_ptr<Conn>& conn);

  boost::asio::io_context& io_;
  WsLinkSettings settings_;
  Logger log_;
  LinkObserver* observer_ = nullptr;
  State state_ = State::Idle;
  std::shared_ptr<Conn> conn_;
  Timer retry_timer_;
  Backoff backoff_;
  std::string target_;
  std::string authorization_;
  std::string installed_roots_;
};

}  // namespace simulator
