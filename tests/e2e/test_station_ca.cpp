// The station CA end to end, over plain ws with ocpp-sim (1.6 and 2.0.1):
// csmsctl ca init; a triggered SignCertificate with the simulator's real CSR is
// Accepted, CertificateSigned delivers a chain the simulator installs, and
// csmsctl lists it; a CSR with the wrong CN is refused with a security event;
// the renewal sweep triggers a station whose certificate expires within the
// window; a revocation lists the serial in the CRL and closes the connection.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The serials (hex) a PEM CRL lists.
std::vector<std::string> crl_serials(const std::string& pem) {
  std::vector<std::string> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (crl == nullptr) return out;
  auto* revoked = X509_CRL_get_REVOKED(crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(
        X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i)), nullptr);
    char* h = BN_bn2hex(bn);
    out.emplace_back(h);
    OPENSSL_free(h);
    BN_free(bn);
  }
  X509_CRL_free(crl);
  return out;
}

void init_ca(const Csms& csms) {
  auto ca = csms.ctl_json({"ca", "init", "--org", "Acme"});
  REQUIRE(str(ca["subject"]).find("Acme Station CA") != std::string::npos);
  auto show = csms.ctl_json({"ca", "show"});
  CHECK(str(show["sha256"]) == str(ca["sha256"]));
  CHECK(str(show["pem"]).find("BEGIN CERTIFICATE") != std::string::npos);
}

bool has_event(const Csms& csms, const std::string& station, const std::string& type) {
  return csms.ctl({"events", "--station", station, "--json"}).out.find("\"" + type + "\"") !=
         std::string::npos;
}

}  // namespace

TEST_CASE("a 2.0.1 station gets its CSR signed, installs the chain and is listed",
          "[e2e][station-ca]") {
  TempDir dir;
  Csms csms(dir);
  init_ca(csms);
  CHECK(std::filesystem::exists(std::filesystem::path(csms.db_path()).parent_path() / "ca" /
                                "crl.pem"));
  REQUIRE(csms.ctl({"station", "add", "CS-CA1"}).code == 0);
  Sim sim(csms, "CS-CA1", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto trigger = csms.ctl_json({"cmd", "CS-CA1", "trigger", "SignChargingStationCertificate"});
  CHECK(str(trigger["response"]["status"]) == "Accepted");
  auto answered = sim.wait_event("sign_certificate", 10s);
  REQUIRE(answered);
  CHECK(str((*answered)["status"]) == "Accepted");
  REQUIRE(sim.wait_event("certificate_signed", 10s,
                         {{"certificateType", "\"ChargingStationCertificate\""}}));

  rapidjson::Document certs;
  REQUIRE(eventually([&] {
    certs = csms.ctl_json({"station", "certificates", "CS-CA1"});
    return certs.IsArray() && certs.Size() == 1 && str(certs[0]["delivery"]) == "Accepted";
  }));
  CHECK(str(certs[0]["subject"]).find("CN = CS-CA1") != std::string::npos);
  CHECK(str(certs[0]["how"]) == "built-in");
  CHECK(str(certs[0]["serial"]).size() == 32);
  CHECK_FALSE(certs[0]["revoked"].GetBool());
  CHECK(csms.ctl({"station", "certificates", "CS-CA1"}).out.find(str(certs[0]["serial"])) !=
        std::string::npos);
  CHECK(csms.ctl_json({"station", "certificates", "CS-CA1", "--expired"}).Size() == 0);
}

TEST_CASE("a 1.6 station's certificate is signed, then revoked into the CRL and disconnected",
          "[e2e][station-ca]") {
  TempDir dir;
  Csms csms(dir);
  init_ca(csms);
  REQUIRE(csms.ctl({"station", "add", "CP-CA2"}).code == 0);
  Sim sim(csms, "CP-CA2");
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto trigger = csms.ctl_json({"cmd", "CP-CA2", "trigger", "SignChargePointCertificate"});
  CHECK(str(trigger["action"]) == "ExtendedTriggerMessage");
  auto answered = sim.wait_event("sign_certificate", 10s);
  REQUIRE(answered);
  CHECK(str((*answered)["status"]) == "Accepted");
  REQUIRE(sim.wait_event("certificate_signed", 10s));
  rapidjson::Document certs;
  REQUIRE(eventually([&] {
    certs = csms.ctl_json({"station", "certificates", "CP-CA2"});
    return certs.IsArray() && certs.Size() == 1;
  }));
  const std::string serial = str(certs[0]["serial"]);

  auto unknown = csms.ctl({"station", "revoke-certificate", "CP-CA2", "ABCDEF"});
  CHECK(unknown.code != 0);
  auto revoked = csms.ctl_json(
      {"station", "revoke-certificate", "CP-CA2", serial, "--reason", "keyCompromise"});
  CHECK(revoked["revoked"].GetBool());
  REQUIRE(sim.wait_event("disconnected", 10s));
  const auto crl = std::filesystem::path(csms.db_path()).parent_path() / "ca" / "crl.pem";
  CHECK(crl_serials(slurp(crl)) == std::vector<std::string>{serial});
  auto after = csms.ctl_json({"station", "certificates", "CP-CA2"});
  CHECK(after[0]["revoked"].GetBool());
  CHECK(str(after[0]["revocationReason"]) == "keyCompromise");
  CHECK(has_event(csms, "CP-CA2", "CertificateRevoked"));
}

TEST_CASE("a CSR whose CN is not what the CSMS expects is refused with a security event",
          "[e2e][station-ca]") {
  TempDir dir;
  // CN must be the serial number; the simulator puts its identity there.
  Csms csms(dir, {"--station-cert-cn", "serial"});
  init_ca(csms);
  REQUIRE(csms.ctl({"station", "add", "CS-CA3"}).code == 0);
  Sim sim(csms, "CS-CA3", {"--ocpp", "2.0.1", "--serial", "SN-0003"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  csms.ctl_json({"cmd", "CS-CA3", "trigger", "SignChargingStationCertificate"});
  auto answered = sim.wait_event("sign_certificate", 10s);
  REQUIRE(answered);
  CHECK(str((*answered)["status"]) == "Rejected");
  REQUIRE(eventually([&] { return has_event(csms, "CS-CA3", "InvalidCsr"); }));
  CHECK(csms.ctl({"events", "--station", "CS-CA3", "--json"}).out.find("expected 'SN-0003'") !=
        std::string::npos);
  CHECK(csms.ctl_json({"station", "certificates", "CS-CA3"}).Size() == 0);
  CHECK(sim.events("certificate_signed").empty());
}

TEST_CASE("the renewal sweep triggers a station whose certificate expires within the window",
          "[e2e][station-ca]") {
  TempDir dir;
  Csms csms(dir, {"--ca-cert-validity-days", "1", "--ca-renew-before-days", "30"});
  init_ca(csms);
  REQUIRE(csms.ctl({"station", "add", "CS-CA4"}).code == 0);
  Sim sim(csms, "CS-CA4", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  csms.ctl_json({"cmd", "CS-CA4", "trigger", "SignChargingStationCertificate"});
  REQUIRE(sim.wait_event("certificate_signed", 10s));
  // The sweep after the delivery finds it within the window and triggers a
  // renewal: a second SignCertificate and a second certificate.
  REQUIRE(eventually([&] { return sim.events("sign_certificate").size() >= 2; }, 15s));
  REQUIRE(eventually([&] {
    return csms.ctl_json({"station", "certificates", "CS-CA4"}).Size() >= 2;
  }));
  // At most once a day: no third request.
  CHECK(sim.events("sign_certificate").size() == 2);
}
