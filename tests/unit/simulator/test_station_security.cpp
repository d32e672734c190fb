// The station's side of security: password rotation (1.6 AuthorizationKey,
// 2.0.1 BasicAuthPassword), the client certificate from CertificateSigned
// (matched against the CSR's key), installed CSMS roots, and the
// security-profile upgrade with its fall-back (1.6 SecurityProfile, 2.0.1
// SetNetworkProfile + NetworkConfigurationPriority + Reset).
#include <catch2/catch.hpp>

#include "support.hpp"
#include "test_pki.hpp"
#include "test_v201_support.hpp"

using namespace simtest;
using simulator::Duration;

namespace {

std::string status_of(const Sent& answer) {
  if (answer.type == 4) return "CALLERROR " + answer.code;
  const auto& p = answer.payload();
  if (!p.IsObject() || !p.HasMember("status") || !p["status"].IsString()) return "no status";
  return p["status"].GetString();
}

Rig201& booted(Rig201& rig) {
  rig.responses["NotifyEvent"] = [](const Sent&) { return std::string("{}"); };
  rig.boot();
  return rig;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// A 1.6 station whose CSR (sent on an ExtendedTriggerMessage) was signed by `ca`.
std::string signed_csr_v16(Rig& rig, const TestCa& ca) {
  rig.responses["SignCertificate"] = [](const Sent&) {
    return std::string(R"({"status":"Accepted"})");
  };
  CHECK(status_of(rig.csms_call("ExtendedTriggerMessage",
                                R"({"requestedMessage":"SignChargePointCertificate"})")) ==
        "Accepted");
  rig.advance(Duration(1000));
  auto csrs = rig.calls("SignCertificate");
  REQUIRE(csrs.size() == 1);
  return ca.sign_csr(csrs[0].str("csr"));
}

}  // namespace

TEST_CASE("v16 AuthorizationKey: 16-20 hex bytes become the next connection's password",
          "[security]") {
  Rig rig(1, [](simulator::StationSettings& s) {
    s.password = "old-password-0000";
    s.security_profile = 1;
  });
  rig.boot();
  auto change = [&](const std::string& v) {
    return status_of(
        rig.csms_call("ChangeConfiguration", R"({"key":"AuthorizationKey","value":")" + v + "\"}"));
  };
  CHECK(change("0123456789abcdef0123456789abcde") == "Rejected");             // odd length
  CHECK(change("0123456789abcdef0123456789abcd") == "Rejected");              // 15 bytes
  CHECK(change("0123456789abcdef0123456789abcdef0123456789") == "Rejected");  // 21 bytes
  CHECK(change("0123456789abcdefXX23456789abcdef") == "Rejected");            // not hex
  CHECK_FALSE(rig.link.password);
  // "sixteen-bytes-ok" in hex, upper and lower case: the decoded bytes are the password.
  CHECK(change("7369787465656E2D62797465732d6f6b") == "Accepted");
  CHECK(rig.link.password == std::optional<std::string>("sixteen-bytes-ok"));
  CHECK(rig.events.count("password_changed") == 1);
  CHECK(rig.link.is_up());  // used from the next connection, not by dropping this one
  // Never readable back.
  auto config = rig.csms_call("GetConfiguration", R"({"key":["AuthorizationKey"]})");
  CHECK(config.payload()["unknownKey"].Size() == 1);
}

TEST_CASE("v16 AuthorizationKey is Rejected by the rejects-password quirk", "[security]") {
  Rig rig(1, [](simulator::StationSettings& s) {
    s.password = "old-password-0000";
    s.quirks.rejects_password = true;
  });
  rig.boot();
  CHECK(status_of(rig.csms_call(
            "ChangeConfiguration",
            R"({"key":"AuthorizationKey","value":"0123456789abcdef0123456789abcdef"})")) ==
        "Rejected");
  CHECK(rig.link.password == std::nullopt);  // the link was never told anything new
}

TEST_CASE("v201 BasicAuthPassword: 16-40 characters, used from the next connection", "[security]") {
  Rig201 rig;
  booted(rig);
  auto set = [&](const std::string& v) {
    auto answer = rig.csms_call(
        "SetVariables",
        R"({"setVariableData":[{"component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"},"attributeValue":")" +
            v + "\"}]}");
    return text_at(answer.payload()["setVariableResult"][0]["attributeStatus"]);
  };
  CHECK(set("fifteen-chars-x") == "Rejected");
  CHECK(set(std::string(41, 'a')) == "Rejected");
  CHECK_FALSE(rig.link.password);
  CHECK(set("sixteen-chars-xx") == "Accepted");
  CHECK(rig.link.password == std::optional<std::string>("sixteen-chars-xx"));
  CHECK(rig.events.count("password_changed") == 1);
  auto read = rig.csms_call(
      "GetVariables",
      R"({"getVariableData":[{"component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"}}]})");
  CHECK(text_at(read.payload()["getVariableResult"][0]["attributeStatus"]) == "Rejected");
}

TEST_CASE("v201 BasicAuthPassword is Rejected by the rejects-password quirk", "[security]") {
  Rig201 rig(1, [](simulator::StationSettings& s) { s.quirks.rejects_password = true; });
  booted(rig);
  auto answer = rig.csms_call(
      "SetVariables",
      R"({"setVariableData":[{"component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"},"attributeValue":"sixteen-chars-xx"}]})");
  CHECK(text_at(answer.payload()["setVariableResult"][0]["attributeStatus"]) == "Rejected");
  CHECK_FALSE(rig.link.password);
}

TEST_CASE("v16 CertificateSigned: the chain for the CSR's key is installed, another is Rejected",
          "[security]") {
  TestCa ca;
  SECTION("profile 3: installed as the client certificate and reconnected with") {
    Rig rig(1, [](simulator::StationSettings& s) { s.security_profile = 3; });
    rig.boot();
    const std::string chain = signed_csr_v16(rig, ca);
    const auto before = rig.link.offline_requests.size();
    CHECK(status_of(rig.csms_call("CertificateSigned",
                                  "{\"certificateChain\":" + json_string(chain) + "}")) ==
          "Accepted");
    CHECK(rig.link.cert_pem == chain);
    CHECK(rig.link.key_pem_.find("PRIVATE KEY") != std::string::npos);
    CHECK(rig.link.offline_requests.size() == before + 1);  // reconnects promptly
    CHECK(rig.events.count("certificate_signed") == 1);
  }
  SECTION("profile 2: kept for later, no reconnect") {
    Rig rig(1, [](simulator::StationSettings& s) {
      s.security_profile = 2;
      s.password = "sixteen-chars-xx";
    });
    rig.boot();
    const std::string chain = signed_csr_v16(rig, ca);
    CHECK(status_of(rig.csms_call("CertificateSigned",
                                  "{\"certificateChain\":" + json_string(chain) + "}")) ==
          "Accepted");
    CHECK(rig.link.cert_pem.empty());
    CHECK(rig.link.offline_requests.empty());
  }
  SECTION("a certificate for another key") {
    Rig rig(1, [](simulator::StationSettings& s) { s.security_profile = 3; });
    rig.boot();
    signed_csr_v16(rig, ca);
    const auto other = ca.issue("CP1");
    CHECK(status_of(rig.csms_call("CertificateSigned",
                                  "{\"certificateChain\":" + json_string(other.cert_pem) + "}")) ==
          "Rejected");
    CHECK(rig.link.cert_pem.empty());
    CHECK(rig.events.count("certificate_signed") == 0);
  }
}

TEST_CASE(
    "v201 CertificateSigned for the station's CSR is installed and reconnects under "
    "profile 3",
    "[security]") {
  TestCa ca;
  Rig201 rig(1, [](simulator::StationSettings& s) { s.security_profile = 3; });
  booted(rig);
  rig.responses["SignCertificate"] = [](const Sent&) {
    return std::string(R"({"status":"Accepted"})");
  };
  CHECK(status_of(rig.csms_call("TriggerMessage",
                                R"({"requestedMessage":"SignChargingStationCertificate"})")) ==
        "Accepted");
  rig.advance(Duration(1000));
  auto csrs = rig.calls("SignCertificate");
  REQUIRE(csrs.size() == 1);
  const std::string chain = ca.sign_csr(csrs[0].str("csr"));
  const std::string unrelated = ca.issue("CS1").cert_pem;
  CHECK(status_of(rig.csms_call("CertificateSigned",
                                "{\"certificateChain\":" + json_string(unrelated) +
                                    ",\"certificateType\":\"ChargingStationCertificate\"}")) ==
        "Rejected");
  CHECK(rig.link.offline_requests.empty());
  CHECK(status_of(rig.csms_call("CertificateSigned",
                                "{\"certificateChain\":" + json_string(chain) +
                                    ",\"certificateType\":\"ChargingStationCertificate\"}")) ==
        "Accepted");
  CHECK(rig.link.cert_pem == chain);
  CHECK(rig.link.offline_requests.size() == 1);
}

TEST_CASE("v16 InstallCertificate CentralSystemRootCertificate verifies the CSMS from then on",
          "[security]") {
  TestCa ca;
  Rig rig;
  rig.boot();
  CHECK(status_of(
            rig.csms_call("InstallCertificate",
                          R"({"certificateType":"CentralSystemRootCertificate","certificate":)" +
                              json_string(ca.cert_pem()) + "}")) == "Accepted");
  CHECK(rig.link.roots_pem == ca.cert_pem());
}

TEST_CASE(
    "v16 SecurityProfile: an upgrade reconnects to --tls-url, a downgrade is Rejected, "
    "a failing upgrade falls back",
    "[security]") {
  Rig rig(1, [](simulator::StationSettings& s) {
    s.security_profile = 1;
    s.password = "sixteen-chars-xx";
    s.tls_url = "wss://csms.test:8443/ocpp";
  });
  rig.boot();
  auto change = [&](const std::string& v) {
    return status_of(
        rig.csms_call("ChangeConfiguration", R"({"key":"SecurityProfile","value":")" + v + "\"}"));
  };
  CHECK(change("0") == "Rejected");
  CHECK(change("3") == "Rejected");  // no client certificate yet
  CHECK(change("x") == "Rejected");
  CHECK(rig.link.offline_requests.empty());
  CHECK(change("2") == "Accepted");
  CHECK(rig.link.url() == "wss://csms.test:8443/ocpp");
  CHECK(rig.link.password == std::optional<std::string>("sixteen-chars-xx"));
  REQUIRE(rig.link.offline_requests.size() == 1);

  SECTION("the new endpoint connects: the profile is the station's") {
    rig.link.connect();
    auto changed = rig.events.last("security_profile");
    REQUIRE(changed);
    CHECK(*changed->raw("profile") == "2");
    auto config = rig.csms_call("GetConfiguration", R"({"key":["SecurityProfile"]})");
    CHECK(text_at(config.payload()["configurationKey"][0]["value"]) == "2");
    CHECK(change("1") == "Rejected");  // never lower
  }
  SECTION("the new endpoint keeps failing: back to the old one") {
    for (int i = 0; i < 3; ++i) rig.link.fail({0, "TLS handshake failed", false, true});
    CHECK(rig.link.url() == "ws://csms.test/ocpp");
    CHECK(rig.events.count("network_fallback") == 1);
    CHECK(rig.events.count("tls_error") == 3);
    rig.link.connect();
    CHECK(change("1") == "Accepted");  // still profile 1
  }
}

TEST_CASE(
    "v201 SetNetworkProfile + NetworkConfigurationPriority + Reset moves to the new "
    "slot, with fall-back",
    "[security]") {
  Rig201 rig(1, [](simulator::StationSettings& s) {
    s.security_profile = 1;
    s.password = "sixteen-chars-xx";
  });
  booted(rig);
  auto profile = [](int slot, int security, const std::string& url) {
    return R"({"configurationSlot":)" + std::to_string(slot) +
           R"(,"connectionData":{"ocppVersion":"OCPP20","ocppTransport":"JSON","ocppCsmsUrl":")" +
           url + R"(","messageTimeout":30,"securityProfile":)" + std::to_string(security) +
           R"(,"ocppInterface":"Wired0"}})";
  };
  CHECK(status_of(rig.csms_call("SetNetworkProfile", profile(2, 2, "ws://csms.test/ocpp"))) ==
        "Rejected");  // profile 2 needs wss://
  CHECK(status_of(rig.csms_call("SetNetworkProfile", profile(2, 4, "wss://csms.test/ocpp"))) ==
        "Rejected");
  CHECK(status_of(rig.csms_call("SetNetworkProfile", profile(2, 2, "wss://csms.test:8443/ocpp"))) ==
        "Accepted");
  auto set = rig.csms_call(
      "SetVariables",
      R"({"setVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"NetworkConfigurationPriority"},"attributeValue":"2,1"}]})");
  CHECK(text_at(set.payload()["setVariableResult"][0]["attributeStatus"]) == "Accepted");
  CHECK(rig.link.url() == "ws://csms.test/ocpp");  // not before the reset
  CHECK(status_of(rig.csms_call("Reset", R"({"type":"Immediate"})")) == "Accepted");
  rig.advance(Duration(15000));
  CHECK(rig.link.url() == "wss://csms.test:8443/ocpp");
  CHECK(rig.events.count("network_profile_selected") == 1);

  auto security_profile = [&] {
    auto read = rig.csms_call(
        "GetVariables",
        R"({"getVariableData":[{"component":{"name":"SecurityCtrlr"},"variable":{"name":"SecurityProfile"}}]})");
    return text_at(read.payload()["getVariableResult"][0]["attributeValue"]);
  };
  SECTION("it connects") {
    rig.link.connect();
    rig.answer();
    CHECK(security_profile() == "2");
    CHECK(status_of(rig.csms_call("SetNetworkProfile", profile(1, 1, "ws://csms.test/ocpp"))) ==
          "Rejected");
  }
  SECTION("it never connects") {
    for (int i = 0; i < 3; ++i) rig.link.fail({401, "the CSMS answered HTTP 401", true, false});
    CHECK(rig.link.url() == "ws://csms.test/ocpp");
    CHECK(rig.events.count("network_fallback") == 1);
    rig.link.connect();
    rig.answer();
    CHECK(security_profile() == "1");
  }
}
