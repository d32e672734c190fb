#include "simulator/ws_link.hpp"
#include "simulator/ws_stream.hpp"

#include <deque>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace simulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// One connection attempt. Handlers hold it by shared_ptr; once `detached`
/// they never touch the WsLink again (it may be gone), they only finish
/// closing.
struct WsLink::Conn : WsStream<beast::tcp_stream> {
  /// ws:// when `tls` is null, else wss:// with that context.
  Conn(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls)
      : WsStream(io, std::move(tls)), resolver(io) {}
  beast::tcp_stream& tcp() { return lowest(); }
  tcp::resolver resolver;
  beast::flat_buffer buffer;
  websocket::response_type response;
  std::deque<std::string> outbox;
  bool open = false;  // the WebSocket handshake completed
  bool writing = false;
  bool detached = false;  // the link has let go of this connection
  bool closing = false;
  bool close_when_idle = false;
  std::function<void()> on_closed;
};

WsLink::WsLink(asio::io_context& io, Scheduler& scheduler, WsLinkSettings settings, Logger log)
    : io_(io),
      settings_(std::move(settings)),
      log_(std::move(log)),
      retry_timer_(scheduler),
      backoff_(settings_.reconnect_min, settings_.reconnect_max, settings_.seed),
      target_(station_target(settings_.url, settings_.station_id)) {
  if (settings_.password) authorization_ = basic_auth(settings_.station_id, *settings_.password);
}

WsLink::~WsLink() {
  if (conn_) abort(conn_);
}

void WsLink::start() {
  if (state_ == State::Idle) connect();
}

void WsLink::connect() {
  retry_timer_.cancel();
  state_ = State::Connecting;
  std::shared_ptr<asio::ssl::context> tls;
  if (settings_.url.tls) {
    TlsClientConfig config = settings_.tls;
    if (config.ca_pem.empty()) config.ca_pem = installed_roots_;
    std::string error;
    tls = make_client_tls_context(config, error);
    if (!tls) {
      // Not fatal: the station may yet be given usable credentials.
      state_ = State::Waiting;
      if (observer_) observer_->on_link_failure({0, "TLS setup: " + error, false, true});
      if (state_ == State::Waiting && !retry_timer_.pending()) schedule_reconnect(backoff_.next());
      return;
    }
  }
  auto c = std::make_shared<Conn>(io_, std::move(tls));
  conn_ = c;
  log_.debug("connecting to {}://{}{}", settings_.url.scheme(), settings_.url.host_header(),
             target_);
  c->resolver.async_resolve(
      settings_.url.host, settings_.url.port,
      [this, c](const beast::error_code& ec, const tcp::resolver::results_type& results) {
        if (c->detached) return;
        if (ec)
          return attempt_failed(c, {0, "resolving " + settings_.url.host + ": " + ec.message()});
        c->tcp().expires_after(settings_.connect_timeout);
        c->tcp().async_connect(
            results, [this, c](const beast::error_code& ec, const tcp::endpoint&) {
              if (c->detached) return;
              if (ec) return attempt_failed(c, {0, "connecting: " + ec.message()});
              if (!c->secure) {
                c->tcp().expires_never();
                return handshake(c);
              }
              auto& stream = c->secure->next_layer();
              std::string error;
              if (!set_tls_peer(stream.native_handle(), settings_.url.host, error))
                return attempt_failed(c, {0, "TLS: " + error, false, true});
              // The connect timeout still runs: it bounds the TLS handshake too.
              stream.async_handshake(
                  asio::ssl::stream_base::client, [this, c](const beast::error_code& ec) {
                    if (c->detached) return;
                    if (ec) {
                      return attempt_failed(
                          c, {0,
                              "TLS handshake with " + settings_.url.host_header() + " failed: " +
                                  describe_tls_failure(c->secure->next_layer().native_handle(), ec),
                              false, true});
                    }
                    c->tcp().expires_never();
                    handshake(c);
                  });
            });
      });
}

void WsLink::handshake(const std::shared_ptr<Conn>& c) {
  beast::error_code ignored;
  c->tcp().socket().set_option(tcp::no_delay(true), ignored);
  c->with_ws([&](auto& ws) {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = settings_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [sub = settings_.subprotocol, auth = authorization_](websocket::request_type& req) {
          req.set(http::field::user_agent, "ocpp-sim");
          req.set(http::field::sec_websocket_protocol, sub);
          if (!auth.empty()) req.set(http::field::authorization, auth);
        }));
    ws.async_handshake(
        c->response, settings_.url.host_header(), target_, [this, c](const beast::error_code& ec) {
          if (c->detached) return;
          if (ec == websocket::error::upgrade_declined) {
            const int status = static_cast<int>(c->response.result_int());
            const bool permanent = status == 401 || status == 404;
            return attempt_failed(c, {status, "the CSMS answered HTTP " + std::to_string(status),
                                      permanent && !settings_.retry_rejected});
          }
          // TLS 1.3: a server that refuses our certificate says so only now,
          // after the TLS handshake seemed to succeed.
          if (ec && ec.category() == asio::error::get_ssl_category()) {
            return attempt_failed(
                c, {0, "TLS: the server refused the connection: " + ec.message(), false, true});
          }
          if (ec) return attempt_failed(c, {0, "WebSocket handshake: " + ec.message()});
          opened(c);
        });
  });
}

void WsLink::opened(const std::shared_ptr<Conn>& c) {
  c->open = true;
  auto selected = c->response[http::field::sec_websocket_protocol];
  if (selected != settings_.subprotocol) {
    // OCPP-J: without the agreed subprotocol the charger must not talk.
    const std::string why = "the CSMS selected subprotocol \"" + std::string(selected) +
                            "\" instead of " + settings_.subprotocol;
    conn_.reset();
    close(c, {});
    return attempt_failed(c, {0, why, !settings_.retry_rejected});
  }
  state_ = State::Open;
  backoff_.reset();
  c->with_ws([](auto& ws) { ws.text(true); });
  log_.info("connected to {}://{}{} ({}{})", settings_.url.scheme(), settings_.url.host_header(),
            target_, settings_.subprotocol,
            !c->secure                       ? ""
            : settings_.tls.cert_pem.empty() ? ", TLS"
                                             : ", TLS with a client certificate");
  read(this, c);
  if (observer_) observer_->on_link_up();
}

void WsLink::attempt_failed(const std::shared_ptr<Conn>& c, LinkFailure failure) {
  if (conn_ == c) conn_.reset();
  if (!c->detached) abort(c);
  if (state_ == State::Stopped) return;
  state_ = State::Waiting;
  if (observer_) observer_->on_link_failure(failure);
  if (state_ != State::Waiting || retry_timer_.pending()) return;  // the observer decided
  if (failure.fatal) {
    state_ = State::Stopped;
    return;
  }
  schedule_reconnect(backoff_.next());
}

void WsLink::connection_lost(const std::shared_ptr<Conn>& c, const std::string& why) {
  if (conn_ == c) conn_.reset();
  abort(c);
  if (state_ != State::Open) return;
  log_.info("connection lost: {}", why);
  state_ = State::Waiting;
  if (observer_) observer_->on_link_down();
  if (state_ == State::Waiting && !retry_timer_.pending()) schedule_reconnect(backoff_.next());
}

void WsLink::schedule_reconnect(Duration delay) {
  state_ = State::Waiting;
  log_.info("reconnecting in {} ms", delay.count());
  retry_timer_.start(delay, [this] { connect(); });
}

void WsLink::read(WsLink* self, std::shared_ptr<Conn> c) {
  c->with_ws([&](auto& ws) {
    ws.async_read(c->buffer, [self, c](const beast::error_code& ec, std::size_t) {
      if (ec) {
        if (!c->detached) self->connection_lost(c, ec.message());
        return;
      }
      std::string text = beast::buffers_to_string(c->buffer.data());
      c->buffer.consume(c->buffer.size());
      if (!c->detached && self->observer_) self->observer_->on_link_message(text);
      // Keep reading even when detached: that is how the close handshake completes.
      read(self, c);
    });
  });
}

void WsLink::send(std::string text) {
  if (state_ != State::Open || !conn_) {
    log_.warn("not connected: dropping {}", text);
    return;
  }
  conn_->outbox.push_back(std::move(text));
  if (!conn_->writing) write_next(this, conn_);
}

void WsLink::write_next(WsLink* self, std::shared_ptr<Conn> c) {
  if (c->outbox.empty() || c->closing) {
    c->writing = false;
    if (c->close_when_idle) close(c, std::move(c->on_closed));
    return;
  }
  c->writing = true;
  c->with_ws([&](auto& ws) {
    ws.async_write(asio::buffer(c->outbox.front()),
                   [self, c](const beast::error_code& ec, std::size_t) {
                     c->outbox.pop_front();
                     if (ec) {
                       c->writing = false;
                       if (!c->detached) self->connection_lost(c, ec.message());
                       if (c->on_closed) std::exchange(c->on_closed, {})();
                       return;
                     }
                     write_next(self, c);
                   });
  });
}

void WsLink::close(std::shared_ptr<Conn> c, std::function<void()> done) {
  c->detached = true;
  if (done) c->on_closed = std::move(done);
  if (c->closing) return;
  if (!c->open) {
    abort(c);
    if (c->on_closed) std::exchange(c->on_closed, {})();
    return;
  }
  if (c->writing) {
    // Beast allows one write at a time; close after the frames already queued
    // (a Reset's CALLRESULT must reach the CSMS before we go).
    c->close_when_idle = true;
    return;
  }
  c->closing = true;
  c->with_ws([&](auto& ws) {
    ws.async_close(websocket::close_code::normal, [c](const beast::error_code&) {
      beast::error_code ignored;
      c->tcp().socket().close(ignored);
      if (c->on_closed) std::exchange(c->on_closed, {})();
    });
  });
}

void WsLink::abort(const std::shared_ptr<Conn>& c) {
  c->detached = true;
  c->resolver.cancel();
  beast::error_code ignored;
  c->tcp().socket().close(ignored);
}

void WsLink::go_offline(std::optional<Duration> reconnect_after) {
  if (state_ == State::Stopped) return;
  retry_timer_.cancel();
  const bool was_open = state_ == State::Open;
  if (auto c = std::exchange(conn_, nullptr)) {
    if (c->open) {
      close(c, {});
    } else {
      abort(c);
    }
  }
  state_ = State::Paused;
  if (was_open && observer_) observer_->on_link_down();
  if (reconnect_after && state_ == State::Paused) {
    retry_timer_.start(*reconnect_after, [this] { connect(); });
  }
}

void WsLink::go_online() {
  if (state_ == State::Open || state_ == State::Connecting || state_ == State::Stopped) return;
  backoff_.reset();
  connect();
}

void WsLink::reconnect() {
  if (state_ != State::Open || !conn_) return;
  auto c = std::exchange(conn_, nullptr);
  abort(c);  // presumed dead: no closing handshake to wait for
  state_ = State::Waiting;
  if (observer_) observer_->on_link_down();
  if (state_ == State::Waiting && !retry_timer_.pending()) schedule_reconnect(backoff_.next());
}

void WsLink::shutdown(std::function<void()> done) {
  retry_timer_.cancel();
  const bool was_open = state_ == State::Open;
  state_ = State::Stopped;
  auto c = std::exchange(conn_, nullptr);
  if (was_open && observer_) observer_->on_link_down();
  if (c && c->open) {
    close(c, std::move(done));
    return;
  }
  if (c) abort(c);
  if (done) done();
}

void WsLink::set_password(std::optional<std::string> password) {
  settings_.password = std::move(password);
  authorization_ =
      settings_.password ? basic_auth(settings_.station_id, *settings_.password) : std::string();
}

void WsLink::set_client_certificate(std::string chain_pem, std::string key_pem) {
  settings_.tls.cert_pem = std::move(chain_pem);
  settings_.tls.key_pem = std::move(key_pem);
}

bool WsLink::set_url(const std::string& url, std::string& error) {
  auto parsed = parse_ws_url(url, error);
  if (!parsed) return false;
  settings_.url = *parsed;
  target_ = station_target(settings_.url, settings_.station_id);
  return true;
}

std::string WsLink::url() const {
  return std::string(settings_.url.scheme()) + "://" + settings_.url.host_header() +
         settings_.url.path;
}

}  // namespace simulator
