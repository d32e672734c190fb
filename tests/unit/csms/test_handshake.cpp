// The handshake policy's pure parts: identity from the URL, Basic credentials,
// login throttling.
#include <catch2/catch.hpp>

#include "server/handshake.hpp"

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
  CHECK(csms::StationRegistry::check_identity("CP-1_a.b*c=d+e|f@g").empty());
  CHECK_FALSE(csms::StationRegistry::check_identity("").empty());
  CHECK_FALSE(csms::StationRegistry::check_identity(std::string(49, 'a')).empty());
  CHECK(csms::StationRegistry::check_identity(std::string(48, 'a')).empty());
  CHECK_FALSE(csms::StationRegistry::check_identity("a:b").empty());
  CHECK_FALSE(csms::StationRegistry::check_identity("a b").empty());
  CHECK_FALSE(csms::StationRegistry::check_identity("a/b").empty());
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
