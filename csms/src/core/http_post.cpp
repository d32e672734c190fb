#include "core/http_post.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace csms {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// Writes `req` and reads the answer into `res`; the first failure lands in `failure`.
template <class Stream>
void write_then_read(Stream& stream, Request& req, beast::flat_buffer& buffer, Response& res,
                     beast::error_code& failure) {
  http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
    if (wec) return void(failure = wec);
    http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) {
      if (rec) failure = rec;
    });
  });
}

}  // namespace

int http_post(const HttpPost& request, std::string& problem) {
  Request req{http::verb::post, request.target, 11};
  req.set(http::field::host, request.host + ":" + request.port);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.keep_alive(false);
  req.prepare_payload();

  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(request.host, request.port, ec);
  if (ec) {
    problem = "resolving " + request.host + ": " + ec.message();
    return 0;
  }
  beast::flat_buffer buffer;
  Response res;
  beast::error_code failure;
  if (!request.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(request.timeout);
    stream.async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
      if (cec) return void(failure = cec);
      write_then_read(stream, req, buffer, res, failure);
    });
    io.run();
  } else {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(request.host));
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), request.host.c_str());
    beast::get_lowest_layer(stream).expires_after(request.timeout);
    beast::get_lowest_layer(stream).async_connect(
        endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
          if (cec) return void(failure = cec);
          stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code hec) {
            if (hec) return void(failure = hec);
            write_then_read(stream, req, buffer, res, failure);
          });
        });
    io.run();
  }
  if (failure) {
    problem = failure == beast::error::timeout ? "no answer in time" : failure.message();
    return 0;
  }
  return static_cast<int>(res.result_int());
}

}  // namespace csms
