// Certificate management end to end, OCPP 2.0.1 and the 1.6 Security
// Whitepaper: csmsctl installs a CA certificate on ocpp-sim, lists it by the
// hash data the station computes (checked here against OpenSSL), deletes it;
// cert-signed delivers a chain; a triggered SignCertificate reaches the CSMS
// and is answered; bad input is refused before anything is sent.
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <memory>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::string hex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}

std::string sha256(const unsigned char* data, std::size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr) == 1);
  return hex(md, len);
}

/// A test certificate and what OCPP calls its hash data.
struct TestCert {
  std::string pem;
  std::string issuer_name_hash;
  std::string issuer_key_hash;
  std::string serial;  // hex, no leading zeros
};

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(key);
  return key;
}

// Issued by `issuer` (its key `issuer_key`), or self-signed when null.
Cert make_cert(const std::string& cn, long serial, EVP_PKEY* key, X509* issuer,
               EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  REQUIRE(cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 365);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  REQUIRE(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0);
  return cert;
}

std::string pem_of(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

TestCert describe(X509* cert, X509* issuer) {
  TestCert t;
  t.pem = pem_of(cert);
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_issuer_name(cert), &der);
  t.issuer_name_hash = sha256(der, static_cast<std::size_t>(len));
  OPENSSL_free(der);
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(issuer);
  t.issuer_key_hash = sha256(key->data, static_cast<std::size_t>(key->length));
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* text = BN_bn2hex(bn);
  t.serial = text;
  OPENSSL_free(text);
  BN_free(bn);
  for (char& c : t.serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

TestCert self_signed(const std::string& cn, long serial) {
  Key key = new_key();
  Cert cert = make_cert(cn, serial, key.get(), nullptr, nullptr);
  return describe(cert.get(), cert.get());
}

// A leaf signed by a fresh CA, as PEM leaf first.
std::string chain_pem(const std::string& leaf_cn) {
  Key ca_key = new_key();
  Cert ca = make_cert("Test CA", 1, ca_key.get(), nullptr, nullptr);
  Key leaf_key = new_key();
  Cert leaf = make_cert(leaf_cn, 2, leaf_key.get(), ca.get(), ca_key.get());
  return pem_of(leaf.get()) + pem_of(ca.get());
}

bool logged(const Csms& csms, const std::string& station, const std::string& text) {
  return csms.ctl({"log", station, "--json"}).out.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a CA certificate is installed, listed by its hash data and deleted on 2.0.1",
          "[e2e][certificates]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-K1"}).code == 0);
  Sim sim(csms, "CS-K1", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  const TestCert ca = self_signed("CSMS Root", 0x1234AB);
  const std::string file = write_file(dir, "ca.pem", ca.pem);

  auto install = csms.ctl_json(
      {"cmd", "CS-K1", "cert-install", "--type", "CSMSRootCertificate", "--file", file});
  CHECK(str(install["action"]) == "InstallCertificate");
  CHECK(str(install["response"]["status"]) == "Accepted");

  auto list = csms.ctl_json({"cmd", "CS-K1", "cert-list"});
  CHECK(str(list["action"]) == "GetInstalledCertificateIds");
  CHECK(str(list["response"]["status"]) == "Accepted");
  REQUIRE(list["response"]["certificateHashDataChain"].Size() == 1);
  const auto& chain = list["response"]["certificateHashDataChain"][0];
  CHECK(str(chain["certificateType"]) == "CSMSRootCertificate");
  const auto& hash = chain["certificateHashData"];
  CHECK(str(hash["hashAlgorithm"]) == "SHA256");
  CHECK(str(hash["issuerNameHash"]) == ca.issuer_name_hash);
  CHECK(str(hash["issuerKeyHash"]) == ca.issuer_key_hash);
  CHECK(str(hash["serialNumber"]) == "1234ab");
  // Per type: none of another.
  auto other = csms.ctl_json({"cmd", "CS-K1", "cert-list", "MORootCertificate"});
  CHECK(str(other["response"]["status"]) == "NotFound");

  const std::vector<std::string> id = {"--issuer-name-hash", ca.issuer_name_hash,
                                       "--issuer-key-hash",  ca.issuer_key_hash,
                                       "--serial",           ca.serial};
  std::vector<std::string> del = {"cmd", "CS-K1", "cert-delete", "--hash-algorithm", "SHA256"};
  del.insert(del.end(), id.begin(), id.end());
  auto deleted = csms.ctl_json(del);
  CHECK(str(deleted["action"]) == "DeleteCertificate");
  CHECK(str(deleted["response"]["status"]) == "Accepted");
  CHECK(str(csms.ctl_json({"cmd", "CS-K1", "cert-list"})["response"]["status"]) == "NotFound");
  CHECK(str(csms.ctl_json(del)["response"]["status"]) == "NotFound");
}

TEST_CASE("a CA certificate is installed, listed by its hash data and deleted on 1.6",
          "[e2e][certificates]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP-K2"}).code == 0);
  Sim sim(csms, "CP-K2");
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  const TestCert ca = self_signed("Central System Root", 77);

  // The 2.0.1 name of the type is refused with the 1.6 one named.
  auto wrong = csms.ctl(
      {"cmd", "CP-K2", "cert-install", "--type", "CSMSRootCertificate", "--certificate", ca.pem});
  CHECK(wrong.code != 0);
  CHECK(wrong.err.find("CentralSystemRootCertificate") != std::string::npos);

  auto install = csms.ctl_json({"cmd", "CP-K2", "cert-install", "--type",
                                "CentralSystemRootCertificate", "--certificate", ca.pem});
  CHECK(str(install["response"]["status"]) == "Accepted");
  auto list = csms.ctl_json({"cmd", "CP-K2", "cert-list", "CentralSystemRootCertificate"});
  CHECK(str(list["response"]["status"]) == "Accepted");
  REQUIRE(list["response"]["certificateHashData"].Size() == 1);
  const auto& hash = list["response"]["certificateHashData"][0];
  CHECK(str(hash["issuerNameHash"]) == ca.issuer_name_hash);
  CHECK(str(hash["issuerKeyHash"]) == ca.issuer_key_hash);
  CHECK(str(hash["serialNumber"]) == "4d");
  auto manufacturer =
      csms.ctl_json({"cmd", "CP-K2", "cert-list", "--type", "ManufacturerRootCertificate"});
  CHECK(str(manufacturer["response"]["status"]) == "NotFound");

  auto deleted =
      csms.ctl_json({"cmd", "CP-K2", "cert-delete", "--issuer-name-hash", ca.issuer_name_hash,
                     "--issuer-key-hash", ca.issuer_key_hash, "--serial", ca.serial});
  CHECK(str(deleted["response"]["status"]) == "Accepted");
  auto after = csms.ctl_json({"cmd", "CP-K2", "cert-list", "CentralSystemRootCertificate"});
  CHECK(str(after["response"]["status"]) == "NotFound");

  // CertificateSigned on 1.6: a chain that does not carry the key of the
  // station's CSR (it sent none) is not its certificate.
  const std::string chain = write_file(dir, "chain.pem", chain_pem("CP-K2"));
  auto signed_ = csms.ctl_json({"cmd", "CP-K2", "cert-signed", "--file", chain});
  CHECK(str(signed_["action"]) == "CertificateSigned");
  CHECK(str(signed_["response"]["status"]) == "Rejected");

  // ExtendedTriggerMessage SignChargePointCertificate: a real CSR, answered Rejected (no CA).
  auto trigger = csms.ctl_json({"cmd", "CP-K2", "trigger", "SignChargePointCertificate"});
  CHECK(str(trigger["action"]) == "ExtendedTriggerMessage");
  CHECK(str(trigger["response"]["status"]) == "Accepted");
  auto answered = sim.wait_event("sign_certificate", 10s);
  REQUIRE(answered);
  CHECK(str((*answered)["status"]) == "Rejected");
  CHECK(logged(csms, "CP-K2", "BEGIN CERTIFICATE REQUEST"));
}

TEST_CASE("cert-signed delivers a chain and a triggered SignCertificate is answered on 2.0.1",
          "[e2e][certificates]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-K3"}).code == 0);
  Sim sim(csms, "CS-K3", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  const std::string chain = write_file(dir, "chain.pem", chain_pem("CS-K3"));
  auto signed_ = csms.ctl_json(
      {"cmd", "CS-K3", "cert-signed", "--file", chain, "--type", "ChargingStationCertificate"});
  CHECK(str(signed_["action"]) == "CertificateSigned");
  // Not the key of a CSR of the station's: Rejected (the simulator matches keys).
  CHECK(str(signed_["response"]["status"]) == "Rejected");

  // The station sends a real CSR; without a CA the CSMS says so (Rejected).
  auto trigger = csms.ctl_json({"cmd", "CS-K3", "trigger", "SignChargingStationCertificate"});
  CHECK(str(trigger["response"]["status"]) == "Accepted");
  auto answered = sim.wait_event("sign_certificate", 10s,
                                 {{"certificateType", "\"ChargingStationCertificate\""}});
  REQUIRE(answered);
  CHECK(str((*answered)["status"]) == "Rejected");
  CHECK(str((*answered)["reasonCode"]) == "NoCertificateService");
  CHECK(logged(csms, "CS-K3", "BEGIN CERTIFICATE REQUEST"));

  auto v2g = csms.ctl_json({"cmd", "CS-K3", "trigger", "SignV2GCertificate"});
  CHECK(str(v2g["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("sign_certificate", 10s, {{"certificateType", "\"V2GCertificate\""}}));
}

TEST_CASE("certificate commands refuse bad input before anything is sent", "[e2e][certificates]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-K4"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "CP-K4"}).code == 0);
  Sim sim201(csms, "CS-K4", {"--ocpp", "2.0.1"});
  Sim sim16(csms, "CP-K4");
  REQUIRE(sim201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(sim16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  const TestCert ca = self_signed("Root", 5);

  auto refused = [&](const std::string& station, std::vector<std::string> args,
                     const std::string& expected) {
    args.insert(args.begin(), {"cmd", station});
    auto r = csms.ctl(args);
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(expected) != std::string::npos);
  };
  refused("CS-K4", {"cert-install", "--type", "CSMSRootCertificate", "--certificate", "hello"},
          "PEM");
  std::string broken = ca.pem;
  broken[40] = broken[40] == 'A' ? 'B' : 'A';  // base64 still, DER no longer
  broken.insert(60, "!!");
  refused("CS-K4", {"cert-install", "--type", "CSMSRootCertificate", "--certificate", broken},
          "not a valid");
  refused("CS-K4",
          {"cert-install", "--type", "CSMSRootCertificate", "--certificate", ca.pem + ca.pem},
          "exactly one");
  refused("CS-K4", {"cert-install", "--type", "RootOfAllTrust", "--certificate", ca.pem},
          "CSMSRootCertificate");
  refused("CS-K4", {"cert-install", "--type", "CSMSRootCertificate"}, "--file");
  refused("CS-K4", {"cert-list", "AnyCertificate"}, "V2GRootCertificate");
  refused("CS-K4",
          {"cert-delete", "--issuer-name-hash", "xyz", "--issuer-key-hash", "ab", "--serial", "01"},
          "hexadecimal");
  refused("CS-K4", {"cert-delete", "--issuer-name-hash", "ab", "--issuer-key-hash", "ab"},
          "serial");
  refused("CS-K4", {"cert-signed", "--certificate-chain", "garbage"}, "PEM");
  refused("CS-K4", {"cert-signed", "--file", (dir.path() / "missing.pem").string()}, "cannot read");
  refused("CP-K4", {"cert-list"}, "CentralSystemRootCertificate");
  refused("CP-K4", {"cert-signed", "--type", "V2GCertificate", "--certificate-chain", ca.pem},
          "'type'");
  CHECK_FALSE(logged(csms, "CS-K4", "InstallCertificate"));
  CHECK_FALSE(logged(csms, "CS-K4", "DeleteCertificate"));
  CHECK_FALSE(logged(csms, "CS-K4", "CertificateSigned"));
  CHECK_FALSE(logged(csms, "CP-K4", "GetInstalledCertificateIds"));
}
