#pragma once
// Who may connect: the URL identity, HTTP Basic credentials, the client
// certificate and the station's security profile (docs/security.md), login
// throttling and the duplicate-identity rule, decided at the upgrade.

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "server/context.hpp"
#include "transport/transport.hpp"

namespace csms {

/// The station identity in `resource` ("/ocpp/CP%201?x" with prefix "/ocpp/"),
/// percent-decoded; nullopt with `problem` set when the path is not ours or the
/// encoding is broken.
std::optional<std::string> station_id_from_resource(std::string_view resource,
                                                    std::string_view prefix, std::string& problem);

/// Username and password of an `Authorization: Basic ...` header.
struct BasicCredentials {
  std::string username;
  std::string password;
};
std::optional<BasicCredentials> parse_basic_auth(std::string_view header);

/// Counts failed logins per key (an address or an identity) in a sliding window;
/// a key with `limit` failures in the window is refused until they age out.
class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  AuthThrottle(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}
  /// Seconds until `key` may try again; 0 when it may now.
  long retry_after(const std::string& key, Clock::time_point now);
  void failure(const std::string& key, Clock::time_point now);

 private:
  void prune(std::deque<Clock::time_point>& q, Clock::time_point now) const;
  int limit_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

/// Failed-login throttling for stations with a password, by where the attempts
/// come from (docs/security.md):
/// * per (identity, address): `pair_limit` failures in the window refuse that
///   identity from that address only, so guesses from elsewhere never lock a
///   station out of its own address (its correct password elsewhere works);
/// * per address: `address_limit` failures (any identities) refuse further
///   password attempts from that address, except for an identity that logged in
///   from it successfully within `trust_for`: the other stations behind one NAT
///   or APN keep connecting while an attacker there is slowed down.
/// Stations without a password are never throttled: they cost no password check.
class LoginThrottle {
 public:
  using Clock = AuthThrottle::Clock;
  LoginThrottle(int pair_limit, int address_limit, std::chrono::seconds window,
                std::chrono::seconds trust_for = std::chrono::hours(24));

  /// Whether a password check for `id` from `address` may run now.
  struct Verdict {
    long retry_after_s = 0;  ///< 0: it may.
    std::string reason;      ///< When refused: why, for the log.
  };
  Verdict check(const std::string& id, const std::string& address, Clock::time_point now);
  void failure(const std::string& id, const std::string& address, Clock::time_point now);
  void success(const std::string& id, const std::string& address, Clock::time_point now);
  /// A check for `id` from `address` runs off the network thread now: further
  /// attempts of that pair are refused until its failure() or success(), so
  /// parallel guesses cannot pass the pair limit.
  void started(const std::string& id, const std::string& address);

 private:
  static std::string pair_key(const std::string& id, const std::string& address);
  AuthThrottle pair_;
  AuthThrottle address_;
  std::chrono::seconds trust_for_;
  std::unordered_map<std::string, Clock::time_point> trusted_;  ///< pair key -> last success
  std::unordered_set<std::string> in_flight_;                   ///< pair keys being checked
};

/// Runs PBKDF2 password checks away from the network thread.
class PasswordVerifier {
 public:
  virtual ~PasswordVerifier() = default;
  /// Checks `password` against `hash`, then calls `done(ok)` on the network thread.
  virtual void verify(std::string password, std::string hash, std::function<void(bool)> done) = 0;
};

/// The answer to an upgrade refused by admission control: 503 with Retry-After.
transport::HandshakeAnswer overloaded_answer(int retry_after_s);

/// Decides one WebSocket upgrade request.
struct HandshakeDecider {
  const Config& config;
  StationRegistry& registry;
  LoginThrottle& throttle;
  ServerContext& ctx;

  /// `is_live(id)`: whether the station has a live session now. An unknown
  /// station gets 404 with answer.station_id set (for auto-registration).
  /// A station is accepted only on a connection of its security profile or
  /// higher (1: ws:// + Basic when it has a password, 2: TLS + Basic, 3: TLS +
  /// a client certificate naming it); a higher one raises its stored profile.
  transport::HandshakeAnswer decide(const transport::Handshake& request,
                                    const std::function<bool(const std::string&)>& is_live);

  /// decide() with the PBKDF2 check on `verifier`: `done` gets the answer
  /// exactly once, at once when no PBKDF2 is needed, else on the network
  /// thread after the check.
  void decide_async(const transport::Handshake& request,
                    std::function<bool(const std::string&)> is_live, PasswordVerifier& verifier,
                    std::function<void(transport::HandshakeAnswer)> done);

  /// What the checks before the password leave for the rest.
  struct Pending {
    std::optional<transport::HandshakeAnswer> answer;  ///< Decided already.
    std::string id;
    int profile = 0;
    bool certified = false;
    bool check_password = false;  ///< The station's password is checked.
    std::string password;         ///< To check against `hash`.
    std::string hash;             ///< Non-empty: a PBKDF2 check is needed.
    std::string why;              ///< Why the credentials fail, found without PBKDF2.
    LoginThrottle::Clock::time_point now;
  };
  /// Identity, registration, certificate, throttle and credential format.
  Pending before_password(const transport::Handshake& request);
  /// The rest, given the PBKDF2 outcome (ignored when `p.hash` is empty).
  transport::HandshakeAnswer after_password(const transport::Handshake& request, Pending& p,
                                            bool password_ok,
                                            const std::function<bool(const std::string&)>& is_live);

  /// Why `cert` does not prove station `id` (not verified, CN or O not ours),
  /// or empty.
  std::string certificate_problem(const std::string& id,
                                  const transport::PeerCertificate& cert) const;
};

}  // namespace csms
