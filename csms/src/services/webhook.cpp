#include "services/webhook.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <stdexcept>

#include "core/http_post.hpp"
#include "csms/log.hpp"
#include "csms/version.hpp"

namespace csms {

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
  HttpPost req;
  req.tls = url_.tls;
  req.host = url_.host;
  req.port = url_.port;
  req.target = url_.target;
  req.headers = {{"User-Agent", std::string("csms/") + kVersion},
                 {"Content-Type", "application/json"},
                 {"X-CSMS-Delivery", d.id},
                 {"X-CSMS-Signature", webhook_signature(options_.secret, d.body)}};
  req.body = d.body;
  req.timeout = options_.timeout;
  const int status = http_post(req, problem);
  if (status == 0) return false;
  if (status < 200 || status >= 300) {
    problem = "HTTP " + std::to_string(status);
    return false;
  }
  return true;
}

}  // namespace csms
