#include "support/tls_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>

namespace e2e {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

struct TlsWsClient::Impl {
  boost::asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws;
  bool tls_ok = false;
  std::string tls_error;
  bool open = false;
  int status = 0;
  std::string subprotocol;

  // Runs one async operation to completion or `timeout`.
  template <class Start>
  bool run_op(Start start, std::chrono::milliseconds timeout) {
    bool done = false;
    start(done);
    io.restart();
    io.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(*ws).cancel();
      io.restart();
      io.run_for(std::chrono::seconds(1));
    }
    return done;
  }
};

TlsWsClient::TlsWsClient(std::uint16_t port, const std::string& path, const TlsClientOptions& o)
    : impl_(std::make_unique<Impl>()) {
  SSL_CTX* c = impl_->ctx.native_handle();
  if (o.min_version != 0) SSL_CTX_set_min_proto_version(c, o.min_version);
  if (o.max_version != 0) SSL_CTX_set_max_proto_version(c, o.max_version);
  // TLS 1.1 needs the legacy security level of OpenSSL 3.
  if (o.max_version != 0 && o.max_version < TLS1_2_VERSION) SSL_CTX_set_security_level(c, 0);
  if (!o.cipher_list.empty()) SSL_CTX_set_cipher_list(c, o.cipher_list.c_str());
  if (!o.ca_file.empty()) {
    impl_->ctx.load_verify_file(o.ca_file);
    impl_->ctx.set_verify_mode(ssl::verify_peer);
  }
  if (!o.cert_file.empty()) {
    impl_->ctx.use_certificate_chain_file(o.cert_file);
    impl_->ctx.use_private_key_file(o.key_file, ssl::context::pem);
  }
  impl_->ws = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(impl_->io,
                                                                                        impl_->ctx);
  auto& ws = *impl_->ws;
  boost::system::error_code ec;
  beast::get_lowest_layer(ws).socket().connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    impl_->tls_error = "connect: " + ec.message();
    return;
  }
  if (!o.preamble.empty()) {
    boost::asio::write(beast::get_lowest_layer(ws).socket(), boost::asio::buffer(o.preamble), ec);
    if (ec) {
      impl_->tls_error = "preamble: " + ec.message();
      return;
    }
  }
  boost::system::error_code tec;
  impl_->run_op(
      [&](bool& done) {
        ws.next_layer().async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
          tec = e;
          done = true;
        });
      },
      std::chrono::seconds(5));
  if (tec) {
    impl_->tls_error = tec.message();
    return;
  }
  impl_->tls_ok = true;
  std::string protocols;
  for (const auto& p : o.subprotocols) protocols += (protocols.empty() ? "" : ", ") + p;
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (!protocols.empty()) req.set(beast::http::field::sec_websocket_protocol, protocols);
    if (!o.authorization.empty()) req.set(beast::http::field::authorization, o.authorization);
  }));
  websocket::response_type res;
  boost::system::error_code hec;
  impl_->run_op(
      [&](bool& done) {
        ws.async_handshake(res, "127.0.0.1", path, [&](boost::system::error_code e) {
          hec = e;
          done = true;
        });
      },
      std::chrono::seconds(5));
  impl_->status = static_cast<int>(res.result_int());
  if (!hec) {
    impl_->open = true;
    impl_->status = 101;
    impl_->subprotocol = std::string(res[beast::http::field::sec_websocket_protocol]);
  }
}

TlsWsClient::~TlsWsClient() {
  boost::system::error_code ec;
  if (impl_->ws) beast::get_lowest_layer(*impl_->ws).socket().close(ec);
}

bool TlsWsClient::tls_ok() const {
  return impl_->tls_ok;
}
const std::string& TlsWsClient::tls_error() const {
  return impl_->tls_error;
}
bool TlsWsClient::open() const {
  return impl_->open;
}
int TlsWsClient::status() const {
  return impl_->status;
}
const std::string& TlsWsClient::subprotocol() const {
  return impl_->subprotocol;
}

std::optional<std::string> TlsWsClient::call(const std::string& frame,
                                             std::chrono::milliseconds timeout) {
  if (!impl_->open) return std::nullopt;
  auto& ws = *impl_->ws;
  ws.text(true);
  boost::system::error_code ec;
  if (!impl_->run_op(
          [&](bool& done) {
            ws.async_write(boost::asio::buffer(frame),
                           [&](boost::system::error_code e, std::size_t) {
                             ec = e;
                             done = true;
                           });
          },
          timeout) ||
      ec)
    return std::nullopt;
  beast::flat_buffer buffer;
  if (!impl_->run_op(
          [&](bool& done) {
            ws.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
              ec = e;
              done = true;
            });
          },
          timeout) ||
      ec)
    return std::nullopt;
  return beast::buffers_to_string(buffer.data());
}

TestPki::TestPki(const test_support::TempDir& d) : dir(d.path().string()) {
  ca_pem = dir + "/ca.pem";
  sh("openssl ecparam -name prime256v1 -genkey -noout -out ca.key && "
     "openssl req -x509 -new -key ca.key -subj '/CN=Test Station CA/O=Test Operator' -days 3 "
     "-out ca.pem");
  auto s = new_server("server");
  server_pem = s.first;
  server_key = s.second;
}

void TestPki::sh(const std::string& command) const {
  const std::string full = "cd '" + dir + "' && (" + command + ") >/dev/null 2>&1";
  INFO(command);
  REQUIRE(std::system(full.c_str()) == 0);
}

std::pair<std::string, std::string> TestPki::new_server(const std::string& name) {
  sh("openssl ecparam -name prime256v1 -genkey -noout -out " + name +
     ".key && "
     "openssl req -new -key " +
     name + ".key -subj '/CN=localhost' -out " + name +
     ".csr && "
     "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > " +
     name +
     ".ext && "
     "openssl x509 -req -in " +
     name +
     ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
     "-extfile " +
     name + ".ext -out " + name + ".pem");
  return {dir + "/" + name + ".pem", dir + "/" + name + ".key"};
}

std::string TestPki::issue_client(const std::string& name, const std::string& cn,
                                  const std::string& o, int days, bool foreign) {
  std::string ca = "ca";
  if (foreign) {
    ca = name + "-foreign-ca";
    sh("openssl ecparam -name prime256v1 -genkey -noout -out " + ca +
       ".key && "
       "openssl req -x509 -new -key " +
       ca + ".key -subj '/CN=Foreign CA' -days 3 -out " + ca + ".pem");
  }
  sh("openssl ecparam -name prime256v1 -genkey -noout -out " + name +
     ".key && "
     "openssl req -new -key " +
     name + ".key -subj '/CN=" + cn + "/O=" + o + "' -out " + name +
     ".csr && openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
     ".key -CAcreateserial -days " + std::to_string(days) + " -out " + name + ".pem");
  return dir + "/" + name + ".pem";
}

}  // namespace e2e
