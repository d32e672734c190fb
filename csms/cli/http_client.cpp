#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "csms/version.hpp"

namespace csms::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kConnectTimeout{10};

}  // namespace

HttpAnswer send_request(const std::string& url, const BaseUrl& base, const std::string& token,
                        const std::string& method, const std::string& target,
                        const std::string& body, std::chrono::seconds timeout) {
  // Asynchronous operations on a private io_context: Beast's synchronous calls
  // have no timeouts, and a CLI must never hang on a stuck server.
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
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

  beast::error_code failure;
  const char* stage = "";
  auto fail = [&](beast::error_code ec, const char* what) {
    failure = ec;
    stage = what;
  };

  beast::error_code ec;
  const auto endpoints = resolver.resolve(base.host, std::to_string(base.port), ec);
  if (ec) throw ConnectionError("cannot reach csms at " + url + ": " + ec.message());

  stream.expires_after(kConnectTimeout);
  stream.async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
    if (cec) return fail(cec, "");
    stream.expires_after(timeout);
    http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
      if (wec) return fail(wec, "sending the request: ");
      http::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
        if (rec) return fail(rec, "reading the answer: ");
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  });
  io.run();

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
