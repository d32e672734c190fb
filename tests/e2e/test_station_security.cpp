// Per-station security profiles, password rotation and the remote profile
// upgrade, driven through csmsctl against the real csms and ocpp-sim over
// plain ws:// (docs/security.md).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/harness.hpp"

using namespace e2e;

namespace {

const std::string kPassword = "correct-horse-battery";

int upgrade_status(const Csms& csms, const std::string& id, const std::string& password) {
  WsClient::Options o;
  if (!password.empty()) o.authorization = basic_auth(id, password);
  return WsClient(csms.ocpp_port(), "/ocpp/" + id, o).status();
}

// Whether a security event of `type` for `id` mentions `text`.
bool has_event(const Csms& csms, const std::string& id, const std::string& type,
               const std::string& text) {
  auto out = csms.ctl({"events", "--station", id, "--json"}).out;
  return out.find(type) != std::string::npos && out.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a profile-2 station is refused on plain ws with a security event",
          "[e2e][security][profiles]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "SP2", "--password", kPassword, "--security-profile", "2"})
              .code == 0);
  auto shown = csms.ctl_json({"station", "show", "SP2"});
  CHECK(shown["securityProfile"].GetInt() == 2);
  CHECK(upgrade_status(csms, "SP2", kPassword) == 403);
  CHECK(upgrade_status(csms, "SP2", "") == 401);
  CHECK(eventually([&] {
    return has_event(csms, "SP2", "SecurityProfileMismatch", "this connection is plain ws://");
  }));
  // Profile 2 without a password is refused before anything is stored.
  REQUIRE(csms.ctl({"station", "add", "NOPW"}).code == 0);
  auto no_password = csms.ctl({"station", "set", "NOPW", "--security-profile", "2"});
  CHECK(no_password.code != 0);
  CHECK(no_password.err.find("needs a password") != std::string::npos);
}

TEST_CASE("lowering a station's profile needs --allow-downgrade and is recorded",
          "[e2e][security][profiles]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "DG1", "--password", kPassword, "--security-profile", "2"})
              .code == 0);
  auto refused = csms.ctl({"station", "set", "DG1", "--security-profile", "1"});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("allow-downgrade") != std::string::npos);
  CHECK(csms.ctl_json({"station", "show", "DG1"})["securityProfile"].GetInt() == 2);
  // Through station add as well.
  CHECK(csms.ctl({"station", "add", "DG1", "--security-profile", "1"}).code != 0);

  REQUIRE(
      csms.ctl({"station", "set", "DG1", "--security-profile", "1", "--allow-downgrade"}).code ==
      0);
  CHECK(csms.ctl_json({"station", "show", "DG1"})["securityProfile"].GetInt() == 1);
  CHECK(
      eventually([&] { return has_event(csms, "DG1", "SecurityProfileLowered", "from 2 to 1"); }));
  // Now plain ws with the password works again.
  CHECK(upgrade_status(csms, "DG1", kPassword) == 101);
}

TEST_CASE("rotate-password replaces the stored password only when the station accepts",
          "[e2e][security][rotation]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "RP201", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "RP16", "--password", kPassword}).code == 0);
  Sim v201(csms, "RP201", {"--ocpp", "2.0.1", "--password", kPassword});
  Sim v16(csms, "RP16", {"--password", kPassword});
  REQUIRE(v201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(v16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // A password outside the version's limits is refused before anything is sent.
  auto short_pw = csms.ctl({"station", "rotate-password", "RP201", "--password", "short"});
  CHECK(short_pw.code != 0);
  CHECK(short_pw.err.find("16 to 40") != std::string::npos);
  auto long16 =
      csms.ctl({"station", "rotate-password", "RP16", "--password", "twenty-one-characters"});
  CHECK(long16.code != 0);
  CHECK(long16.err.find("16 to 20 bytes") != std::string::npos);

  // 2.0.1: SetVariables SecurityCtrlr.BasicAuthPassword, accepted.
  const std::string fresh = "Brand-New-Password-2026";
  auto rotated = csms.ctl_json({"station", "rotate-password", "RP201", "--password", fresh});
  const std::string text = ocpp::to_compact_json(rotated);
  INFO(text);
  CHECK(text.find("\"passwordReplaced\":true") != std::string::npos);
  CHECK(text.find(fresh) == std::string::npos);
  // The new password opens a connection, the old one no longer does.
  CHECK(upgrade_status(csms, "RP201", fresh) == 101);
  CHECK(upgrade_status(csms, "RP201", kPassword) == 401);

  // 1.6: ChangeConfiguration AuthorizationKey, the password's bytes in hex;
  // the station's Basic-auth password is the decoded bytes.
  const std::string fresh16 = "sixteen-to-20-ok";
  auto v16_answer = csms.ctl_json({"station", "rotate-password", "RP16", "--password", fresh16});
  const std::string v16_text = ocpp::to_compact_json(v16_answer);
  INFO(v16_text);
  CHECK(v16_text.find("\"passwordReplaced\":true") != std::string::npos);
  CHECK(upgrade_status(csms, "RP16", fresh16) == 101);
  CHECK(upgrade_status(csms, "RP16", kPassword) == 401);

  // Neither frame shows the password: the message log masks them.
  for (const std::string station : {"RP16", "RP201"}) {
    auto log = csms.ctl({"log", station, "--json", "--limit", "100"});
    INFO(station << ": " << log.out);
    CHECK(log.out.find("********") != std::string::npos);
    CHECK(log.out.find(fresh) == std::string::npos);
  }
  CHECK(csms.process().stderr_text().find(fresh) == std::string::npos);
}

TEST_CASE("upgrade-security runs its steps and stops at the first not accepted",
          "[e2e][security][upgrade]") {
  TempDir dir;
  Csms csms(dir, {"--ocpp-tls-public-url", "wss://csms.example.com:8443/ocpp/"});
  // A real self-signed root, so the simulator gets past InstallCertificate.
  const std::string root = dir.file("root.pem");
  const auto made = run({"/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.file("root.key"),
                         "-out", root, "-days", "30", "-subj", "/CN=Test CSMS Root"});
  REQUIRE(made.code == 0);
  REQUIRE(csms.ctl({"station", "add", "UG201", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "UG16", "--password", kPassword}).code == 0);
  Sim v201(csms, "UG201", {"--ocpp", "2.0.1", "--password", kPassword});
  Sim v16(csms, "UG16", {"--password", kPassword});
  REQUIRE(v201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(v16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // Not lower than or equal to the stored profile.
  auto same = csms.ctl({"station", "upgrade-security", "UG201", "--to", "1"});
  CHECK(same.code != 0);

  for (const std::string id : {"UG201", "UG16"}) {
    auto answer =
        csms.ctl_json({"station", "upgrade-security", id, "--to", "2", "--root-cert", root});
    const std::string text = ocpp::to_compact_json(answer);
    INFO(id << ": " << text);
    REQUIRE(answer.HasMember("response"));
    const auto& r = answer["response"];
    CHECK(r["from"].GetInt() == 1);
    CHECK(r["to"].GetInt() == 2);
    REQUIRE(r["steps"].IsArray());
    REQUIRE(r["steps"].Size() >= 1);
    CHECK(std::string(r["steps"][0]["step"].GetString()) == "InstallCertificate");
    // Whatever the simulator answered, the answer names every step it reached
    // and, when it stopped, which one.
    CHECK(std::string(r["steps"][0]["status"].GetString()) == "Accepted");
    // The 2.0.1 simulator accepts every step (the 1.6 one does not know SecurityProfile yet).
    if (id == "UG201") CHECK(r["completed"].GetBool());
    if (!r["completed"].GetBool())
      CHECK(std::string(r["message"].GetString()).find("was not accepted") != std::string::npos);
    else
      CHECK(r["steps"].Size() == (id == "UG201" ? 5u : 2u));
  }
  // The stored profile changes only when the station reconnects on the new one.
  CHECK(csms.ctl_json({"station", "show", "UG16"})["securityProfile"].GetInt() == 1);
}

TEST_CASE("upgrade-security to 3 is refused without a valid station certificate unless forced",
          "[e2e][security][upgrade]") {
  TempDir dir;
  Csms csms(dir, {"--ocpp-tls-public-url", "wss://csms.example.com:8443/ocpp/"});
  const std::string root = dir.file("root.pem");
  const auto made = run({"/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.file("root.key"),
                         "-out", root, "-days", "30", "-subj", "/CN=Test CSMS Root"});
  REQUIRE(made.code == 0);
  REQUIRE(csms.ctl({"station", "add", "UG3", "--password", kPassword}).code == 0);
  Sim sim(csms, "UG3", {"--ocpp", "2.0.1", "--password", kPassword});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // No certificate issued by the station CA: refused, nothing sent.
  auto refused = csms.ctl({"station", "upgrade-security", "UG3", "--to", "3", "--root-cert", root});
  INFO(refused.out << refused.err);
  CHECK(refused.code != 0);
  CHECK((refused.out + refused.err).find("holds no certificate from the station CA") !=
        std::string::npos);
  CHECK(csms.ctl({"log", "UG3", "--json", "--limit", "50"}).out.find("InstallCertificate") ==
        std::string::npos);

  // --force runs the steps and says what was skipped.
  auto forced = csms.ctl_json(
      {"station", "upgrade-security", "UG3", "--to", "3", "--root-cert", root, "--force"});
  const std::string text = ocpp::to_compact_json(forced);
  INFO(text);
  REQUIRE(forced.HasMember("response"));
  CHECK(forced["response"]["to"].GetInt() == 3);
  CHECK(std::string(forced["response"]["steps"][0]["step"].GetString()) == "InstallCertificate");
  CHECK(text.find("forced: the station was not checked") != std::string::npos);
}
