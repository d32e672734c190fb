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
