// The station CA (security/ca.hpp): creating and loading it, checking CSRs,
// signing, the lab server certificate, the CRL and the external signer.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "security/ca.hpp"
#include "services/ca_service.hpp"

namespace fs = std::filesystem;
using csms::security::CaError;
using csms::security::CertificateAuthority;
using csms::security::check_csr;
using csms::security::CsrRules;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("csms-ca-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

EVP_PKEY* make_key(const std::string& kind) {
  if (kind == "P-256" || kind == "P-384" || kind == "P-521") return EVP_EC_gen(kind.c_str());
  if (kind == "RSA-1024") return EVP_RSA_gen(1024);
  if (kind == "RSA-2048") return EVP_RSA_gen(2048);
  return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
}

// A PEM CSR with this subject, signed by `signer` (its own key unless given).
std::string make_csr(EVP_PKEY* key, const std::string& cn, const std::string& org,
                     EVP_PKEY* signer = nullptr) {
  X509_REQ* req = X509_REQ_new();
  X509_NAME* name = X509_REQ_get_subject_name(req);
  if (!org.empty())
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req, key);
  const bool ed = EVP_PKEY_get_base_id(signer ? signer : key) == EVP_PKEY_ED25519;
  X509_REQ_sign(req, signer ? signer : key, ed ? nullptr : EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, req);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  X509_REQ_free(req);
  return out;
}

struct Key {
  EVP_PKEY* k;
  explicit Key(const std::string& kind) : k(make_key(kind)) {}
  ~Key() { EVP_PKEY_free(k); }
};

CsrRules rules(const std::string& cn, const std::string& org = "") {
  CsrRules r;
  r.expected_cn = cn;
  r.organization = org;
  return r;
}

std::unique_ptr<X509, decltype(&X509_free)> parse_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return {c, X509_free};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a new CA is an EC P-256 self-signed CA with a private key file of mode 0600", "[ca]") {
  TempDir dir;
  const auto cert = (dir.path / "ca" / "ca.pem").string();
  const auto key = (dir.path / "ca" / "ca.key").string();
  CertificateAuthority::create("Acme", cert, key);
  struct stat st {};
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir.path / "ca").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto ca = CertificateAuthority::load(cert, key);
  CHECK(ca.facts().subject.find("CN = Acme Station CA") != std::string::npos);
  CHECK(ca.facts().subject.find("O = Acme") != std::string::npos);
  CHECK(ca.facts().sha256.size() == 64);
  auto x = parse_cert(ca.certificate_pem());
  REQUIRE(x);
  CHECK(X509_check_ca(x.get()) != 0);
  CHECK((X509_get_key_usage(x.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) ==
        (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(ca.facts().not_after - ca.facts().not_before > 3650LL * 86400);
  // An existing CA is never overwritten.
  CHECK_THROWS_AS(CertificateAuthority::create("Other", cert, key), CaError);
  CHECK(slurp(cert) == ca.certificate_pem());
}

TEST_CASE("loading a CA whose key does not match its certificate fails", "[ca]") {
  TempDir dir;
  CertificateAuthority::create("A", (dir.path / "a.pem").string(), (dir.path / "a.key").string());
  CertificateAuthority::create("B", (dir.path / "b.pem").string(), (dir.path / "b.key").string());
  CHECK_THROWS_AS(
      CertificateAuthority::load((dir.path / "a.pem").string(), (dir.path / "b.key").string()),
      CaError);
  CHECK_THROWS_AS(
      CertificateAuthority::load((dir.path / "none.pem").string(), (dir.path / "a.key").string()),
      CaError);
}

TEST_CASE("a good CSR passes and is signed as a client certificate chaining to the CA", "[ca]") {
  TempDir dir;
  const auto cert = (dir.path / "ca.pem").string();
  CertificateAuthority::create("Acme", cert, (dir.path / "ca.key").string());
  auto ca = CertificateAuthority::load(cert, (dir.path / "ca.key").string());
  for (const std::string kind : {"P-256", "P-384", "RSA-2048"}) {
    Key key(kind);
    const auto csr = make_csr(key.k, "CP1", "Acme");
    auto check = check_csr(csr, rules("CP1", "Acme"));
    INFO(kind);
    CHECK(check.problem.empty());
    CHECK(check.public_key_sha256.size() == 64);
    auto facts = ca.sign_station(csr, 365);
    CHECK(facts.public_key_sha256 == check.public_key_sha256);
    CHECK(facts.serial.size() == 32);  // 16 bytes, never zero-led
    CHECK(facts.not_after - facts.not_before >= 365LL * 86400);
    auto x = parse_cert(facts.pem);
    REQUIRE(x);
    CHECK(X509_check_ca(x.get()) == 0);
    CHECK((X509_get_extended_key_usage(x.get()) & XKU_SSL_CLIENT) != 0);
    CHECK((X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER) == 0);
    CHECK((X509_get_key_usage(x.get()) & (KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT)) ==
          (KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT));
    CHECK(X509_get0_subject_key_id(x.get()) != nullptr);
    CHECK(X509_get0_authority_key_id(x.get()) != nullptr);
    auto issuer = parse_cert(ca.certificate_pem());
    CHECK(X509_verify(x.get(), X509_get0_pubkey(issuer.get())) == 1);
  }
}

TEST_CASE("a CSR signed by another key is refused", "[ca]") {
  Key key("P-256");
  Key other("P-256");
  auto check = check_csr(make_csr(key.k, "CP1", "", other.k), rules("CP1"));
  CHECK(check.problem.find("signature") != std::string::npos);
  CHECK(check_csr("not a csr", rules("CP1")).problem.find("not a PEM") != std::string::npos);
}

TEST_CASE("weak or unsupported CSR keys are refused", "[ca]") {
  for (const std::string kind : {"RSA-1024", "P-521", "ED25519"}) {
    Key key(kind);
    INFO(kind);
    CHECK_FALSE(check_csr(make_csr(key.k, "CP1", ""), rules("CP1")).problem.empty());
  }
  Key rsa("RSA-1024");
  CHECK(check_csr(make_csr(rsa.k, "CP1", ""), rules("CP1")).problem.find("2048") !=
        std::string::npos);
}

TEST_CASE("a CSR with the wrong CN or O is refused, naming both", "[ca]") {
  Key key("P-256");
  auto wrong_cn = check_csr(make_csr(key.k, "CP2", "Acme"), rules("CP1", "Acme"));
  CHECK(wrong_cn.problem.find("'CP2'") != std::string::npos);
  CHECK(wrong_cn.problem.find("'CP1'") != std::string::npos);
  auto wrong_o = check_csr(make_csr(key.k, "CP1", "Evil"), rules("CP1", "Acme"));
  CHECK(wrong_o.problem.find("O is 'Evil'") != std::string::npos);
  auto no_o = check_csr(make_csr(key.k, "CP1", ""), rules("CP1", "Acme"));
  CHECK_FALSE(no_o.problem.empty());
  // Without security.organization, O is not checked.
  CHECK(check_csr(make_csr(key.k, "CP1", "Anything"), rules("CP1")).problem.empty());
}

TEST_CASE("a CSR reusing another station's public key is refused", "[ca]") {
  Key key("P-256");
  const auto csr = make_csr(key.k, "CP1", "");
  auto first = check_csr(csr, rules("CP1"));
  REQUIRE(first.problem.empty());
  auto r = rules("CP1");
  r.keys_of_others = {"00", first.public_key_sha256};
  CHECK(check_csr(csr, r).problem.find("another station") != std::string::npos);
}

TEST_CASE("a lab server certificate names its DNS names and IPs and chains to the CA", "[ca]") {
  TempDir dir;
  CertificateAuthority::create("Acme", (dir.path / "ca.pem").string(),
                               (dir.path / "ca.key").string());
  auto ca =
      CertificateAuthority::load((dir.path / "ca.pem").string(), (dir.path / "ca.key").string());
  auto server = ca.issue_server({"csms.local"}, {"127.0.0.1"}, 30);
  CHECK(server.key_pem.find("PRIVATE KEY") != std::string::npos);
  CHECK(server.chain_pem.find(ca.certificate_pem()) != std::string::npos);
  auto x = parse_cert(server.chain_pem);
  REQUIRE(x);
  CHECK(X509_check_host(x.get(), "csms.local", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(x.get(), "127.0.0.1", 0) == 1);
  CHECK((X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER) != 0);
  CHECK_THROWS_AS(ca.issue_server({}, {"not-an-ip"}, 30), CaError);
  CHECK_THROWS_AS(ca.issue_server({}, {}, 30), CaError);
}

TEST_CASE("the CRL lists exactly the revoked serials and is signed by the CA", "[ca]") {
  TempDir dir;
  CertificateAuthority::create("Acme", (dir.path / "ca.pem").string(),
                               (dir.path / "ca.key").string());
  auto ca =
      CertificateAuthority::load((dir.path / "ca.pem").string(), (dir.path / "ca.key").string());
  Key key("P-256");
  auto a = ca.sign_station(make_csr(key.k, "CP1", ""), 10);
  const auto pem = ca.crl({a.serial, "0ABC"}, 30);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE(crl != nullptr);
  auto issuer = parse_cert(ca.certificate_pem());
  CHECK(X509_CRL_verify(crl, X509_get0_pubkey(issuer.get())) == 1);
  auto* revoked = X509_CRL_get_REVOKED(crl);
  REQUIRE(sk_X509_REVOKED_num(revoked) == 2);
  auto station = parse_cert(a.pem);
  X509_REVOKED* found = nullptr;
  CHECK(X509_CRL_get0_by_cert(crl, &found, station.get()) == 1);
  X509_CRL_free(crl);
  CHECK_THROWS_AS(ca.crl({"xyz"}, 30), CaError);
  // An empty CRL is valid too (written when the CA is created).
  CHECK(ca.crl({}, 30).find("BEGIN X509 CRL") != std::string::npos);
}

TEST_CASE("the external signer gets the CSR on stdin and the station id, with a timeout", "[ca]") {
  auto ok = csms::run_external_signer("cat; echo \"$CSMS_STATION_ID $1\"", "CP7", "CSR\n", 5);
  CHECK(ok.problem.empty());
  CHECK(ok.chain_pem == "CSR\nCP7 CP7\n");
  auto failed = csms::run_external_signer("cat >/dev/null; exit 3", "CP7", "CSR", 5);
  CHECK(failed.problem.find("status 3") != std::string::npos);
  auto slow = csms::run_external_signer("sleep 10", "CP7", "CSR", 1);
  CHECK(slow.problem.find("did not finish within 1 s") != std::string::npos);
  auto key = csms::run_external_signer("echo '-----BEGIN PRIVATE KEY-----'", "CP7", "", 5);
  CHECK(key.problem.find("private key") != std::string::npos);
  CHECK(key.chain_pem.empty());
}
