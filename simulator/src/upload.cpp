// http_upload: Boost.Beast client, one request per connection, every step
// under one overall deadline.
#include "simulator/upload.hpp"

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "simulator/asio_scheduler.hpp"
#include "simulator/url.hpp"

namespace simulator {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kDeadline{30};

class Upload : public std::enable_shared_from_this<Upload> {
 public:
  Upload(asio::io_context& io, HttpUrl url, std::string content,
         std::function<void(UploadResult)> done)
      : resolver_(io), stream_(io), url_(std::move(url)), done_(std::move(done)) {
    request_.method(http::verb::put);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.port == "80" ? url_.host : url_.host + ":" + url_.port);
    request_.set(http::field::user_agent, "ocpp-sim");
    request_.set(http::field::content_type, "text/plain");
    request_.body() = std::move(content);
    request_.keep_alive(false);
    request_.prepare_payload();
  }

  void start() {
    stream_.expires_after(kDeadline);
    resolver_.async_resolve(
        url_.host, url_.port,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->finish(0, "cannot resolve: " + ec.message());
          self->stream_.async_connect(results, [self](beast::error_code cec, const tcp::endpoint&) {
            if (cec) return self->finish(0, "cannot connect: " + cec.message());
            self->write();
          });
        });
  }

 private:
  void write() {
    http::async_write(
        stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          // A server refusing early may close while we still send:
          // its answer, if any, says more than the write error.
          if (ec && ec != asio::error::broken_pipe && ec != asio::error::connection_reset)
            return self->finish(0, "cannot send: " + ec.message());
          self->read();
        });
  }

  void read() {
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->finish(0, "no answer: " + ec.message());
                       const unsigned status = self->response_.result_int();
                       if (status / 100 == 2) return self->finish(status, "");
                       self->finish(status, "HTTP " + std::to_string(status) + ": " +
                                                self->response_.body().substr(0, 200));
                     });
  }

  void finish(unsigned status, std::string error) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    UploadResult r;
    r.ok = error.empty();
    r.status = status;
    r.error = std::move(error);
    auto done = std::move(done_);
    if (done) done(std::move(r));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  HttpUrl url_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  std::function<void(UploadResult)> done_;
};

}  // namespace

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& error) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    error = "only http:// upload locations are supported, not '" + url + "'";
    return std::nullopt;
  }
  HttpUrl out;
  std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) {
    error = "the upload location '" + url + "' names no host (or has user info)";
    return std::nullopt;
  }
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      error = "bad IPv6 address in '" + url + "'";
      return std::nullopt;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      out.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) {
    error = "the upload location '" + url + "' names no host or port";
    return std::nullopt;
  }
  return out;
}

void http_upload(Scheduler& scheduler, const std::string& url, const std::string& file_name,
                 std::string content, std::function<void(UploadResult)> done) {
  std::string error;
  auto parsed = parse_http_url(url, error);
  auto* asio_scheduler = dynamic_cast<AsioScheduler*>(&scheduler);
  if (!asio_scheduler) error = "no network in this run";
  if (!parsed || !asio_scheduler) {
    UploadResult r;
    r.error = error;
    // Never synchronously: the caller finishes its own work first.
    scheduler.after(Duration::zero(), [done = std::move(done), r] { done(r); });
    return;
  }
  if (!parsed->target.empty() && parsed->target.back() == '/')
    parsed->target += percent_encode(file_name);
  std::make_shared<Upload>(asio_scheduler->io(), std::move(*parsed), std::move(content),
                           std::move(done))
      ->start();
}

}  // namespace simulator
