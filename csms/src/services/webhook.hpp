#pragma once
// The alerts webhook: each alert change POSTed as JSON to alerts.webhook_url,
// signed with HMAC-SHA256 over the body, retried with bounded exponential
// backoff. Deliveries run on a thread of their own, one at a time in the order
// given (so an alert's opening always arrives before its closing); the network
// thread only queues.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "csms/metrics.hpp"

namespace csms {

/// "sha256=" and the hex HMAC-SHA256 of `body` under `secret`: the
/// X-CSMS-Signature header.
std::string webhook_signature(const std::string& secret, const std::string& body);

/// An http:// or https:// URL split up; throws std::invalid_argument naming the problem.
struct WebhookUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target = "/";
};
WebhookUrl parse_webhook_url(const std::string& url);

/// What the sender needs.
struct WebhookOptions {
  std::string url;
  std::string secret;  ///< Never logged.
  int max_attempts = 8;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  std::chrono::milliseconds timeout{10000};
  std::size_t max_queue = 10000;  ///< More pending deliveries are dropped (counted).
};

/// Delivers webhook bodies in order, retrying each until a 2xx or the bound.
class WebhookSender {
 public:
  WebhookSender(WebhookOptions options, Metrics& metrics);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;
  void start();
  /// Stops after the delivery in progress; what is still queued is dropped.
  void stop();
  /// Queues one body (thread-safe, never blocks on the network).
  void send(std::string body);

 private:
  struct Delivery {
    std::string id;
    std::string body;
  };
  void run();
  /// One POST; true for a 2xx answer. `problem` says why not.
  bool post(const Delivery& d, std::string& problem);

  WebhookOptions options_;
  WebhookUrl url_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::uint64_t next_ = 0;
};

}  // namespace csms
