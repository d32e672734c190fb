// The handshake policy: identity from the URL, Basic credentials, login
// throttling and the security profiles.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "csms/identity.hpp"
#include "csms/password.hpp"
#include "server/handshake.hpp"
#include "session_rig.hpp"

using csms::AuthThrottle;

TEST_CASE("the station identity is the percent-decoded last path segment", "[handshake]") {
  std::string problem;
  CHECK(csms::station_id_from_resource("/ocpp/CP1", "/ocpp/", problem) == std::string("CP1"));
  CHECK(csms::station_id_from_resource("/ocpp/CP%201?x=1", "/ocpp/", problem) ==
        std::string("CP 1"));
  CHECK(csms::station_id_from_resource("/ocpp/a%2Fb", "/ocpp/", problem) == std::string("a/b"));
  CHECK_FALSE(csms::station_id_from_resource("/ocpp/", "/ocpp/", problem));
  CHECK_FALSE(csms::station_id_from_resource("/other/CP1", "/ocpp/", problem));
  CHECK_FALSE(csms::station_id_from_resource("/ocpp/a/b", "/ocpp/", problem));
  CHECK_FALSE(csms::station_id_from_resource("/ocpp/CP%2", "/ocpp/", problem));
  CHECK_FALSE(csms::station_id_from_resource("/ocpp/CP%zz", "/ocpp/", problem));
  CHECK(problem.find("percent") != std::string::npos);
}

TEST_CASE("station identities follow the 2.0.1 identifierString rules without ':'", "[handshake]") {
  CHECK(csms::check_identity("CP-1_a.b*c=d+e|f@g").empty());
  CHECK_FALSE(csms::check_identity("").empty());
  CHECK_FALSE(csms::check_identity(std::string(49, 'a')).empty());
  CHECK(csms::check_identity(std::string(48, 'a')).empty());
  CHECK_FALSE(csms::check_identity("a:b").empty());
  CHECK_FALSE(csms::check_identity("a b").empty());
  CHECK_FALSE(csms::check_identity("a/b").empty());
}

TEST_CASE("Basic credentials are parsed - anything else is refused", "[handshake]") {
  // "CP1:pass:word" -> the password may contain ':'.
  auto c = csms::parse_basic_auth("Basic Q1AxOnBhc3M6d29yZA==");
  REQUIRE(c);
  CHECK(c->username == "CP1");
  CHECK(c->password == "pass:word");
  CHECK(csms::parse_basic_auth("basic Q1AxOnBhc3M6d29yZA=="));
  CHECK_FALSE(csms::parse_basic_auth(""));
  CHECK_FALSE(csms::parse_basic_auth("Bearer abc"));
  CHECK_FALSE(csms::parse_basic_auth("Basic !!!!"));
  CHECK_FALSE(csms::parse_basic_auth("Basic bm9jb2xvbg=="));  // "nocolon"
}

TEST_CASE("the login throttle refuses a key after the limit and forgets after the window",
          "[handshake]") {
  AuthThrottle t(3, std::chrono::seconds(60));
  auto now = AuthThrottle::Clock::now();
  CHECK(t.retry_after("k", now) == 0);
  t.failure("k", now);
  t.failure("k", now);
  CHECK(t.retry_after("k", now) == 0);
  t.failure("k", now);
  CHECK(t.retry_after("k", now) > 0);
  CHECK(t.retry_after("other", now) == 0);
  CHECK(t.retry_after("k", now + std::chrono::seconds(61)) == 0);
}

TEST_CASE("failed logins for a station from one address never refuse its password elsewhere",
          "[handshake][security]") {
  csms::LoginThrottle t(5, 50, std::chrono::seconds(60));
  auto now = csms::LoginThrottle::Clock::now();
  for (int i = 0; i < 6; ++i) t.failure("P07", "127.0.0.7", now);
  CHECK(t.check("P07", "127.0.0.7", now).retry_after_s > 0);
  CHECK(t.check("P07", "127.0.0.8", now).retry_after_s == 0);
  CHECK(t.check("P07", "127.0.0.7", now + std::chrono::seconds(61)).retry_after_s == 0);
}

TEST_CASE("failed logins for other stations from an address spare the stations trusted there",
          "[handshake][security]") {
  csms::LoginThrottle t(5, 50, std::chrono::seconds(60));
  auto now = csms::LoginThrottle::Clock::now();
  t.success("HOME", "127.0.0.9", now);
  for (int s = 0; s < 10; ++s)
    for (int i = 0; i < 5; ++i) t.failure("S" + std::to_string(s), "127.0.0.9", now);
  // The address is over its limit: a new identity there waits, with the reason...
  auto refused = t.check("NEW", "127.0.0.9", now);
  CHECK(refused.retry_after_s > 0);
  CHECK(refused.reason.find("from this address") != std::string::npos);
  // ...a station that logged in from it before does not, nor does anyone elsewhere.
  CHECK(t.check("HOME", "127.0.0.9", now).retry_after_s == 0);
  CHECK(t.check("NEW", "127.0.0.10", now).retry_after_s == 0);
  // Trust expires a day after the last login.
  const auto later = now + std::chrono::hours(25);
  for (int i = 0; i < 50; ++i) t.failure("S" + std::to_string(i), "127.0.0.9", later);
  CHECK(t.check("HOME", "127.0.0.9", later).retry_after_s > 0);
}

// ---------------------------------------------------------------------------
// Security profiles (docs/security.md): which connection each profile takes.

namespace {

constexpr const char* kPassword = "correct-horse-battery-1";

// "Basic base64(CP1:correct-horse-battery-1)"
std::string basic_for(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()),
                                static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

struct ProfileRig {
  csms_test::Rig rig;
  csms::LoginThrottle throttle{5, 50, std::chrono::seconds(60)};

  // CP1 with `profile` and, unless empty, `password`.
  explicit ProfileRig(int profile, const std::string& password = kPassword) {
    bool done = false;
    rig.registry->add("CP1", password.empty() ? std::optional<std::string>("") : password, profile,
                      [&done](std::exception_ptr e) { done = !e; });
    rig.pump_until([&] { return done; });
  }

  csms::transport::HandshakeAnswer decide(const csms::transport::Handshake& h) {
    csms::HandshakeDecider decider{rig.config, *rig.registry, throttle, *rig.ctx};
    auto a = decider.decide(h, [](const std::string&) { return false; });
    rig.io.restart();
    rig.io.poll();
    return a;
  }

  // The security events of CP1, waiting (bounded) for one of `type` whose
  // text holds `text`.
  std::vector<storage::SecurityEvent> events_until(const std::string& type,
                                                   const std::string& text = "") {
    std::vector<storage::SecurityEvent> events;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
      storage::read_and_wait(
          *rig.db, [&events](storage::Session& s) { events = s.events.recent("CP1", 50); });
      for (const auto& e : events)
        if (e.type == type && e.tech_info.find(text) != std::string::npos) return events;
      rig.io.restart();
      rig.io.poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return events;
  }

  bool has_event(const std::string& type, const std::string& text = "") {
    for (const auto& e : events_until(type, text))
      if (e.type == type && e.tech_info.find(text) != std::string::npos) return true;
    return false;
  }
};

csms::transport::Handshake plain(const std::string& authorization = "") {
  csms::transport::Handshake h;
  h.resource = "/ocpp/CP1";
  h.authorization = authorization;
  h.remote_address = "127.0.0.1";
  return h;
}

csms::transport::Handshake tls(const std::string& authorization = "") {
  auto h = plain(authorization);
  h.tls = true;
  return h;
}

csms::transport::Handshake with_cert(csms::transport::Handshake h, const std::string& cn,
                                     const std::string& o = "", bool verified = true) {
  h.client_certificate.present = true;
  h.client_certificate.verified = verified;
  if (!verified) h.client_certificate.verify_error = "certificate has expired";
  h.client_certificate.subject_cn = cn;
  h.client_certificate.subject_o = o;
  return h;
}

}  // namespace

TEST_CASE("profile 1 takes plain ws with the password and a station without one as before",
          "[handshake][security]") {
  ProfileRig r(1);
  CHECK(r.decide(plain(basic_for("CP1", kPassword))).status == 101);
  CHECK(r.decide(plain()).status == 401);
  CHECK(r.decide(plain(basic_for("CP1", "wrong-password-but-long"))).status == 401);
  CHECK(r.has_event("InvalidCredentials", "wrong password"));
  CHECK(r.rig.registry->security_profile("CP1") == 1);

  ProfileRig open(1, "");
  auto a = open.decide(plain());
  CHECK(a.status == 101);
  CHECK_FALSE(a.authenticated);
}

TEST_CASE("profile 2 needs TLS and the password - plain ws is refused with a security event",
          "[handshake][security]") {
  ProfileRig r(2);
  auto refused = r.decide(plain(basic_for("CP1", kPassword)));
  CHECK(refused.status == 403);
  CHECK(r.has_event("SecurityProfileMismatch", "profile 2; this connection is plain ws://"));
  CHECK(r.decide(plain()).status == 401);
  CHECK(r.decide(tls()).status == 401);
  CHECK(r.decide(tls(basic_for("CP1", "wrong-password-but-long"))).status == 401);
  auto a = r.decide(tls(basic_for("CP1", kPassword)));
  CHECK(a.status == 101);
  CHECK(a.authenticated);
  CHECK(r.rig.registry->security_profile("CP1") == 2);
  // No event ever carries the password.
  for (const auto& e : r.events_until("InvalidCredentials"))
    CHECK(e.tech_info.find(kPassword) == std::string::npos);
}

TEST_CASE("profile 3 needs a verified client certificate naming the station",
          "[handshake][security]") {
  ProfileRig r(3);
  // The password alone, over TLS or not, is not enough.
  CHECK(r.decide(tls(basic_for("CP1", kPassword))).status == 403);
  CHECK(r.decide(plain(basic_for("CP1", kPassword))).status == 403);
  CHECK(r.decide(tls()).status == 401);
  CHECK(r.has_event("SecurityProfileMismatch", "profile 3"));
  // A certificate without Basic credentials is.
  auto a = r.decide(with_cert(tls(), "CP1"));
  CHECK(a.status == 101);
  CHECK(a.authenticated);
  // Sent Basic credentials must still be right.
  CHECK(r.decide(with_cert(tls(basic_for("CP1", kPassword)), "CP1")).status == 101);
  CHECK(r.decide(with_cert(tls(basic_for("CP1", "wrong-password-but-long")), "CP1")).status == 401);
  // Another station's, or an unverified, certificate is refused.
  CHECK(r.decide(with_cert(tls(), "CP2")).status == 401);
  CHECK(r.has_event("InvalidClientCertificate", "CN 'CP2' is not the station identity"));
  CHECK(r.decide(with_cert(tls(), "CP1", "", false)).status == 401);
  CHECK(r.has_event("InvalidClientCertificate", "not verified: certificate has expired"));
}

TEST_CASE("profile 3 checks the organisation and, if so configured, the serial number",
          "[handshake][security]") {
  ProfileRig r(3);
  r.rig.config.organization = "Example CPO";
  CHECK(r.decide(with_cert(tls(), "CP1", "Someone Else")).status == 401);
  CHECK(r.has_event("InvalidClientCertificate", "O 'Someone Else' is not 'Example CPO'"));
  CHECK(r.decide(with_cert(tls(), "CP1", "Example CPO")).status == 101);

  r.rig.config.station_cert_cn = "serial";
  // No boot yet: no serial number to compare with.
  CHECK(r.decide(with_cert(tls(), "SN-42", "Example CPO")).status == 401);
  CHECK(r.has_event("InvalidClientCertificate", "reported no serial number"));
  r.rig.registry->set_serial_number("CP1", "SN-42");
  CHECK(r.decide(with_cert(tls(), "CP1", "Example CPO")).status == 401);
  CHECK(r.decide(with_cert(tls(), "SN-42", "Example CPO")).status == 101);
}

TEST_CASE("a station on a higher profile than stored is raised to it, with a security event",
          "[handshake][security]") {
  ProfileRig r(1);
  CHECK(r.decide(tls(basic_for("CP1", kPassword))).status == 101);
  CHECK(r.has_event("SecurityProfileRaised", "from 1 to 2"));
  CHECK(r.rig.registry->security_profile("CP1") == 2);
  // From now on plain ws is refused.
  CHECK(r.decide(plain(basic_for("CP1", kPassword))).status == 403);
  CHECK(r.decide(with_cert(tls(), "CP1")).status == 101);
  CHECK(r.has_event("SecurityProfileRaised", "from 2 to 3"));
  r.rig.pump_until([&] { return r.rig.registry->security_profile("CP1") == 3; });
  // The raise is stored, not only remembered.
  std::optional<storage::Station> st;
  storage::read_and_wait(*r.rig.db, [&st](storage::Session& s) { st = s.stations.get("CP1"); });
  REQUIRE(st);
  CHECK(st->security_profile == 3);
}

namespace {

// Holds password checks until the test completes them: "slow" PBKDF2 without
// a clock.
struct HeldVerifier : csms::PasswordVerifier {
  struct Check {
    std::string password, hash;
    std::function<void(bool)> done;
  };
  std::vector<Check> held;
  void verify(std::string password, std::string hash, std::function<void(bool)> done) override {
    held.push_back({std::move(password), std::move(hash), std::move(done)});
  }
  void complete(std::size_t i) {
    held[i].done(csms::verify_password(held[i].password, held[i].hash));
  }
};

csms::transport::Handshake for_station(const std::string& id, const std::string& authorization,
                                       const std::string& address = "10.0.0.1") {
  auto h = plain(authorization);
  h.resource = "/ocpp/" + id;
  h.remote_address = address;
  return h;
}

}  // namespace

TEST_CASE("a station without a password is answered while password checks of others are pending",
          "[handshake][security]") {
  ProfileRig r(1);
  for (const char* id : {"CP2", "CP3"}) {
    bool done = false;
    r.rig.registry->add(id, std::string(kPassword), 1,
                        [&done](std::exception_ptr e) { done = !e; });
    r.rig.pump_until([&] { return done; });
  }
  csms::HandshakeDecider decider{r.rig.config, *r.rig.registry, r.throttle, *r.rig.ctx};
  HeldVerifier verifier;
  std::vector<std::optional<csms::transport::HandshakeAnswer>> answers(5);
  auto start = [&](std::size_t slot, const csms::transport::Handshake& h) {
    decider.decide_async(
        h, [](const std::string&) { return false; }, verifier,
        [&answers, slot](csms::transport::HandshakeAnswer a) {
          REQUIRE_FALSE(answers[slot]);  // exactly once
          answers[slot] = std::move(a);
        });
  };
  start(0, for_station("CP1", basic_for("CP1", kPassword)));
  start(1, for_station("CP2", basic_for("CP2", kPassword)));
  start(2, for_station("CP3", basic_for("CP3", "wrong-password-but-long")));
  CHECK(verifier.held.size() == 3);
  CHECK_FALSE(answers[0]);
  CHECK_FALSE(answers[1]);
  CHECK_FALSE(answers[2]);

  // A station without a password needs no check: it is answered at once.
  bool added = false;
  r.rig.registry->add("OPEN", std::string(""), 1, [&added](std::exception_ptr e) { added = !e; });
  r.rig.pump_until([&] { return added; });
  start(3, for_station("OPEN", ""));
  REQUIRE(answers[3]);
  CHECK(answers[3]->status == 101);
  CHECK(verifier.held.size() == 3);

  // A second guess for a pair whose check is pending waits for it.
  start(4, for_station("CP3", basic_for("CP3", "another-wrong-password")));
  REQUIRE(answers[4]);
  CHECK(answers[4]->status == 429);

  verifier.complete(2);
  verifier.complete(0);
  verifier.complete(1);
  REQUIRE(answers[0]);
  REQUIRE(answers[1]);
  REQUIRE(answers[2]);
  CHECK(answers[0]->status == 101);
  CHECK(answers[0]->authenticated);
  CHECK(answers[1]->status == 101);
  CHECK(answers[2]->status == 401);

  // A password PBKDF2 accepted is remembered: the next login needs no check.
  std::optional<csms::transport::HandshakeAnswer> again;
  decider.decide_async(
      for_station("CP2", basic_for("CP2", kPassword)), [](const std::string&) { return false; },
      verifier, [&again](csms::transport::HandshakeAnswer a) { again = std::move(a); });
  REQUIRE(again);
  CHECK(again->status == 101);
  CHECK(verifier.held.size() == 3);
  r.rig.io.restart();
  r.rig.io.poll();
}
