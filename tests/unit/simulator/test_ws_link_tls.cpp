// The WebSocket client over TLS (wss://) against an in-process Beast TLS
// server on 127.0.0.1, with certificates made at test time: server
// verification (CA and IP/name), client certificates (security profile 3),
// Basic auth (profile 2) and credentials changed between connections.
#include <catch2/catch.hpp>

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "simulator/asio_scheduler.hpp"
#include "simulator/ws_link.hpp"
#include "test_pki.hpp"

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace simulator;

namespace {

constexpr auto kLimit = std::chrono::seconds(10);

/// A TLS WebSocket server that accepts ocpp1.6 and records who connected.
class TlsServer {
 public:
  TlsServer(asio::io_context& io, const simtest::TestCa& ca, const simtest::Issued& server_cert,
            bool require_client_cert)
      : ctx_(ssl::context::tls_server), acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain(asio::buffer(server_cert.cert_pem));
    ctx_.use_private_key(asio::buffer(server_cert.key_pem), ssl::context::pem);
    ctx_.add_certificate_authority(asio::buffer(ca.cert_pem()));
    ctx_.set_verify_mode(require_client_cert ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                             : ssl::verify_none);
    accept();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "wss://127.0.0.1:" + std::to_string(port()) + "/ocpp"; }

  int handshakes_failed = 0;
  std::vector<std::string> client_cns;  ///< "" when no client certificate came.
  std::vector<std::string> authorizations;

 private:
  struct Session {
    explicit Session(tcp::socket s, ssl::context& ctx) : ws(std::move(s), ctx) {}
    websocket::stream<beast::ssl_stream<tcp::socket>> ws;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(std::move(socket), ctx_);
      s->ws.next_layer().async_handshake(ssl::stream_base::server, [this, s](beast::error_code ec) {
        if (ec) {
          ++handshakes_failed;
          return;
        }
        std::string cn;
        if (X509* peer = SSL_get_peer_certificate(s->ws.next_layer().native_handle())) {
          char buf[256] = {};
          X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
          cn = buf;
          X509_free(peer);
        }
        client_cns.push_back(cn);
        http::async_read(
            s->ws.next_layer(), s->buffer, s->request,
            [this, s](beast::error_code ec, std::size_t) {
              if (ec) return;
              authorizations.emplace_back(s->request[http::field::authorization]);
              s->ws.set_option(websocket::stream_base::decorator([](websocket::response_type& r) {
                r.set(http::field::sec_websocket_protocol, "ocpp1.6");
              }));
              s->ws.async_accept(s->request, [s](beast::error_code) {
                // Held open until the client goes.
                s->ws.async_read(s->buffer, [s](beast::error_code, std::size_t) {});
              });
            });
      });
      accept();
    });
  }

  ssl::context ctx_;
  tcp::acceptor acceptor_;
};

/// Records what the link reports.
struct Observer : LinkObserver {
  int ups = 0;
  std::vector<LinkFailure> failures;
  std::function<void()> on_up;
  std::function<void()> on_failure;
  void on_link_up() override {
    ++ups;
    if (on_up) on_up();
  }
  void on_link_message(std::string_view) override {}
  void on_link_down() override {}
  void on_link_failure(const LinkFailure& f) override {
    failures.push_back(f);
    if (on_failure) on_failure();
  }
};

WsLinkSettings settings_for(const std::string& url) {
  std::string error;
  WsLinkSettings s;
  s.url = *parse_ws_url(url, error);
  s.station_id = "CP1";
  s.reconnect_min = Duration(20);
  s.reconnect_max = Duration(50);
  return s;
}

/// Runs the link until it is up or has failed once.
void run_until_settled(asio::io_context& io, WsLink& link, Observer& observer) {
  observer.on_up = [&io] { io.stop(); };
  observer.on_failure = [&io] { io.stop(); };
  link.set_observer(&observer);
  link.start();
  io.run_for(kLimit);
  io.restart();
}

}  // namespace

TEST_CASE("wss link: verifies the server with the CA file and sends Basic auth (profile 2)",
          "[tls]") {
  asio::io_context io;
  AsioScheduler scheduler(io);
  simtest::TestCa ca;
  TlsServer server(io, ca, ca.issue("csms", "IP:127.0.0.1"), false);
  auto s = settings_for(server.url());
  s.tls.ca_pem = ca.cert_pem();
  s.password = "0123456789abcdef";
  WsLink link(io, scheduler, s, Logger());
  Observer observer;
  run_until_settled(io, link, observer);
  CHECK(observer.ups == 1);
  CHECK(observer.failures.empty());
  REQUIRE(server.authorizations.size() == 1);
  CHECK(server.authorizations[0] == basic_auth("CP1", "0123456789abcdef"));
  CHECK(server.client_cns == std::vector<std::string>{""});
  CHECK(link.url() == server.url());
}

TEST_CASE("wss link: a server certificate from another CA is refused with the reason", "[tls]") {
  asio::io_context io;
  AsioScheduler scheduler(io);
  simtest::TestCa ca, other("Other CA");
  TlsServer server(io, other, other.issue("csms", "IP:127.0.0.1"), false);
  auto s = settings_for(server.url());
  s.tls.ca_pem = ca.cert_pem();
  WsLink link(io, scheduler, s, Logger());
  Observer observer;
  run_until_settled(io, link, observer);
  CHECK(observer.ups == 0);
  REQUIRE(observer.failures.size() == 1);
  CHECK(observer.failures[0].tls);
  CHECK_FALSE(observer.failures[0].fatal);
  CHECK(observer.failures[0].message.find("server's certificate was not accepted") !=
        std::string::npos);
}

TEST_CASE("wss link: a server certificate for another address is refused", "[tls]") {
  asio::io_context io;
  AsioScheduler scheduler(io);
  simtest::TestCa ca;
  TlsServer server(io, ca, ca.issue("csms", "DNS:csms.example,IP:10.1.2.3"), false);
  auto s = settings_for(server.url());
  s.tls.ca_pem = ca.cert_pem();
  WsLink link(io, scheduler, s, Logger());
  Observer observer;
  run_until_settled(io, link, observer);
  CHECK(observer.ups == 0);
  REQUIRE(observer.failures.size() == 1);
  CHECK(observer.failures[0].message.find("mismatch") != std::string::npos);
}

TEST_CASE("wss link: presents its client certificate (profile 3) and fails without one", "[tls]") {
  simtest::TestCa ca;
  const auto server_cert = ca.issue("csms", "IP:127.0.0.1");
  SECTION("with --cert and --key") {
    asio::io_context io;
    AsioScheduler scheduler(io);
    TlsServer server(io, ca, server_cert, true);
    auto s = settings_for(server.url());
    s.tls.ca_pem = ca.cert_pem();
    const auto client = ca.issue("CP1");
    s.tls.cert_pem = client.cert_pem;
    s.tls.key_pem = client.key_pem;
    WsLink link(io, scheduler, s, Logger());
    Observer observer;
    run_until_settled(io, link, observer);
    CHECK(observer.ups == 1);
    CHECK(server.client_cns == std::vector<std::string>{"CP1"});
    CHECK(server.authorizations == std::vector<std::string>{""});
  }
  SECTION("without") {
    asio::io_context io;
    AsioScheduler scheduler(io);
    TlsServer server(io, ca, server_cert, true);
    auto s = settings_for(server.url());
    s.tls.ca_pem = ca.cert_pem();
    WsLink link(io, scheduler, s, Logger());
    Observer observer;
    run_until_settled(io, link, observer);
    CHECK(observer.ups == 0);
    REQUIRE_FALSE(observer.failures.empty());
    CHECK(observer.failures[0].tls);  // TLS 1.3: told at the WebSocket handshake
  }
}

TEST_CASE("wss link: a certificate, roots and password set later apply to the next connection",
          "[tls]") {
  asio::io_context io;
  AsioScheduler scheduler(io);
  simtest::TestCa ca;
  TlsServer server(io, ca, ca.issue("csms", "IP:127.0.0.1"), true);
  // No CA file: the link falls back on installed roots (none yet: the system's).
  auto s = settings_for(server.url());
  WsLink link(io, scheduler, s, Logger());
  Observer observer;
  run_until_settled(io, link, observer);
  CHECK(observer.ups == 0);
  REQUIRE_FALSE(observer.failures.empty());
  CHECK(observer.failures.back().tls);

  link.set_installed_roots(ca.cert_pem());
  const auto client = ca.issue("CP1");
  link.set_client_certificate(client.cert_pem, client.key_pem);
  link.set_password(std::string("a-new-password-of-20"));
  observer.on_up = [&io] { io.stop(); };
  observer.on_failure = {};
  io.run_for(kLimit);  // the pending retry connects with the new credentials
  CHECK(observer.ups == 1);
  REQUIRE_FALSE(server.client_cns.empty());
  CHECK(server.client_cns.back() == "CP1");
  CHECK(server.authorizations.back() == basic_auth("CP1", "a-new-password-of-20"));
}

TEST_CASE("wss link: set_url moves the link to another endpoint", "[tls]") {
  asio::io_context io;
  AsioScheduler scheduler(io);
  auto s = settings_for("ws://127.0.0.1:1/ocpp");
  WsLink link(io, scheduler, s, Logger());
  std::string error;
  CHECK(link.set_url("wss://csms.example:8443/ocpp/", error));
  CHECK(link.url() == "wss://csms.example:8443/ocpp");
  CHECK_FALSE(link.set_url("http://x", error));
  CHECK_FALSE(error.empty());
}
