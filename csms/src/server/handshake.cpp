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

LoginThrottle::LoginThrottle(int pair_limit, int address_limit, std::chrono::seconds window,
                             std::chrono::seconds trust_for)
    : pair_(pair_limit, window), address_(address_limit, window), trust_for_(trust_for) {}

std::string LoginThrottle::pair_key(const std::string& id, const std::string& address) {
  // Identities cannot contain '\n' (check_identity), so the key is unambiguous.
  return id + "\n" + address;
}

LoginThrottle::Verdict LoginThrottle::check(const std::string& id, const std::string& address,
                                            Clock::time_point now) {
  const std::string key = pair_key(id, address);
  if (long wait = pair_.retry_after(key, now); wait > 0)
    return {wait, "too many failed logins for this station from this address"};
  if (long wait = address_.retry_after(address, now); wait > 0) {
    auto it = trusted_.find(key);
    if (it != trusted_.end() && now - it->second < trust_for_) return {};
    return {wait, "too many failed logins from this address (for any station)"};
  }
  return {};
}

void LoginThrottle::failure(const std::string& id, const std::string& address,
                            Clock::time_point now) {
  pair_.failure(pair_key(id, address), now);
  address_.failure(address, now);
}

void LoginThrottle::success(const std::string& id, const std::string& address,
                            Clock::time_point now) {
  // Bounded by the stations with a password times the addresses they used.
  if (trusted_.size() > 100000) {
    for (auto it = trusted_.begin(); it != trusted_.end();)
      it = now - it->second >= trust_for_ ? trusted_.erase(it) : std::next(it);
  }
  trusted_[pair_key(id, address)] = now;
}

transport::HandshakeAnswer HandshakeDecider::decide(
    const transport::Handshake& req, const std::function<bool(const std::string&)>& is_live) {
  std::string problem;
  auto id = station_id_from_resource(req.resource, config.path_prefix, problem);
  if (!id) return reject(404, problem);
  if (auto bad = StationRegistry::check_identity(*id); !bad.empty()) return reject(400, bad);

  if (!registry.exists(*id)) {
    auto a = reject(404, "unknown charging station");
    a.station_id = *id;
    return a;
  }

  bool authenticated = false;
  if (registry.has_password(*id)) {
    // Only password checks are throttled (they cost a PBKDF2 each), and by
    // identity and address together (LoginThrottle).
    const auto now = LoginThrottle::Clock::now();
    if (auto verdict = throttle.check(*id, req.remote_address, now); verdict.retry_after_s > 0) {
      log::warn("{}: login from {} refused with 429 for {} s: {}", *id, req.remote_address,
                verdict.retry_after_s, verdict.reason);
      auto a = reject(429, "too many failed logins; retry later");
      a.headers.emplace_back("Retry-After", std::to_string(verdict.retry_after_s));
      return a;
    }
    auto creds = parse_basic_auth(req.authorization);
    std::string why;
    if (!creds)
      why = req.authorization.empty() ? "no credentials" : "malformed Authorization header";
    else if (creds->username != *id)
      why = "username does not match the station identity";
    else if (!registry.verify(*id, creds->password))
      why = "wrong password";
    if (!why.empty()) {
      throttle.failure(*id, req.remote_address, now);
      ctx.metrics.auth_failure();
      ctx.security_event(*id, "InvalidCredentials", why, req.remote_address);
      auto a = reject(401, "authentication required");
      a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"OCPP\", charset=\"UTF-8\"");
      return a;
    }
    throttle.success(*id, req.remote_address, now);
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
  a.authenticated = authenticated;
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
