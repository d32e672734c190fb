#pragma once
// WebSocket URLs, station paths and HTTP Basic credentials.

#include <optional>
#include <string>
#include <string_view>

namespace simulator {

/// A parsed `ws[s]://host[:port][/path]` URL.
struct WsUrl {
  bool tls = false;  ///< wss://
  std::string host;  ///< Without IPv6 brackets.
  std::string port;  ///< Defaults to 80 (ws) or 443 (wss).
  std::string path;  ///< Never empty; no trailing slash unless it is "/".
  /// The Host header value: host[:port], brackets restored for IPv6.
  std::string host_header() const;
  /// "ws" or "wss".
  const char* scheme() const { return tls ? "wss" : "ws"; }
};

/// Parses a ws:// or wss:// URL. Queries, fragments and user info are refused.
std::optional<WsUrl> parse_ws_url(std::string_view url, std::string& error);

/// RFC 3986 percent-encoding: unreserved characters kept, others %XX.
std::string percent_encode(std::string_view text);

/// The request target for a station: `<path>/<percent-encoded id>`.
std::string station_target(const WsUrl& url, std::string_view station_id);

/// Standard base64 with padding.
std::string base64_encode(std::string_view data);

/// `Basic <base64(user:password)>`.
std::string basic_auth(std::string_view user, std::string_view password);

}  // namespace simulator
