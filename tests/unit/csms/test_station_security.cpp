// Password rotation's limits and encoding, and what an answer's status is.
#include <catch2/catch.hpp>

#include "handlers/station_security.hpp"

using csms::check_rotation_password;

TEST_CASE("1.6 rotation passwords are 16 to 20 printable bytes", "[security][rotation]") {
  CHECK(check_rotation_password("1.6", std::string(16, 'a')).empty());
  CHECK(check_rotation_password("1.6", std::string(20, 'a')).empty());
  CHECK_FALSE(check_rotation_password("1.6", std::string(15, 'a')).empty());
  CHECK(check_rotation_password("1.6", std::string(21, 'a')).find("16 to 20 bytes") !=
        std::string::npos);
  CHECK_FALSE(check_rotation_password("1.6", "sixteen chars wi").empty());  // a space
}

TEST_CASE("2.0.1 rotation passwords are 16 to 40 passwordString characters",
          "[security][rotation]") {
  CHECK(check_rotation_password("2.0.1", std::string(40, 'Z')).empty());
  CHECK(check_rotation_password("2.0.1", "abc*-_=:+|@.0123456").empty());
  CHECK_FALSE(check_rotation_password("2.0.1", std::string(41, 'Z')).empty());
  CHECK_FALSE(check_rotation_password("2.0.1", std::string(15, 'Z')).empty());
  CHECK(check_rotation_password("2.0.1", "no/slashes/allowed-here").find("letters, digits") !=
        std::string::npos);
}

TEST_CASE("generated passwords fill each version's limit and differ", "[security][rotation]") {
  const auto a = csms::generate_station_password("1.6");
  const auto b = csms::generate_station_password("1.6");
  CHECK(a.size() == 20);
  CHECK(a != b);
  CHECK(check_rotation_password("1.6", a).empty());
  const auto c = csms::generate_station_password("2.0.1");
  CHECK(c.size() == 40);
  CHECK(check_rotation_password("2.0.1", c).empty());
}

TEST_CASE("the 1.6 AuthorizationKey is the password hex-encoded", "[security][rotation]") {
  CHECK(csms::hex_encode("dk2q0rfu2q0f-2f0rdg") == "646B327130726675327130662D326630726467");
  CHECK(csms::hex_encode(std::string("\x00\xff", 2)) == "00FF");
}

TEST_CASE("a station's answer status is found in either version's shape", "[security][rotation]") {
  CHECK(csms::answered_status(R"({"status":"Rejected"})") == "Rejected");
  CHECK(
      csms::answered_status(
          R"({"setVariableResult":[{"attributeStatus":"Accepted","component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"}}]})") ==
      "Accepted");
  CHECK(csms::answered_status("{}").empty());
  CHECK(csms::answered_status("not json").empty());
}
