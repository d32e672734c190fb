// HTTP/1.1 transport of the admin API: Beast, asynchronous, keep-alive, all on
// the network thread's io_context; plain TCP or TLS (admin.tls).
#include "csms/admin/admin_server.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "admin/api.hpp"
#include "admin/event_stream.hpp"
#include "csms/log.hpp"
#include "csms/version.hpp"

namespace csms::admin {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kIdleTimeout{60};  // Waiting for the rest of a request.
// Waiting for a request's headers (a new or kept-alive connection): an idle
// client is dropped after this, and before it when the API is full.
constexpr std::chrono::seconds kHeaderTimeout{10};
constexpr std::chrono::seconds kWriteTimeout{60};  // Writing a response.
constexpr std::chrono::seconds kLingerTimeout{2};  // Draining an unread body before closing.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxSessions = 256;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// What the listener needs of a connection, whatever its stream.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  /// Whether it waits for a request's headers, and since when.
  virtual bool idle() const = 0;
  virtual std::chrono::steady_clock::time_point idle_since() const = 0;
  /// Ends the connection now (server stop); pending handlers see an error.
  virtual void close() = 0;
};

/// One client connection: reads requests one at a time, hands each to the Api
/// and writes its answer, then reads the next (keep-alive). `Stream` is a
/// beast::tcp_stream or a TLS stream over one.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Api> api)
      : stream_(std::move(socket)), api_(std::move(api)) {}
  Session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<Api> api)
      : context_(std::move(tls)), stream_(std::move(socket), *context_), api_(std::move(api)) {}

  void start() override {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // The handshake counts as waiting for the first request's headers.
      lowest().expires_after(kHeaderTimeout);
      idle_ = true;
      idle_since_ = std::chrono::steady_clock::now();
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

  bool idle() const override { return idle_; }
  std::chrono::steady_clock::time_point idle_since() const override { return idle_since_; }

  void close() override {
    closed_ = true;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  std::shared_ptr<Session> shared_from_this() {
    return this->std::enable_shared_from_this<Session<Stream>>::shared_from_this();
  }

  void read_header() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    lowest().expires_after(kHeaderTimeout);
    idle_ = true;
    idle_since_ = std::chrono::steady_clock::now();
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    if (parser_->is_done()) return on_request();
    // A body is read only for a client with the token: nobody else gets to
    // make the server buffer a megabyte.
    std::string problem;
    if (!api_->authorized(std::string(req[http::field::authorization]), problem)) {
      // The Api answers the 401 (and audits it) without the unread body.
      ApiRequest request;
      request.method = req.method();
      request.method_name = std::string(req.method_string());
      request.authorization = std::string(req[http::field::authorization]);
      const unsigned version = req.version();
      try {
        parse_target(std::string_view(req.target().data(), req.target().size()), request);
      } catch (const ApiError& e) {
        return send(error_response(e.status(), e.what()), version, false);
      }
      api_->handle(std::move(request), [self = shared_from_this(), version](ApiResponse r) {
        self->send(std::move(r), version, false);
      });
      return;
    }
    lowest().expires_after(kIdleTimeout);
    // curl and others wait for "100 Continue" before sending a large body.
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          if (wec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->on_request();
                     });
  }

  void on_read_error(beast::error_code ec) {
    // Socket errors, timeouts and clients going away: nothing to answer.
    const bool refused = ec.category() == http::make_error_code(http::error::body_limit).category();
    if (closed_ || !refused || ec == http::error::end_of_stream ||
        ec == http::error::partial_message)
      return close();
    // The client sent something we refuse: say why, then close (the rest of
    // the stream cannot be trusted to be at a message boundary).
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    if (ec == http::error::body_limit) {
      send(error_response(413, "the request body exceeds the limit of 1 MiB"), version, false);
    } else if (ec == http::error::header_limit) {
      send(error_response(431, "the request headers exceed 16 KiB"), version, false);
    } else {
      send(error_response(400, "malformed HTTP request: " + ec.message()), version, false);
    }
  }

  void on_request() {
    lowest().expires_never();  // Commands may wait long for a station's answer.
    auto& msg = parser_->get();
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive();
    ApiRequest request;
    request.method = msg.method();
    request.method_name = std::string(msg.method_string());
    request.authorization = std::string(msg[http::field::authorization]);
    request.body = std::move(msg.body());
    try {
      parse_target(std::string_view(msg.target().data(), msg.target().size()), request);
    } catch (const ApiError& e) {
      return send(error_response(e.status(), e.what()), version, keep_alive);
    }
    api_->handle(std::move(request),
                 [self = shared_from_this(), version, keep_alive](ApiResponse response) {
                   self->send(std::move(response), version, keep_alive);
                 });
  }

  void send(ApiResponse response, unsigned version, bool keep_alive) {
    if (closed_) return;
    if (response.stream) {
      // GET /api/stream: the connection carries events until either side ends it.
      auto self = shared_from_this();
      start_event_stream(stream_, std::move(response.stream), self, [self] { self->close(); });
      return;
    }
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    res->set(http::field::server, std::string("csms/") + kVersion);
    if (!response.content_type.empty()) res->set(http::field::content_type, response.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    lowest().expires_after(kWriteTimeout);
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (keep_alive) return self->read_header();
          self->linger();
        });
  }

  // Half-closes and reads what the client still sends, for a moment: closing
  // with unread data would reset the connection and could destroy the answer
  // before the client read it (e.g. a 413 while the client is still uploading).
  void linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    lowest().expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    if (!scratch_) scratch_ = std::make_unique<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  // The context this connection was made with: a reload swaps the listener's,
  // not ours. Declared before stream_, so it outlives it.
  std::shared_ptr<asio::ssl::context> context_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<std::array<char, 16384>> scratch_;
  std::shared_ptr<Api> api_;
  bool closed_ = false;
  bool idle_ = false;
  std::chrono::steady_clock::time_point idle_since_{};
};

}  // namespace

/// Accepts connections; shared so pending handlers keep it alive after the
/// AdminServer is gone.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<Api> api, std::shared_ptr<asio::ssl::context> tls)
      : io_(io), acceptor_(io), retry_(io), api_(std::move(api)), tls_(std::move(tls)) {}

  void listen(const std::string& host, std::uint16_t port) {
    try {
      tcp::resolver resolver(io_);
      const auto results = resolver.resolve(
          host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service);
      const tcp::endpoint endpoint = results.begin()->endpoint();
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(asio::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const std::exception& e) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      throw std::runtime_error("admin API cannot listen on " + host + ":" + std::to_string(port) +
                               ": " + e.what());
    }
    accept();
  }

  void stop() {
    stopped_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) session->close();
    }
    sessions_.clear();
  }

  std::uint16_t port() const { return port_; }
  /// New connections use `tls` from now on (a reload); open ones keep theirs.
  void set_tls(std::shared_ptr<asio::ssl::context> tls) { tls_ = std::move(tls); }

 private:
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // E.g. out of file descriptors: pause instead of spinning.
      log::warn("admin api: accept failed: {}", ec.message());
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](beast::error_code wec) {
        if (!wec && !self->stopped_) self->accept();
      });
      return;
    }
    sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                   [](const auto& w) { return w.expired(); }),
                    sessions_.end());
    if (sessions_.size() >= kMaxSessions) {
      // Full: the client idle longest (no request under way) makes room, so
      // idle connections can never lock the operator out.
      std::shared_ptr<SessionBase> oldest;
      for (const auto& weak : sessions_) {
        auto s = weak.lock();
        if (s && s->idle() && (!oldest || s->idle_since() < oldest->idle_since())) oldest = s;
      }
      if (oldest) {
        oldest->close();
        sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                       [&](const auto& w) { return w.lock() == oldest; }),
                        sessions_.end());
      }
    }
    if (sessions_.size() >= kMaxSessions) {
      beast::error_code ignored;
      socket.close(ignored);  // Every slot busy with a request: refuse rather than grow.
    } else {
      std::shared_ptr<SessionBase> session;
      if (tls_) {
        session = std::make_shared<Session<TlsStream>>(std::move(socket), tls_, api_);
      } else {
        session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), api_);
      }
      sessions_.push_back(session);
      session->start();
    }
    accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<Api> api_;
  std::shared_ptr<asio::ssl::context> tls_;  // Null: plain HTTP.
  std::vector<std::weak_ptr<SessionBase>> sessions_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

struct AdminServer::Impl {
  asio::io_context& io;
  storage::Database& db;
  AdminOptions options;
  std::shared_ptr<Api> api;
  std::shared_ptr<Listener> listener;
};

AdminServer::AdminServer(boost::asio::io_context& io, AdminOptions options, AdminDeps deps)
    : impl_(std::make_unique<Impl>(Impl{io, deps.db, options, nullptr, nullptr})) {
  impl_->api = std::make_shared<Api>(io, std::move(options.token), deps);
  impl_->options.token.clear();  // Only the Api keeps the secret.
}

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::start() {
  if (impl_->listener) return;
  // Before the network thread runs (as the server's other start-up reads):
  // a named token works from the first request on.
  std::vector<storage::ApiToken> tokens;
  storage::read_and_wait(impl_->db, [&tokens](storage::Session& s) { tokens = s.admin.tokens(); });
  impl_->api->load_tokens(tokens);
  auto listener = std::make_shared<Listener>(impl_->io, impl_->api, impl_->options.tls);
  listener->listen(impl_->options.host, impl_->options.port);
  impl_->listener = std::move(listener);
}

void AdminServer::stop() {
  if (impl_->listener) impl_->listener->stop();
}

std::vector<RouteInfo> AdminServer::routes() {
  return Api::route_table();
}

bool AdminServer::set_tls(std::shared_ptr<boost::asio::ssl::context> tls) {
  if (!impl_->options.tls || !tls) return false;
  impl_->options.tls = tls;
  if (impl_->listener) impl_->listener->set_tls(std::move(tls));
  return true;
}

std::uint16_t AdminServer::port() const {
  return impl_->listener ? impl_->listener->port() : 0;
}

}  // namespace csms::admin
