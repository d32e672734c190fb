#pragma once
// One blocking HTTP(S) POST, for senders on threads of their own (the alerts
// webhook). The Beast code stays in the .cpp so services include no Boost.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace csms {

/// What to POST, and where.
struct HttpPost {
  bool tls = false;  ///< https: the peer's certificate and name are verified.
  std::string host;
  std::string port;
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  ///< Besides Host and Content-Length.
  std::string body;
  std::chrono::milliseconds timeout{10000};  ///< For the whole exchange.
};

/// Sends `request` and waits for the answer: the HTTP status, or 0 with
/// `problem` saying what failed (resolving, connecting, TLS, timeout).
int http_post(const HttpPost& request, std::string& problem);

}  // namespace csms
