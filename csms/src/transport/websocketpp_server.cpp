#include "transport/websocketpp_server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <stdexcept>
#include <websocketpp/concurrency/none.hpp>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include "csms/log.hpp"

namespace csms::transport {

namespace {

struct WsConfig : public websocketpp::config::asio {
  using type = WsConfig;
  using base = websocketpp::config::asio;
  // Everything runs on the one network thread: no locks, no strand per
  // connection (each costs memory and a mutex round trip per frame).
  using concurrency_type = websocketpp::concurrency::none;
  using alog_type = websocketpp::log::basic<concurrency_type, websocketpp::log::alevel>;
  using elog_type = websocketpp::log::basic<concurrency_type, websocketpp::log::elevel>;
  struct transport_config : public base::transport_config {
    using concurrency_type = type::concurrency_type;
    using alog_type = type::alog_type;
    using elog_type = type::elog_type;
    static const bool enable_multithreading = false;
  };
  using transport_type = websocketpp::transport::asio::endpoint<transport_config>;
  // The read buffer is an array inside every connection object (16 KiB by
  // default): OCPP frames are mostly a few hundred bytes, and a larger one just
  // takes several reads.
  static const size_t connection_read_buffer_size = 2048;
  // Our own logging covers what matters; websocketpp's would log every frame.
  static const websocketpp::log::level elog_level = websocketpp::log::elevel::none;
  static const websocketpp::log::level alog_level = websocketpp::log::alevel::none;
};

using WsServer = websocketpp::server<WsConfig>;
using Hdl = websocketpp::connection_hdl;

class WsConnection : public Connection {
 public:
  WsConnection(WsServer& server, Hdl hdl, std::string remote)
      : server_(server), hdl_(std::move(hdl)), remote_(std::move(remote)) {}

  void send(std::string_view text) override {
    websocketpp::lib::error_code ec;
    server_.send(hdl_, text.data(), text.size(), websocketpp::frame::opcode::text, ec);
    if (ec) log::debug("send to {} failed: {}", remote_, ec.message());
  }

  void close(std::uint16_t code, const std::string& reason) override {
    websocketpp::lib::error_code ec;
    server_.close(hdl_, code, reason, ec);
    if (ec) log::debug("close of {} failed: {}", remote_, ec.message());
  }

  const std::string& remote_address() const override { return remote_; }

 private:
  WsServer& server_;
  Hdl hdl_;
  std::string remote_;
};

class WebsocketppServer : public Server {
 public:
  WebsocketppServer(boost::asio::io_context& io, const ServerOptions& options, Handler& handler)
      : io_(io), options_(options), handler_(handler), ping_timer_(io) {
    server_.init_asio(&io_);
    server_.set_reuse_addr(true);
    server_.set_max_message_size(options_.max_message_size);
    server_.set_open_handshake_timeout(static_cast<long>(options_.handshake_timeout.count()));
    server_.set_validate_handler([this](Hdl h) { return on_validate(h); });
    server_.set_open_handler([this](Hdl h) { on_open(h); });
    server_.set_message_handler([this](Hdl h, WsServer::message_ptr m) { on_message(h, m); });
    server_.set_close_handler([this](Hdl h) { on_gone(h); });
    server_.set_fail_handler([this](Hdl h) { on_gone(h); });
    server_.set_pong_timeout_handler([this](Hdl h, std::string) { on_pong_timeout(h); });
  }

  void start() override {
    boost::system::error_code bec;
    auto address = boost::asio::ip::make_address(options_.host, bec);
    if (bec) throw std::runtime_error("invalid OCPP listen address " + options_.host);
    websocketpp::lib::error_code ec;
    server_.listen(boost::asio::ip::tcp::endpoint(address, options_.port), ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + options_.host + ":" +
                               std::to_string(options_.port) + ": " + ec.message());
    server_.start_accept(ec);
    if (ec) throw std::runtime_error("cannot accept: " + ec.message());
    auto ep = server_.get_local_endpoint(bec);
    port_ = bec ? options_.port : ep.port();
    schedule_ping();
  }

  void stop() override {
    websocketpp::lib::error_code ec;
    ping_timer_.cancel();
    if (server_.is_listening()) server_.stop_listening(ec);
    auto open = connections_;
    for (auto& [hdl, conn] : open) conn->close(close_code::kGoingAway, "server shutting down");
  }

  std::uint16_t port() const override { return port_; }

 private:
  struct Pending {
    HandshakeAnswer answer;
    std::string remote;
  };

  static std::string remote_of(WsServer::connection_ptr con) {
    boost::system::error_code ec;
    auto ep = con->get_raw_socket().remote_endpoint(ec);
    if (ec) return "unknown";
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
      addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
    return addr.to_string();
  }

  bool on_validate(Hdl h) {
    auto con = server_.get_con_from_hdl(h);
    Handshake req;
    req.resource = con->get_resource();
    req.subprotocols = con->get_requested_subprotocols();
    req.authorization = con->get_request_header("Authorization");
    req.remote_address = remote_of(con);
    req.peer_address = req.remote_address;
    HandshakeAnswer answer;
    try {
      answer = handler_.on_handshake(req);
    } catch (const std::exception& e) {
      log::error("handshake handler failed: {}", e.what());
      answer.status = 500;
    }
    if (answer.status != 101) {
      con->set_status(static_cast<websocketpp::http::status_code::value>(answer.status));
      for (auto& [k, v] : answer.headers) con->append_header(k, v);
      if (!answer.body.empty()) con->set_body(answer.body);
      return false;
    }
    if (!answer.subprotocol.empty()) con->select_subprotocol(answer.subprotocol);
    pending_[h] = Pending{std::move(answer), req.remote_address};
    return true;
  }

  void on_open(Hdl h) {
    auto it = pending_.find(h);
    if (it == pending_.end()) return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    auto con = server_.get_con_from_hdl(h);
    con->set_pong_timeout(static_cast<long>(options_.pong_timeout.count()));
    auto conn = std::make_shared<WsConnection>(server_, h, p.remote);
    connections_[h] = conn;
    handler_.on_open(conn, p.answer);
  }

  void on_message(Hdl h, WsServer::message_ptr m) {
    auto it = connections_.find(h);
    if (it == connections_.end()) return;
    auto conn = it->second;
    if (m->get_opcode() != websocketpp::frame::opcode::text) {
      conn->close(1003, "OCPP-J uses text frames");
      return;
    }
    handler_.on_message(conn, m->get_payload());
  }

  void on_gone(Hdl h) {
    pending_.erase(h);
    auto it = connections_.find(h);
    if (it == connections_.end()) return;
    auto conn = it->second;
    connections_.erase(it);
    handler_.on_close(conn);
  }

  void on_pong_timeout(Hdl h) {
    // A half-open connection never completes a close handshake: drop it now so
    // the station is seen offline at once.
    websocketpp::lib::error_code ec;
    auto con = server_.get_con_from_hdl(h, ec);
    if (ec) return;
    log::info("keep-alive: no pong from {}, dropping the connection", remote_of(con));
    con->terminate(ec);
  }

  void schedule_ping() {
    if (options_.ping_interval.count() <= 0) return;
    ping_timer_.expires_after(options_.ping_interval);
    ping_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto& [hdl, conn] : connections_) {
        websocketpp::lib::error_code pec;
        server_.ping(hdl, "", pec);
      }
      schedule_ping();
    });
  }

  boost::asio::io_context& io_;
  ServerOptions options_;
  Handler& handler_;
  WsServer server_;
  boost::asio::steady_timer ping_timer_;
  std::uint16_t port_ = 0;
  std::map<Hdl, Pending, std::owner_less<Hdl>> pending_;
  std::map<Hdl, std::shared_ptr<WsConnection>, std::owner_less<Hdl>> connections_;
};

}  // namespace

std::unique_ptr<Server> make_websocketpp_server(boost::asio::io_context& io,
                                                const ServerOptions& options, Handler& handler) {
  return std::make_unique<WebsocketppServer>(io, options, handler);
}

}  // namespace csms::transport
