#include "services/webhook.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <stdexcept>

#include "csms/log.hpp"
#include "csms/version.hpp"

namespace csms {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

std::string random_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return hex(bytes, sizeof bytes);
}

}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  return "sha256=" + hex(mac, len);
}

WebhookUrl parse_webhook_url(const std::string& url) {
  WebhookUrl u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    throw std::invalid_argument("alerts.webhook_url must start with http:// or https://");
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) u.target = rest.substr(slash);
  if (authority.find('@') != std::string::npos)
    throw std::invalid_argument("alerts.webhook_url must not hold credentials (use the secret)");
  u.port = u.tls ? "443" : "80";
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos)
      throw std::invalid_argument("alerts.webhook_url: bad IPv6 host");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty()) throw std::invalid_argument("alerts.webhook_url has no host");
  if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos ||
      u.port.size() > 5 || std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
    throw std::invalid_argument("alerts.webhook_url has a bad port");
  return u;
}

WebhookSender::WebhookSender(WebhookOptions options, Metrics& metrics)
    : options_(std::move(options)), url_(parse_webhook_url(options_.url)), metrics_(metrics) {}

WebhookSender::~WebhookSender() {
  stop();
}

void WebhookSender::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "webhook");
    run();
  });
}

void WebhookSender::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::send(std::string body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= options_.max_queue) {
      metrics_.webhook_dropped();
      log::warn("alerts webhook: {} deliveries pending, dropping one", queue_.size());
      return;
    }
    queue_.push_back({random_id(), std::move(body)});
  }
  wake_.notify_all();
}

void WebhookSender::run() {
  for (;;) {
    Delivery d;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      d = queue_.front();
    }
    auto backoff = options_.initial_backoff;
    bool delivered = false;
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
      std::string problem;
      if (post(d, problem)) {
        delivered = true;
        break;
      }
      metrics_.webhook_failed_attempt();
      log::warn("alerts webhook: delivery {} attempt {} of {} failed: {}", d.id, attempt,
                options_.max_attempts, problem);
      if (attempt == options_.max_attempts) break;
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    if (delivered) {
      metrics_.webhook_delivered();
    } else {
      metrics_.webhook_gave_up();
      log::error("alerts webhook: gave up on delivery {} after {} attempts", d.id,
                 options_.max_attempts);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!queue_.empty()) queue_.pop_front();
  }
}

bool WebhookSender::post(const Delivery& d, std::string& problem) {
  http::request<http::string_body> req{http::verb::post, url_.target, 11};
  req.set(http::field::host, url_.host + ":" + url_.port);
  req.set(http::field::user_agent, std::string("csms/") + kVersion);
  req.set(http::field::content_type, "application/json");
  req.set("X-CSMS-Delivery", d.id);
  req.set("X-CSMS-Signature", webhook_signature(options_.secret, d.body));
  req.body() = d.body;
  req.keep_alive(false);
  req.prepare_payload();

  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(url_.host, url_.port, ec);
  if (ec) {
    problem = "resolving " + url_.host + ": " + ec.message();
    return false;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code failure;
  if (!url_.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(options_.timeout);
    stream.async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
      if (cec) return void(failure = cec);
      http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
        if (wec) return void(failure = wec);
        http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) {
          if (rec) failure = rec;
        });
      });
    });
    io.run();
  } else {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    beast::get_lowest_layer(stream).async_connect(
        endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
          if (cec) return void(failure = cec);
          stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code hec) {
            if (hec) return void(failure = hec);
            http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
              if (wec) return void(failure = wec);
              http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) {
                if (rec) failure = rec;
              });
            });
          });
        });
    io.run();
  }
  if (failure) {
    problem = failure == beast::error::timeout ? "no answer in time" : failure.message();
    return false;
  }
  if (res.result_int() < 200 || res.result_int() >= 300) {
    problem = "HTTP " + std::to_string(res.result_int());
    return false;
  }
  return true;
}

}  // namespace csms
