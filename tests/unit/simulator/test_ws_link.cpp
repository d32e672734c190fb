// The WebSocket client end to end against an in-process Beast server on an
// ephemeral 127.0.0.1 port. Every run is bounded by io_context::run_for.
#include <catch2/catch.hpp>

#include <deque>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "simulator/asio_scheduler.hpp"
#include "simulator/v16/charge_point.hpp"
#include "simulator/ws_link.hpp"
#include "support.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace simulator;

namespace {

constexpr auto kLimit = std::chrono::seconds(10);

/// A tiny CSMS: accepts (or refuses) upgrades and hands frames to `on_frame`.
class TestServer {
 public:
  enum class Mode { Ocpp, Refuse401, NoSubprotocol };

  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(TestServer& server, tcp::socket socket) : server_(server), ws_(std::move(socket)) {}
    void start() {
      http::async_read(ws_.next_layer(), buffer_, request_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (!ec) self->on_request();
                       });
    }
    void send(std::string text) {
      out_.push_back(std::move(text));
      if (out_.size() == 1) write();
    }
    void close() {
      beast::error_code ignored;
      ws_.next_layer().socket().close(ignored);
    }

   private:
    void on_request() {
      server_.targets.push_back(std::string(request_.target()));
      server_.authorizations.push_back(std::string(request_[http::field::authorization]));
      server_.protocols.push_back(std::string(request_[http::field::sec_websocket_protocol]));
      if (server_.mode == Mode::Refuse401) {
        auto res =
            std::make_shared<http::response<http::string_body>>(http::status::unauthorized, 11);
        res->set(http::field::connection, "close");
        res->prepare_payload();
        http::async_write(
            ws_.next_layer(), *res,
            [self = shared_from_this(), res](beast::error_code, std::size_t) { self->close(); });
        return;
      }
      const bool with_protocol = server_.mode == Mode::Ocpp;
      ws_.set_option(
          websocket::stream_base::decorator([with_protocol](websocket::response_type& r) {
            if (with_protocol) r.set(http::field::sec_websocket_protocol, "ocpp1.6");
          }));
      ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return;
        ++self->server_.connections;
        self->server_.current = self;
        if (self->server_.on_connect) self->server_.on_connect(*self);
        self->read();
      });
    }
    void read() {
      ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        std::string text = beast::buffers_to_string(self->buffer_.data());
        self->buffer_.consume(self->buffer_.size());
        self->server_.on_frame(*self, simtest::parse_sent(text));
        self->read();
      });
    }
    void write() {
      ws_.text(true);
      ws_.async_write(asio::buffer(out_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->out_.pop_front();
                        if (!ec && !self->out_.empty()) self->write();
                      });
    }

    TestServer& server_;
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    std::deque<std::string> out_;
  };

  TestServer(asio::io_context& io, Mode m)
      : mode(m), acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    if (current) current->close();
  }

  /// Answers the usual station CALLs.
  static std::string standard_answer(const simtest::Sent& f) {
    if (f.action == "BootNotification") {
      return R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300})";
    }
    if (f.action == "Heartbeat") return R"({"currentTime":"2024-01-01T00:00:00Z"})";
    return "{}";
  }

  Mode mode;
  std::vector<std::string> targets, authorizations, protocols;
  int connections = 0;
  std::shared_ptr<Session> current;
  std::function<void(Session&)> on_connect;
  std::function<void(Session&, const simtest::Sent&)> on_frame = [](Session&,
                                                                    const simtest::Sent&) {};

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(*this, std::move(socket))->start();
      accept();
    });
  }
  tcp::acceptor acceptor_;
};

/// One station (real WsLink and ChargePoint) against the server.
struct Client {
  Client(asio::io_context& io, unsigned short port, bool retry_rejected = false) : scheduler(io) {
    std::string error;
    WsLinkSettings ls;
    ls.url = *parse_ws_url("ws://127.0.0.1:" + std::to_string(port) + "/ocpp", error);
    ls.station_id = "CP 1";
    ls.password = "pw";
    ls.reconnect_min = Duration(50);
    ls.reconnect_max = Duration(100);
    ls.retry_rejected = retry_rejected;
    link = std::make_unique<WsLink>(io, scheduler, ls, Logger());
    StationSettings ss;
    ss.id = "CP 1";
    hub.listen([this](const Event& e) { events.emit(e); });
    station = std::make_unique<v16::ChargePoint>(ss, *link, scheduler, hub, Logger());
  }
  AsioScheduler scheduler;
  RecordingEventSink events;
  EventHub hub;
  std::unique_ptr<WsLink> link;
  std::unique_ptr<v16::ChargePoint> station;
};

}  // namespace

TEST_CASE("ws link: connects with ocpp1.6, Basic auth and the encoded id, boots, closes cleanly") {
  asio::io_context io;
  TestServer server(io, TestServer::Mode::Ocpp);
  Client client(io, server.port());
  bool closed = false;
  server.on_frame = [&](TestServer::Session& s, const simtest::Sent& f) {
    if (f.type != 2) return;
    s.send("[3,\"" + f.id + "\"," + TestServer::standard_answer(f) + "]");
    if (f.action == "StatusNotification" && f.num("connectorId") == 1) {
      client.station->shutdown(false, [&] {
        closed = true;
        io.stop();
      });
    }
  };
  client.station->start();
  io.run_for(kLimit);
  CHECK(closed);
  REQUIRE(server.targets.size() == 1);
  CHECK(server.targets[0] == "/ocpp/CP%201");
  CHECK(server.authorizations[0] == "Basic Q1AgMTpwdw==");
  CHECK(server.protocols[0] == "ocpp1.6");
  CHECK(client.events.count("connected") == 1);
  CHECK(*client.events.last("boot")->string("status") == "Accepted");
  CHECK(client.events.count("disconnected") == 1);
}

TEST_CASE("ws link: after the server drops the connection it reconnects without booting again") {
  asio::io_context io;
  TestServer server(io, TestServer::Mode::Ocpp);
  Client client(io, server.port());
  int boots = 0;
  bool done = false;
  server.on_connect = [&](TestServer::Session& s) {
    // On the second connection, make the station speak: it must not boot first.
    if (server.connections == 2)
      s.send(R"([2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat"}])");
  };
  server.on_frame = [&](TestServer::Session& s, const simtest::Sent& f) {
    if (f.type != 2) return;
    if (f.action == "BootNotification") ++boots;
    s.send("[3,\"" + f.id + "\"," + TestServer::standard_answer(f) + "]");
    if (server.connections == 1 && f.action == "StatusNotification" && f.num("connectorId") == 1) {
      s.close();
    }
    if (server.connections == 2 && f.action == "Heartbeat") {
      done = true;
      io.stop();
    }
  };
  client.station->start();
  io.run_for(kLimit);
  CHECK(done);
  CHECK(boots == 1);
  CHECK(server.connections == 2);
  CHECK(client.events.count("connected") == 2);
  CHECK(client.events.count("disconnected") == 1);
}

TEST_CASE("ws link: HTTP 401 is reported as rejected and ends the station") {
  asio::io_context io;
  TestServer server(io, TestServer::Mode::Refuse401);
  Client client(io, server.port());
  std::string fatal;
  client.station->set_fatal_handler([&](const std::string& why) {
    fatal = why;
    io.stop();
  });
  client.station->start();
  io.run_for(kLimit);
  CHECK(fatal.find("401") != std::string::npos);
  REQUIRE(client.events.last("rejected"));
  CHECK(*client.events.last("rejected")->raw("status") == "401");
  CHECK(client.events.count("connected") == 0);
}

TEST_CASE("ws link: with retry_rejected a 401 is retried with back-off") {
  asio::io_context io;
  TestServer server(io, TestServer::Mode::Refuse401);
  Client client(io, server.port(), true);
  client.hub.listen([&](const Event& e) {
    if (e.name() == "rejected" && client.events.count("rejected") >= 3) io.stop();
  });
  client.station->start();
  io.run_for(kLimit);
  CHECK(client.events.count("rejected") >= 3);
}

TEST_CASE("ws link: a server that does not select ocpp1.6 is refused") {
  asio::io_context io;
  TestServer server(io, TestServer::Mode::NoSubprotocol);
  Client client(io, server.port());
  std::string fatal;
  client.station->set_fatal_handler([&](const std::string& why) {
    fatal = why;
    io.stop();
  });
  client.station->start();
  io.run_for(kLimit);
  CHECK(fatal.find("subprotocol") != std::string::npos);
  CHECK(client.events.count("connected") == 0);
  CHECK(client.events.count("error") == 1);
}

TEST_CASE("ws link: nothing listening means quiet retries, not a crash") {
  asio::io_context io;
  unsigned short port = 0;
  {
    TestServer probe(io, TestServer::Mode::Ocpp);
    port = probe.port();
    probe.stop();
  }
  Client client(io, port);
  client.station->start();
  io.run_for(std::chrono::milliseconds(500));
  CHECK(client.events.count("connected") == 0);
  CHECK(client.events.count("rejected") == 0);
}
