#include "server/handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "csms/log.hpp"

namespace csms {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

transport::HandshakeAnswer reject(int status, std::string body) {
  transport::HandshakeAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

}  // namespace

std::optional<std::string> station_id_from_resource(std::string_view resource,
                                                    std::string_view prefix, std::string& problem) {
  auto q = resource.find('?');
  if (q != std::string_view::npos) resource = resource.substr(0, q);
  if (resource.substr(0, prefix.size()) != prefix) {
    problem = "path must be " + std::string(prefix) + "{chargePointId}";
    return std::nullopt;
  }
  std::string_view raw = resource.substr(prefix.size());
  if (raw.empty() || raw.find('/') != std::string_view::npos) {
    problem = "path must be " + std::string(prefix) + "{chargePointId}";
    return std::nullopt;
  }
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out.push_back(raw[i]);
      continue;
    }
    int hi = i + 2 < raw.size() ? hex_value(raw[i + 1]) : -1;
    int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      problem = "broken percent-encoding in the station identity";
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<BasicCredentials> parse_basic_auth(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view b64 = header.substr(kScheme.size());
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
  if (b64.empty() || b64.size() % 4 != 0 || b64.size() > 1024) return std::nullopt;
  std::string decoded(3 * b64.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = (b64.back() == '=') + (b64[b64.size() - 2] == '=');
  decoded.resize(static_cast<std::size_t>(n) - pad);
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

transport::HandshakeAnswer overloaded_answer(int retry_after_s) {
  auto a = reject(
      503, "too many connection attempts; retry after " + std::to_string(retry_after_s) + " s");
  a.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return a;
}

void AuthThrottle::prune(std::deque<Clock::time_point>& q, Clock::time_point now) const {
  while (!q.empty() && now - q.front() >= window_) q.pop_front();
}

long AuthThrottle::retry_after(const std::string& key, Clock::time_point now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  prune(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < limit_) return 0;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(it->second.front() + window_ - now);
  return std::max<long>(1, static_cast<long>(wait.count()));
}

void AuthThrottle::failure(const std::string& key, Clock::time_point now) {
  // Bound memory under a flood of distinct keys: forget the aged-out ones.
  if (failures_.size() > 100000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& q = failures_[key];
  prune(q, now);
  q.push_back(now);
  if (static_cast<int>(q.size()) > limit_) q.pop_front();
}

transport::HandshakeAnswer HandshakeDecider::decide(
    const transport::Handshake& req, const std::function<bool(const std::string&)>& is_live) {
  std::string problem;
  auto id = station_id_from_resource(req.resource, config.path_prefix, problem);
  if (!id) return reject(404, problem);
  if (auto bad = StationRegistry::check_identity(*id); !bad.empty()) return reject(400, bad);

  auto now = AuthThrottle::Clock::now();
  const std::string addr_key = "addr:" + req.remote_address;
  const std::string id_key = "id:" + *id;
  long wait =
      std::max(address_throttle.retry_after(addr_key, now), throttle.retry_after(id_key, now));
  if (wait > 0) {
    auto a = reject(429, "too many failed logins; retry later");
    a.headers.emplace_back("Retry-After", std::to_string(wait));
    return a;
  }

  if (!registry.exists(*id)) {
    auto a = reject(404, "unknown charging station");
    a.station_id = *id;
    return a;
  }

  bool authenticated = false;
  if (registry.has_password(*id)) {
    auto creds = parse_basic_auth(req.authorization);
    std::string why;
    if (!creds)
      why = req.authorization.empty() ? "no credentials" : "malformed Authorization header";
    else if (creds->username != *id)
      why = "username does not match the station identity";
    else if (!registry.verify(*id, creds->password))
      why = "wrong password";
    if (!why.empty()) {
      address_throttle.failure(addr_key, now);
      throttle.failure(id_key, now);
      ctx.metrics.auth_failure();
      ctx.security_event(*id, "InvalidCredentials", why, req.remote_address);
      auto a = reject(401, "authentication required");
      a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"OCPP\", charset=\"UTF-8\"");
      return a;
    }
    authenticated = true;
  }

  // An unauthenticated connection must never displace a live station.
  if (is_live(*id) && !authenticated) {
    ctx.security_event(*id, "DuplicateConnectionRefused",
                       "unauthenticated connection for a station that is online",
                       req.remote_address);
    return reject(409, "station is already connected");
  }

  transport::HandshakeAnswer a;
  a.station_id = *id;
  // Our preference decides, not the order the station offered them in.
  const auto& offered = req.subprotocols;
  for (auto version : config.ocpp_versions) {
    if (std::find(offered.begin(), offered.end(), ocpp::subprotocol(version)) != offered.end()) {
      a.subprotocol = std::string(ocpp::subprotocol(version));
      break;
    }
  }
  return a;
}

}  // namespace csms
