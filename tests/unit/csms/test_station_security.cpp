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

TEST_CASE("profile 3 needs a valid certificate the station accepted", "[security][upgrade]") {
  using storage::DateTime;
  const std::int64_t day = 86400LL * 1000000;
  const std::int64_t now = 1800000000LL * 1000000;
  auto cert = [&](const std::string& serial, std::int64_t from, std::int64_t to) {
    storage::IssuedCertificate c;
    c.serial = serial;
    c.not_before = DateTime::from_unix_micros(from);
    c.not_after = DateTime::from_unix_micros(to);
    c.delivery = "Accepted";
    return c;
  };
  using csms::client_certificate_problem;
  CHECK(client_certificate_problem({}, now).find("holds no certificate") != std::string::npos);
  CHECK(client_certificate_problem({cert("A1", now - day, now + day)}, now).empty());

  auto expired = cert("E1", now - 2 * day, now - day);
  CHECK(client_certificate_problem({expired}, now).find("serial E1) is expired") !=
        std::string::npos);
  auto revoked = cert("R1", now - day, now + day);
  revoked.revoked_at = DateTime::from_unix_micros(now - 1);
  CHECK(client_certificate_problem({revoked}, now).find("is revoked") != std::string::npos);
  auto future = cert("F1", now + day, now + 2 * day);
  CHECK(client_certificate_problem({future}, now).find("not valid yet") != std::string::npos);
  auto undelivered = cert("U1", now - day, now + day);
  undelivered.delivery = "";
  CHECK(client_certificate_problem({undelivered}, now).find("not delivered") != std::string::npos);
  auto rejected = undelivered;
  rejected.delivery = "Rejected";
  CHECK(client_certificate_problem({rejected}, now).find("answered Rejected") != std::string::npos);
  // The newest's problem is named; an older valid one is enough.
  CHECK(client_certificate_problem({revoked, cert("A2", now - day, now + day)}, now).empty());
  const auto both = client_certificate_problem({revoked, expired}, now);
  CHECK(both.find("serial R1") != std::string::npos);
  CHECK(both.find("--force") != std::string::npos);
}
