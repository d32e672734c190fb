#include "http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "csms/version.hpp"
#include "transport/tls_context.hpp"

namespace csms::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kConnectTimeout{10};

/// The server's certificate must name the host of the URL: a DNS name (also
/// sent as SNI) or an IP address (matched against the IP SANs).
void expect_peer(SSL* ssl, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (!ec) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
}

/// Runs one exchange over `stream` (plain or TLS), all on `io`.
template <class Stream>
struct Exchange {
  Stream& stream;
  http::request<http::string_body>& req;
  http::response_parser<http::string_body>& parser;
  std::chrono::seconds timeout;
  beast::flat_buffer buffer;
  beast::error_code failure;
  const char* stage = "";

  void fail(beast::error_code ec, const char* what) {
    failure = ec;
    stage = what;
  }

  void run(const tcp::resolver::results_type& endpoints) {
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(kConnectTimeout);
    lowest.async_connect(endpoints, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return fail(ec, "");
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        send();
      } else {
        stream.async_handshake(asio::ssl::stream_base::client, [this](beast::error_code hec) {
          if (hec) return fail(hec, "TLS handshake: ");
          send();
        });
      }
    });
  }

  void send() {
    beast::get_lowest_layer(stream).expires_after(timeout);
    http::async_write(stream, req, [this](beast::error_code wec, std::size_t) {
      if (wec) return fail(wec, "sending the request: ");
      http::async_read(stream, buffer, parser, [this](beast::error_code rec, std::size_t) {
        if (rec) return fail(rec, "reading the answer: ");
        beast::error_code ignored;
        beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }
};

}  // namespace

HttpAnswer send_request(const std::string& url, const BaseUrl& base, const std::string& token,
                        const std::string& method, const std::string& target,
                        const std::string& body, std::chrono::seconds timeout,
                        const std::string& ca_file) {
  // Asynchronous operations on a private io_context: Beast's synchronous calls
  // have no timeouts, and a CLI must never hang on a stuck server.
  asio::io_context io;
  tcp::resolver resolver(io);
  http::request<http::string_body> req{http::string_to_verb(method), base.path + target, 11};
  req.set(http::field::host, base.host + ":" + std::to_string(base.port));
  req.set(http::field::user_agent, std::string("csmsctl/") + kVersion);
  req.set(http::field::accept, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  // A database backup is the largest answer; the server is the operator's own.
  parser.body_limit(std::uint64_t{16} * 1024 * 1024 * 1024);

  beast::error_code ec;
  const auto endpoints = resolver.resolve(base.host, std::to_string(base.port), ec);
  if (ec) throw ConnectionError("cannot reach csms at " + url + ": " + ec.message());

  beast::error_code failure;
  std::string stage;
  std::string untrusted;  // Why the server's certificate was refused, if it was.
  if (base.tls) {
    std::shared_ptr<asio::ssl::context> context;
    try {
      context = transport::make_client_context(ca_file);
    } catch (const std::exception& e) {
      throw ConnectionError(std::string("cannot reach csms at ") + url + ": " + e.what());
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, *context);
    expect_peer(stream.native_handle(), base.host);
    Exchange<beast::ssl_stream<beast::tcp_stream>> x{stream, req, parser, timeout, {}, {}, ""};
    x.run(endpoints);
    io.run();
    failure = x.failure;
    stage = x.stage;
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (failure && verify != X509_V_OK) untrusted = X509_verify_cert_error_string(verify);
  } else {
    beast::tcp_stream stream(io);
    Exchange<beast::tcp_stream> x{stream, req, parser, timeout, {}, {}, ""};
    x.run(endpoints);
    io.run();
    failure = x.failure;
    stage = x.stage;
  }

  if (!untrusted.empty()) {
    throw ConnectionError("cannot reach csms at " + url +
                          ": the server's certificate is not trusted (" + untrusted + "; CA file " +
                          (ca_file.empty() ? std::string("(system store)") : ca_file) +
                          ", set by --ca-file or CSMS_CA_FILE)");
  }
  if (failure) {
    std::string why =
        failure == beast::error::timeout ? "no answer within the time limit" : failure.message();
    throw ConnectionError("cannot reach csms at " + url + ": " + stage + why);
  }
  HttpAnswer answer;
  answer.status = parser.get().result_int();
  answer.reason = std::string(parser.get().reason());
  answer.body = std::move(parser.get().body());
  return answer;
}

}  // namespace csms::cli
