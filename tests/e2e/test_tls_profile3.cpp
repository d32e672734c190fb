// Security profile 3 end to end: the station CA (csmsctl ca init) signs the
// simulator's CSR over ws://, an upgrade moves the station to wss:// with that
// client certificate and it is accepted; a certificate for another CN is
// refused with a security event; a revoked certificate is refused by the CRL.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support/harness.hpp"
#include "support/tls_client.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// How many security events of `type` the station has.
std::size_t count_events(const Csms& csms, const std::string& station, const std::string& type) {
  const auto out = csms.ctl({"events", "--station", station, "--json"}).out;
  std::size_t n = 0;
  for (auto at = out.find("\"" + type + "\""); at != std::string::npos;
       at = out.find("\"" + type + "\"", at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("a profile-3 station connects with its CA-issued certificate until it is revoked",
          "[e2e][tls][profile3]") {
  TempDir dir;
  TestPki pki(dir);  // The server's certificate (and its CA, which csmsctl/sim trust).
  const auto ca_dir = std::filesystem::path(dir.path()) / "ca";
  const std::string password = "a-long-password-p3";
  {
    // The station CA must exist before the wss:// listener loads it as client CA.
    Csms first(dir);
    REQUIRE(first.ctl({"ca", "init", "--org", "Acme"}).code == 0);
    REQUIRE(first.ctl({"station", "add", "CP-P3", "--password", password}).code == 0);
    REQUIRE(first.stop() == 0);
  }
  Csms csms(dir, {"--ocpp-tls-port", "0", "--tls-cert", pki.server_pem, "--tls-key", pki.server_key,
                  "--tls-client-ca", (ca_dir / "ca.pem").string(), "--tls-crl",
                  (ca_dir / "crl.pem").string()});
  const std::string wss = "wss://127.0.0.1:" + std::to_string(csms.ocpp_tls_port()) + "/ocpp";
  Sim sim(csms, "CP-P3",
          {"--password", password, "--tls-url", wss, "--ca-file", pki.ca_pem, "--reconnect-min-ms",
           "200", "--reconnect-max-ms", "500"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // The simulator's CSR is signed and the chain installed.
  csms.ctl_json({"cmd", "CP-P3", "trigger", "SignChargePointCertificate"});
  REQUIRE(sim.wait_event("certificate_signed", 10s));
  rapidjson::Document certs;
  REQUIRE(eventually([&] {
    certs = csms.ctl_json({"station", "certificates", "CP-P3"});
    return certs.IsArray() && certs.Size() == 1 && str(certs[0]["delivery"]) == "Accepted";
  }));
  const std::string serial = str(certs[0]["serial"]);

  // Upgrade to profile 3 (1.6 ChangeConfiguration SecurityProfile; the wss://
  // URL is the simulator's --tls-url, as the listener's port is ephemeral): the
  // station reconnects to wss:// with the certificate.
  auto upgrade =
      csms.ctl({"cmd", "CP-P3", "set-config", "--key", "SecurityProfile", "--value", "3"});
  INFO(upgrade.out << upgrade.err);
  REQUIRE(upgrade.code == 0);
  REQUIRE(sim.wait_event("security_profile", 20s, {{"profile", "3"}}));
  REQUIRE(eventually([&] {
    auto show = csms.ctl_json({"station", "show", "CP-P3"});
    return show["securityProfile"].GetInt() == 3;
  }));
  CHECK(count_events(csms, "CP-P3", "SecurityProfileRaised") == 1);

  // A certificate from the same CA for another CN does not open CP-P3.
  pki.sh(
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key "
      "-subj '/CN=CP-OTHER' -out other.csr 2>/dev/null && openssl x509 -req -in other.csr -CA " +
      (ca_dir / "ca.pem").string() + " -CAkey " + (ca_dir / "ca.key").string() +
      " -CAcreateserial -days 2 -out other.pem 2>/dev/null");
  const std::size_t invalid_before = count_events(csms, "CP-P3", "InvalidClientCertificate");
  TlsClientOptions other;
  other.ca_file = pki.ca_pem;
  other.cert_file = pki.dir + "/other.pem";
  other.key_file = pki.dir + "/other.key";
  TlsWsClient wrong(csms.ocpp_tls_port(), "/ocpp/CP-P3", other);
  INFO(wrong.tls_error());
  REQUIRE(wrong.tls_ok());
  CHECK(wrong.status() == 401);
  REQUIRE(eventually(
      [&] { return count_events(csms, "CP-P3", "InvalidClientCertificate") > invalid_before; }));

  // Revoked: the connection closes and the reconnect with that certificate is
  // refused by the CRL.
  const std::size_t invalid_mid = count_events(csms, "CP-P3", "InvalidClientCertificate");
  auto revoked = csms.ctl_json(
      {"station", "revoke-certificate", "CP-P3", serial, "--reason", "keyCompromise"});
  CHECK(revoked["revoked"].GetBool());
  REQUIRE(sim.wait_event("disconnected", 10s));
  REQUIRE(eventually(
      [&] { return count_events(csms, "CP-P3", "InvalidClientCertificate") > invalid_mid; }, 20s));
  CHECK(csms.ctl({"events", "--station", "CP-P3", "--json"}).out.find("certificate revoked") !=
        std::string::npos);
  auto show = csms.ctl_json({"station", "show", "CP-P3"});
  CHECK_FALSE(show["connected"].GetBool());
}
