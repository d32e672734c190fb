#include "server/handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "csms/identity.hpp"
#include "csms/log.hpp"
#include "csms/password.hpp"

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

transport::HandshakeAnswer unauthorized(std::string body) {
  auto a = reject(401, std::move(body));
  a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"OCPP\", charset=\"UTF-8\"");
  return a;
}

// What a connection is, in a security event's words.
std::string connection_kind(const transport::Handshake& req, bool password) {
  if (!req.tls) return "plain ws://";
  if (req.client_certificate.present && req.client_certificate.verified)
    return "TLS with a client certificate";
  return password ? "TLS with Basic auth" : "TLS without credentials";
}

}  // namespace

std::string HandshakeDecider::certificate_problem(const std::string& id,
                                                  const transport::PeerCertificate& cert) const {
  if (!cert.verified)
    return "client certificate not verified: " +
           (cert.verify_error.empty() ? std::string("unknown reason") : cert.verify_error);
  if (config.station_cert_cn == "serial") {
    const std::string serial = registry.serial_number(id);
    if (serial.empty())
      return "client certificate CN '" + cert.subject_cn +
             "' cannot be checked: the station reported no serial number in a BootNotification";
    if (cert.subject_cn != serial)
      return "client certificate CN '" + cert.subject_cn +
             "' is not the station's serial number '" + serial + "'";
  } else if (cert.subject_cn != id) {
    return "client certificate CN '" + cert.subject_cn + "' is not the station identity";
  }
  if (!config.organization.empty() && cert.subject_o != config.organization)
    return "client certificate O '" + cert.subject_o + "' is not '" + config.organization + "'";
  return "";
}

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
  if (in_flight_.count(key))
    return {1, "a login for this station from this address is being checked"};
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
  in_flight_.erase(pair_key(id, address));
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
  in_flight_.erase(pair_key(id, address));
  trusted_[pair_key(id, address)] = now;
}

void LoginThrottle::started(const std::string& id, const std::string& address) {
  in_flight_.insert(pair_key(id, address));
}

transport::HandshakeAnswer HandshakeDecider::decide(
    const transport::Handshake& req, const std::function<bool(const std::string&)>& is_live) {
  Pending p = before_password(req);
  if (p.answer) return std::move(*p.answer);
  const bool ok = !p.hash.empty() && verify_password(p.password, p.hash);
  return after_password(req, p, ok, is_live);
}

void HandshakeDecider::decide_async(const transport::Handshake& req,
                                    std::function<bool(const std::string&)> is_live,
                                    PasswordVerifier& verifier,
                                    std::function<void(transport::HandshakeAnswer)> done) {
  Pending p = before_password(req);
  if (p.answer) return done(std::move(*p.answer));
  if (p.hash.empty()) return done(after_password(req, p, false, is_live));
  throttle.started(p.id, req.remote_address);
  // The pending state keeps the password for remember_verified().
  std::string password = p.password;
  std::string hash = p.hash;
  auto pending = std::make_shared<Pending>(std::move(p));
  verifier.verify(
      std::move(password), std::move(hash),
      [self = *this, req, pending, is_live = std::move(is_live), done = std::move(done)](
          bool ok) mutable { done(self.after_password(req, *pending, ok, is_live)); });
}

HandshakeDecider::Pending HandshakeDecider::before_password(const transport::Handshake& req) {
  Pending p;
  auto answer = [&p](transport::HandshakeAnswer a) {
    p.answer = std::move(a);
    return std::move(p);
  };
  std::string problem;
  auto id = station_id_from_resource(req.resource, config.path_prefix, problem);
  if (!id) return answer(reject(404, problem));
  if (auto bad = check_identity(*id); !bad.empty()) return answer(reject(400, bad));

  if (!registry.exists(*id)) {
    auto a = reject(404, "unknown charging station");
    a.station_id = *id;
    return answer(std::move(a));
  }
  p.id = *id;
  p.profile = registry.security_profile(*id);

  // Profile 3 proves the station by its certificate: a certificate it sends
  // must be valid and name it, and the password is then optional (if sent, it
  // must be right).
  if (req.tls && req.client_certificate.present) {
    const std::string why = certificate_problem(*id, req.client_certificate);
    if (!why.empty()) {
      ctx.metrics.auth_failure();
      ctx.security_event(*id, "InvalidClientCertificate", why, req.remote_address);
      return answer(unauthorized("client certificate refused"));
    }
    p.certified = true;
  }

  p.check_password = registry.has_password(*id) && (!p.certified || !req.authorization.empty());
  if (!p.check_password) return p;
  // Only password checks are throttled (they cost a PBKDF2 each), and by
  // identity and address together (LoginThrottle).
  p.now = LoginThrottle::Clock::now();
  if (auto verdict = throttle.check(*id, req.remote_address, p.now); verdict.retry_after_s > 0) {
    log::warn("{}: login from {} refused with 429 for {} s: {}", *id, req.remote_address,
              verdict.retry_after_s, verdict.reason);
    auto a = reject(429, "too many failed logins; retry later");
    a.headers.emplace_back("Retry-After", std::to_string(verdict.retry_after_s));
    return answer(std::move(a));
  }
  auto creds = parse_basic_auth(req.authorization);
  if (!creds) {
    p.why = req.authorization.empty() ? "no credentials" : "malformed Authorization header";
  } else if (creds->username != *id) {
    p.why = "username does not match the station identity";
  } else {
    bool known_good = false;
    p.hash = registry.hash_to_check(*id, creds->password, known_good);
    if (!p.hash.empty())
      p.password = std::move(creds->password);
    else if (!known_good)
      p.why = "wrong password";
  }
  return p;
}

transport::HandshakeAnswer HandshakeDecider::after_password(
    const transport::Handshake& req, Pending& p, bool password_ok,
    const std::function<bool(const std::string&)>& is_live) {
  const std::string* id = &p.id;
  const int profile = p.profile;
  const bool certified = p.certified;
  bool authenticated = false;
  if (p.check_password) {
    std::string why = p.why;
    if (why.empty() && !p.hash.empty()) {
      if (password_ok)
        registry.remember_verified(*id, p.password, p.hash);
      else
        why = "wrong password";
    }
    p.password.clear();
    if (!why.empty()) {
      throttle.failure(*id, req.remote_address, p.now);
      ctx.metrics.auth_failure();
      ctx.security_event(*id, "InvalidCredentials", why, req.remote_address);
      return unauthorized("authentication required");
    }
    throttle.success(*id, req.remote_address, p.now);
    authenticated = true;
  }

  // The profile this connection gives: 3 with a good certificate, 2 over TLS
  // with the password, else 1 (a station without a password stays on 1).
  const int given = certified ? 3 : (req.tls && authenticated) ? 2 : 1;
  if (given < profile) {
    const std::string why = "the station is on security profile " + std::to_string(profile) +
                            "; this connection is " + connection_kind(req, authenticated);
    const bool proven = authenticated || certified;
    ctx.metrics.auth_failure();
    ctx.security_event(*id, "SecurityProfileMismatch", why, req.remote_address);
    // Right credentials on the wrong kind of connection: 403, not 401.
    if (proven) return reject(403, "security profile " + std::to_string(profile) + " required");
    return unauthorized("security profile " + std::to_string(profile) + " required");
  }
  authenticated = authenticated || certified;

  // A station that reconnects on a higher profile (after an upgrade) is held
  // to it from now on.
  if (given > profile && given >= 2) {
    ctx.security_event(*id, "SecurityProfileRaised",
                       "security profile raised from " + std::to_string(profile) + " to " +
                           std::to_string(given) + " (" + connection_kind(req, authenticated) + ")",
                       req.remote_address);
    registry.set_security_profile(*id, given, [id = *id, given](std::exception_ptr e) {
      if (e) log::error("{}: security profile {} not stored", id, given);
    });
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
