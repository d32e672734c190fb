#include "simulator/url.hpp"

#include <algorithm>
#include <cctype>

namespace simulator {

std::string WsUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != (tls ? "443" : "80")) h += ":" + port;
  return h;
}

std::optional<WsUrl> parse_ws_url(std::string_view url, std::string& error) {
  auto lower = std::string(url.substr(0, 6));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool tls = lower.rfind("wss://", 0) == 0;
  if (!tls && lower.rfind("ws://", 0) != 0) {
    error = "the URL must start with ws:// or wss://";
    return std::nullopt;
  }
  std::string_view rest = url.substr(tls ? 6 : 5);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    error = "the URL must not have a query or fragment";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    error = "credentials go in --password, not the URL";
    return std::nullopt;
  }
  WsUrl out;
  out.tls = tls;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated [IPv6] host";
      return std::nullopt;
    }
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') {
      error = "junk after the [IPv6] host";
      return std::nullopt;
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (out.host.empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  out.port = tls ? "443" : "80";
  if (!authority.empty()) {
    authority.remove_prefix(1);  // ':'
    const bool digits = !authority.empty() && authority.size() <= 5 &&
                        std::all_of(authority.begin(), authority.end(),
                                    [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits || std::stoi(std::string(authority)) < 1 ||
        std::stoi(std::string(authority)) > 65535) {
      error = "the port must be a number in 1..65535";
      return std::nullopt;
    }
    out.port = std::string(authority);
  }
  out.path = std::string(path);
  while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  return out;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string station_target(const WsUrl& url, std::string_view station_id) {
  std::string target = url.path;
  if (target.empty() || target.back() != '/') target += '/';
  return target + percent_encode(station_id);
}

std::string base64_encode(std::string_view data) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += rest == 2 ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string basic_auth(std::string_view user, std::string_view password) {
  std::string credentials(user);
  credentials += ':';
  credentials += password;
  return "Basic " + base64_encode(credentials);
}

}  // namespace simulator
