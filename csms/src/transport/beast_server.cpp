#include "transport/beast_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "csms/log.hpp"
#include "transport/proxy.hpp"
#include "transport/tls_context.hpp"

namespace csms::transport {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;

// Upgrade requests are a few hundred bytes; more is a client to get rid of.
constexpr std::uint32_t kMaxRequestHeader = 8192;
constexpr std::uint16_t kUnsupportedData = 1003;

std::string address_text(net::ip::address addr) {
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    addr = net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
  return addr.to_string();
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

/// What a server's sessions need from it, plain or TLS.
class SessionBase : public Connection {
 public:
  /// Service thread: sends a keep-alive ping (on the session's thread).
  virtual void ping() = 0;
};

/// What the server and its sessions share; sessions keep it alive.
struct Core {
  Core(net::io_context& i, const ServerOptions& o, Handler& h) : io(i), options(o), handler(h) {
    for (const auto& text : o.trusted_proxies) {
      std::string problem;
      auto net = parse_cidr(text, problem);
      if (!net) throw std::runtime_error("network.trusted_proxies: " + problem);
      trusted.push_back(*net);
    }
  }
  net::io_context& io;  ///< The service thread: every Handler call but prepare().
  ServerOptions options;
  Handler& handler;
  std::vector<Cidr> trusted;  ///< network.trusted_proxies
  /// Open connections (after the 101), for pings and the going-away close;
  /// written by the sessions' threads, read by the service thread.
  std::mutex open_mutex;
  std::unordered_map<SessionBase*, std::shared_ptr<SessionBase>> open;

  std::vector<std::shared_ptr<SessionBase>> open_now() {
    std::lock_guard<std::mutex> lock(open_mutex);
    std::vector<std::shared_ptr<SessionBase>> out;
    out.reserve(open.size());
    for (auto& entry : open) out.push_back(entry.second);
    return out;
  }
};

/// One TCP connection: TLS when kTls, the upgrade request, then the WebSocket,
/// with a write queue (one async_write at a time) and keep-alive pings. Lives
/// on its `home` io_context (an I/O thread, or the service thread): its state
/// is touched there only; Handler calls are posted to the service thread and
/// Connection calls from there are posted back.
template <bool kTls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  /// `stream_args` construct the stream below the WebSocket: the socket, and
  /// for TLS the context (held by `tls` for the connection's life).
  template <class... Args>
  Session(std::shared_ptr<Core> core, net::io_context& home, std::string remote,
          std::shared_ptr<ssl::context> tls, Args&&... stream_args)
      : core_(std::move(core)),
        home_(home),
        tls_(std::move(tls)),
        ws_(std::forward<Args>(stream_args)...),
        remote_(remote),
        peer_address_(std::move(remote)),
        deadline_(home),
        pong_timer_(home) {}

  using std::enable_shared_from_this<Session<kTls>>::shared_from_this;
  using std::enable_shared_from_this<Session<kTls>>::weak_from_this;

  void start() {
    auto self = shared_from_this();
    deadline_.expires_after(core_->options.handshake_timeout);
    deadline_.async_wait([self](const beast::error_code& ec) {
      if (ec || self->opened_) return;
      log::debug("upgrade from {} not complete in time, dropping it", self->remote_);
      self->terminate();
    });
    read_preamble();
  }

  // The first bytes decide whether a PROXY v2 header comes before TLS/HTTP.
  void read_preamble() {
    auto self = shared_from_this();
    beast::get_lowest_layer(ws_).async_read_some(
        buffer_.prepare(4096), [self](const beast::error_code& ec, std::size_t n) {
          if (ec) {
            self->terminate();
            return;
          }
          self->buffer_.commit(n);
          self->on_preamble();
        });
  }

  void on_preamble() {
    if (dead_) return;
    std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (!proxy_v2_signature_prefix(data)) return after_preamble();
    if (!address_in(peer_address_, core_->trusted)) {
      if (data.size() < kProxyV2SignatureSize) return read_preamble();
      log::warn("PROXY v2 header from {}, which is not a trusted proxy: connection dropped",
                peer_address_);
      return terminate();
    }
    auto r = parse_proxy_v2(data);
    if (r.status == ProxyV2::Status::need_more) return read_preamble();
    if (r.status == ProxyV2::Status::invalid) {
      log::warn("bad PROXY v2 header from {}: {}", peer_address_, r.problem);
      return terminate();
    }
    buffer_.consume(r.length);
    if (!r.source.empty()) {
      remote_ = r.source;
      proxied_ = true;
    }
    after_preamble();
  }

  void after_preamble() {
    if constexpr (kTls) {
      auto self = shared_from_this();
      // Bytes already read belong to the TLS handshake.
      ws_.next_layer().async_handshake(
          ssl::stream_base::server, buffer_.data(),
          [self](const beast::error_code& ec, std::size_t) {
            self->buffer_.consume(self->buffer_.size());
            if (ec) {
              if (!self->dead_)
                log::debug("TLS handshake with {} failed: {}", self->remote_, ec.message());
              self->terminate();
              return;
            }
            self->peer_ = peer_certificate(self->ws_.next_layer().native_handle());
            self->log_peer();
            self->read_request();
          });
    } else {
      read_request();
    }
  }

  // ---- Connection (service thread) -------------------------------------------

  void send(std::string_view text) override {
    if (!threaded()) return do_send(std::string(text));
    net::post(home_, [self = shared_from_this(), text = std::string(text)]() mutable {
      self->do_send(std::move(text));
    });
  }

  void close(std::uint16_t code, const std::string& reason) override {
    if (!threaded()) return do_close(code, reason);
    net::post(home_, [self = shared_from_this(), code, reason] { self->do_close(code, reason); });
  }

  /// Set before the handler hears of the connection and never changed after.
  const std::string& remote_address() const override { return remote_; }

  void ping() override {
    if (!threaded()) return do_ping();
    net::post(home_, [self = shared_from_this()] { self->do_ping(); });
  }

 private:
  // ---- on the session's thread ----------------------------------------------

  bool threaded() const { return &home_ != &core_->io; }

  /// Runs `f` on the service thread: posted from an I/O thread, at once
  /// without one (the session's thread is the service thread then).
  template <class F>
  void on_service(F&& f) {
    if (threaded())
      net::post(core_->io, std::forward<F>(f));
    else
      f();
  }

  void do_send(std::string text) {
    if (dead_ || close_requested_) return;
    queue_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void do_close(std::uint16_t code, const std::string& reason) {
    if (dead_ || close_requested_) return;
    close_requested_ = true;
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    maybe_close();
  }

  void do_ping() {
    if (dead_ || close_requested_ || pinging_) return;
    pinging_ = true;
    auto self = shared_from_this();
    ws_.async_ping({}, [self](const beast::error_code& ec) {
      self->pinging_ = false;
      if (ec) return;
      self->maybe_close();
    });
    pong_timer_.expires_after(core_->options.pong_timeout);
    pong_timer_.async_wait([self](const beast::error_code& ec) {
      if (ec || self->dead_) return;
      // A half-open connection never completes a close handshake: drop it now
      // so the station is seen offline at once.
      log::info("keep-alive: no pong from {}, dropping the connection", self->remote_);
      self->terminate();
    });
  }

  /// Closes the socket at once; a pending read fails and cleans up, else
  /// the handler hears of it now.
  void terminate() {
    if (!dead_) {
      dead_ = true;
      beast::error_code ec;
      auto& socket = beast::get_lowest_layer(ws_).socket();
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      deadline_.cancel();
      pong_timer_.cancel();
    }
    if (!reading_) gone();
  }

  void log_peer() const {
    if (!peer_.present) return;
    log::debug("TLS client certificate from {}: CN={} O={} serial {} {}", remote_, peer_.subject_cn,
               peer_.subject_o, peer_.serial_hex,
               peer_.verified ? "verified" : "not verified: " + peer_.verify_error);
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(kMaxRequestHeader);
    parser_->body_limit(0);
    auto self = shared_from_this();
    http::async_read(
        ws_.next_layer(), buffer_, *parser_, [self](const beast::error_code& ec, std::size_t) {
          if (ec) {
            if (!self->dead_)
              log::debug("upgrade request from {} failed: {}", self->remote_, ec.message());
            self->terminate();
            return;
          }
          self->on_request();
        });
  }

  void on_request() {
    request_ = parser_->release();
    parser_.reset();
    if (!websocket::is_upgrade(request_)) {
      HandshakeAnswer a;
      a.status = 426;
      a.headers.emplace_back("Upgrade", "websocket");
      a.body = "this endpoint speaks WebSocket (OCPP-J) only";
      refuse(a);
      return;
    }
    Handshake hs;
    hs.resource = std::string(request_.target());
    for (auto range = request_.equal_range(http::field::sec_websocket_protocol);
         range.first != range.second; ++range.first) {
      std::string_view value(range.first->value().data(), range.first->value().size());
      while (!value.empty()) {
        auto comma = value.find(',');
        auto item = trim(value.substr(0, comma));
        if (!item.empty()) hs.subprotocols.push_back(std::move(item));
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
    auto auth = request_[http::field::authorization];
    hs.authorization.assign(auth.data(), auth.size());
    if (!proxied_ && address_in(peer_address_, core_->trusted)) {
      std::vector<std::string> forwarded;
      for (auto range = request_.equal_range("X-Forwarded-For"); range.first != range.second;
           ++range.first)
        forwarded.emplace_back(range.first->value().data(), range.first->value().size());
      remote_ = forwarded_client(forwarded, peer_address_, core_->trusted);
    }
    hs.remote_address = remote_;
    hs.peer_address = peer_address_;
    hs.tls = kTls;
    hs.client_certificate = peer_;
    on_service([self = shared_from_this(), hs = std::move(hs)] {
      // The answer comes on the service thread; the session decides on its own.
      auto answer_home = [self](HandshakeAnswer answer) {
        if (!self->threaded()) return self->decided(std::move(answer));
        net::post(self->home_, [self, answer = std::move(answer)]() mutable {
          self->decided(std::move(answer));
        });
      };
      try {
        // The session stays alive until the answer comes; decided() drops it
        // when the connection timed out or was stopped meanwhile.
        self->core_->handler.on_handshake(hs, answer_home);
      } catch (const std::exception& e) {
        log::error("handshake handler failed: {}", e.what());
        HandshakeAnswer answer;
        answer.status = 500;
        answer_home(std::move(answer));
      }
    });
  }

  void decided(HandshakeAnswer answer) {
    if (answered_) return;  // a handler that threw after answering
    answered_ = true;
    if (dead_) return;  // timed out or stopped meanwhile
    if (answer.status != 101) return refuse(answer);
    answer_ = std::move(answer);
    const std::string subprotocol = answer_.subprotocol;
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
      if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    // Beast's own timeout covers the 101 write and the close handshake; the
    // keep-alive is ours (ping interval and pong timeout are configured apart).
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = core_->options.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(core_->options.max_message_size);
    ws_.auto_fragment(false);
    auto weak = weak_from_this();
    ws_.control_callback([weak](websocket::frame_type kind, beast::string_view) {
      if (kind != websocket::frame_type::pong) return;
      if (auto self = weak.lock()) self->pong_timer_.cancel();
    });
    auto self = shared_from_this();
    ws_.async_accept(request_, [self](const beast::error_code& ec) {
      if (ec) {
        log::debug("upgrade of {} failed: {}", self->remote_, ec.message());
        self->terminate();
        return;
      }
      self->on_accepted();
    });
  }

  void on_accepted() {
    if (dead_) return;
    deadline_.cancel();
    opened_ = true;
    request_ = {};
    {
      std::lock_guard<std::mutex> lock(core_->open_mutex);
      core_->open[this] = shared_from_this();
    }
    read_next();
    // Posted before any frame's on_message (one thread posts both, in order).
    on_service([self = shared_from_this()] { self->core_->handler.on_open(self, self->answer_); });
  }

  void refuse(const HandshakeAnswer& a) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(a.status), request_.version());
    for (const auto& [name, value] : a.headers) res->insert(name, value);
    if (!a.body.empty()) {
      res->set(http::field::content_type, "text/plain; charset=utf-8");
      res->body() = a.body;
    }
    res->keep_alive(false);
    res->prepare_payload();
    auto self = shared_from_this();
    http::async_write(ws_.next_layer(), *res,
                      [self, res](const beast::error_code&, std::size_t) { self->terminate(); });
  }

  void read_next() {
    reading_ = true;
    auto self = shared_from_this();
    ws_.async_read(rbuf_, [self](const beast::error_code& ec, std::size_t) {
      self->reading_ = false;
      if (ec) {
        if (ec == websocket::error::message_too_big)
          log::info("frame over {} bytes from {}, closed with 1009",
                    self->core_->options.max_message_size, self->remote_);
        self->terminate();
        return;
      }
      self->on_frame();
    });
  }

  void on_frame() {
    if (dead_) {
      gone();
      return;
    }
    if (!ws_.got_text()) {
      rbuf_.consume(rbuf_.size());
      close(kUnsupportedData, "OCPP-J uses text frames");
    } else {
      // A flat buffer holds the frame in one piece: read in place, copied
      // only to cross to the service thread.
      const auto data = rbuf_.data();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      auto prepared = core_->handler.prepare(answer_, text);
      if (threaded()) {
        net::post(core_->io, [self = shared_from_this(), text = std::string(text),
                              prepared = std::move(prepared)]() mutable {
          self->core_->handler.on_message(self, text, std::move(prepared));
        });
      } else {
        core_->handler.on_message(shared_from_this(), text, std::move(prepared));
      }
      rbuf_.consume(rbuf_.size());
      // One large frame must not keep its buffer for the connection's life.
      if (rbuf_.capacity() > 16384) rbuf_.shrink_to_fit();
    }
    if (dead_) {
      gone();
      return;
    }
    read_next();
  }

  void write_next() {
    if (queue_.empty() || dead_) {
      writing_ = false;
      maybe_close();
      return;
    }
    writing_ = true;
    ws_.text(true);
    auto self = shared_from_this();
    ws_.async_write(net::buffer(queue_.front()), [self](const beast::error_code& ec, std::size_t) {
      if (!self->queue_.empty()) self->queue_.pop_front();
      if (ec) {
        log::debug("send to {} failed: {}", self->remote_, ec.message());
        self->queue_.clear();
        self->writing_ = false;
        return;
      }
      self->write_next();
    });
  }

  // The close frame goes after the queued messages and never beside a ping.
  void maybe_close() {
    if (!close_requested_ || closing_ || writing_ || pinging_ || dead_ || !opened_) return;
    closing_ = true;
    auto self = shared_from_this();
    ws_.async_close(close_reason_, [self](const beast::error_code& ec) {
      if (ec) self->terminate();
    });
  }

  /// The connection is over: tell the handler once.
  void gone() {
    std::shared_ptr<SessionBase> self;
    {
      std::lock_guard<std::mutex> lock(core_->open_mutex);
      auto it = core_->open.find(this);
      if (it == core_->open.end()) return;
      self = it->second;
      core_->open.erase(it);
    }
    on_service([self, core = core_] { core->handler.on_close(self); });
  }

  std::shared_ptr<Core> core_;
  net::io_context& home_;  ///< Where this session's state lives.
  std::shared_ptr<ssl::context> tls_;
  websocket::stream<Stream> ws_;
  std::string remote_;        ///< The client (named by a trusted proxy, else the peer).
  std::string peer_address_;  ///< The TCP peer.
  bool proxied_ = false;      ///< remote_ came from a PROXY v2 header.
  PeerCertificate peer_;
  net::steady_timer deadline_;
  net::steady_timer pong_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::request<http::empty_body> request_;
  HandshakeAnswer answer_;
  beast::flat_buffer rbuf_;
  std::deque<std::string> queue_;
  websocket::close_reason close_reason_;
  bool opened_ = false;
  bool answered_ = false;
  bool dead_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool pinging_ = false;
  bool close_requested_ = false;
  bool closing_ = false;
};

class BeastServer : public Server {
 public:
  BeastServer(net::io_context& io, const ServerOptions& options, Handler& handler, IoPool* pool)
      : core_(std::make_shared<Core>(io, options, handler)),
        pool_(pool),
        acceptor_(io),
        ping_timer_(io),
        retry_timer_(io) {
    if (options.tls) tls_ = std::make_unique<TlsContextHolder>(options.tls_files);
  }

  ~BeastServer() override {
    beast::error_code ec;
    acceptor_.close(ec);
  }

  void start() override {
    const auto& o = core_->options;
    boost::system::error_code ec;
    auto address = net::ip::make_address(o.host, ec);
    if (ec) throw std::runtime_error("invalid OCPP listen address " + o.host);
    tcp::endpoint endpoint(address, o.port);
    auto fail = [&](const char* what) {
      throw std::runtime_error(std::string("cannot ") + what + " " + o.host + ":" +
                               std::to_string(o.port) + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) fail("open a socket for");
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) fail("listen on");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("listen on");
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) port_ = o.port;
    accept();
    schedule_ping();
  }

  void stop_accepting() override {
    stopped_ = true;
    beast::error_code ec;
    acceptor_.close(ec);
    ping_timer_.cancel();
    retry_timer_.cancel();
  }

  void stop() override {
    stop_accepting();
    for (auto& conn : core_->open_now())
      conn->close(close_code::kGoingAway, "server shutting down");
  }

  std::uint16_t port() const override { return port_; }

  std::string reload_tls() override {
    if (!tls_) return Server::reload_tls();
    return tls_->reload();
  }

 private:
  void accept() {
    net::io_context* home = pool_ ? pool_->next() : nullptr;
    if (home == nullptr) home = &core_->io;
    acceptor_.async_accept(*home, [this, home](const beast::error_code& ec, tcp::socket socket) {
      if (stopped_ || ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors, most likely: wait a little instead of spinning.
        log::warn("accept on the OCPP port failed: {}", ec.message());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([this](const beast::error_code& e) {
          if (!e && !stopped_) accept();
        });
        return;
      }
      beast::error_code pec;
      auto peer = socket.remote_endpoint(pec);
      socket.set_option(tcp::no_delay(true), pec);
      std::string remote = pec ? "unknown" : address_text(peer.address());
      // Started on its own thread, where all its state lives.
      if (tls_) {
        auto context = tls_->current();
        auto session = std::make_shared<Session<true>>(core_, *home, std::move(remote), context,
                                                       std::move(socket), *context);
        net::post(*home, [session] { session->start(); });
      } else {
        auto session = std::make_shared<Session<false>>(core_, *home, std::move(remote), nullptr,
                                                        std::move(socket));
        net::post(*home, [session] { session->start(); });
      }
      accept();
    });
  }

  void schedule_ping() {
    if (core_->options.ping_interval.count() <= 0) return;
    ping_timer_.expires_after(core_->options.ping_interval);
    ping_timer_.async_wait([this](const beast::error_code& ec) {
      if (ec || stopped_) return;
      for (auto& conn : core_->open_now()) conn->ping();
      schedule_ping();
    });
  }

  std::shared_ptr<Core> core_;
  IoPool* pool_;  ///< The connections' threads (null: all on the service thread).
  std::unique_ptr<TlsContextHolder> tls_;
  tcp::acceptor acceptor_;
  net::steady_timer ping_timer_;
  net::steady_timer retry_timer_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Server> make_beast_server(boost::asio::io_context& io, const ServerOptions& options,
                                          Handler& handler, IoPool* pool) {
  return std::make_unique<BeastServer>(io, options, handler, pool);
}

}  // namespace csms::transport
