#include "security/ca.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace csms::security {

namespace {

namespace fs = std::filesystem;

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Asn1Int = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Asn1Time = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>>;

constexpr std::int64_t kDay = 86400;

[[noreturn]] void fail(const std::string& what) {
  ERR_clear_error();
  throw CaError(what);
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(std::string("OpenSSL failed: ") + what);
}

Bio mem_bio(const std::string& text) {
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) fail("out of memory");
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string sha256_hex(const unsigned char* data, std::size_t n) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(EVP_Digest(data, n, md, &len, EVP_sha256(), nullptr), "SHA-256");
  return hex(md, len);
}

std::string key_hash(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) fail("cannot encode a public key");
  std::string h = sha256_hex(der, static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return h;
}

std::string name_text(const X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  return bio_text(bio.get());
}

std::optional<std::string> name_entry(const X509_NAME* name, int nid) {
  const int at = X509_NAME_get_index_by_NID(name, nid, -1);
  if (at < 0) return std::nullopt;
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::int64_t unix_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string cert_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert), "writing a certificate");
  return bio_text(bio.get());
}

CertificateFacts facts_of(X509* cert) {
  CertificateFacts f;
  f.pem = cert_pem(cert);
  Bn serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!serial) fail("bad serial number");
  char* s = BN_bn2hex(serial.get());
  f.serial = s;
  OPENSSL_free(s);
  f.subject = name_text(X509_get_subject_name(cert));
  f.not_before = unix_of(X509_get0_notBefore(cert));
  f.not_after = unix_of(X509_get0_notAfter(cert));
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) fail("cannot encode a certificate");
  f.sha256 = sha256_hex(der, static_cast<std::size_t>(n));
  OPENSSL_free(der);
  f.public_key_sha256 = key_hash(X509_get0_pubkey(cert));
  return f;
}

Pkey new_ec_key() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an EC P-256 key");
  return key;
}

// A random positive 16-byte serial (RFC 5280: at most 20 octets, positive).
void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  check(RAND_bytes(bytes, sizeof bytes), "random serial");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;  // never zero-led, so its hex has a fixed width
  Bn bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn) fail("out of memory");
  check(BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr, "serial");
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) fail(std::string("cannot make extension ") + OBJ_nid2sn(nid));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void set_validity(X509* cert, std::int64_t days) {
  check(X509_gmtime_adj(X509_getm_notBefore(cert), -300) != nullptr, "notBefore");
  check(X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(days), 0, nullptr) != nullptr,
        "notAfter");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Refused keys: EC other than P-256/P-384, RSA below 2048 bits, anything else.
std::string key_problem(EVP_PKEY* key) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) != 1)
      return "the EC key names no curve";
    const std::string g(group);
    if (g != "prime256v1" && g != "P-256" && g != "secp384r1" && g != "P-384")
      return "EC key on curve " + g + "; only P-256 and P-384 are accepted";
    return "";
  }
  if (type == EVP_PKEY_RSA) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048)
      return "RSA key of " + std::to_string(bits) + " bits; at least 2048 are required";
    return "";
  }
  return "key type " + std::string(OBJ_nid2sn(type)) + " is not accepted (EC P-256/P-384 or RSA)";
}

}  // namespace

struct CertificateAuthority::Keys {
  Cert cert;
  Pkey key;
};

CertificateFacts certificate_facts(const std::string& pem) {
  auto bio = mem_bio(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("not a PEM certificate");
  return facts_of(cert.get());
}

void write_file_atomically(const std::string& path, const std::string& text, unsigned mode) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot write " + path);
  }
}

CsrCheck check_csr(const std::string& csr_pem, const CsrRules& rules) {
  CsrCheck out;
  auto bio = mem_bio(csr_pem);
  Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!req) {
    out.problem = "the CSR is not a PEM certificate request";
    return out;
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) {
    out.problem = "the CSR carries no readable public key";
    return out;
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    out.problem = "the CSR's signature does not verify";
    return out;
  }
  if (auto p = key_problem(key); !p.empty()) {
    out.problem = p;
    return out;
  }
  const X509_NAME* name = X509_REQ_get_subject_name(req.get());
  out.subject = name_text(name);
  const auto cn = name_entry(name, NID_commonName);
  if (!cn || *cn != rules.expected_cn) {
    out.problem = "subject CN is '" + cn.value_or("") + "', expected '" + rules.expected_cn + "'";
    return out;
  }
  if (!rules.organization.empty()) {
    const auto o = name_entry(name, NID_organizationName);
    if (!o || *o != rules.organization) {
      out.problem = "subject O is '" + o.value_or("") + "', expected '" + rules.organization + "'";
      return out;
    }
  }
  out.public_key_sha256 = key_hash(key);
  for (const auto& k : rules.keys_of_others) {
    if (k == out.public_key_sha256) {
      out.problem = "the CSR's public key is already in a certificate issued to another station";
      return out;
    }
  }
  return out;
}

void CertificateAuthority::create(const std::string& organization, const std::string& cert_file,
                                  const std::string& key_file) {
  if (organization.empty()) fail("the CA needs an organisation name");
  std::error_code ec;
  if (fs::exists(cert_file, ec) || fs::exists(key_file, ec))
    fail("a CA already exists (" + cert_file + "); refusing to overwrite it");
  for (const auto& f : {cert_file, key_file}) {
    const auto dir = fs::path(f).parent_path();
    if (dir.empty() || fs::exists(dir, ec)) continue;
    fs::create_directories(dir, ec);
    if (ec) fail("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  Pkey key = new_ec_key();
  Cert cert(X509_new());
  if (!cert) fail("out of memory");
  check(X509_set_version(cert.get(), 2), "version");
  set_random_serial(cert.get());
  set_validity(cert.get(), 3652);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = organization + " Station CA";
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(organization.c_str()), -1,
                                   -1, 0),
        "O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        "CN");
  check(X509_set_issuer_name(cert.get(), name), "issuer");
  check(X509_set_pubkey(cert.get(), key.get()), "public key");
  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()), "signing the CA certificate");

  Bio kb(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
        "writing the key");
  write_file_atomically(key_file, bio_text(kb.get()), 0600);
  write_file_atomically(cert_file, cert_pem(cert.get()), 0644);
}

CertificateAuthority CertificateAuthority::load(const std::string& cert_file,
                                                const std::string& key_file) {
  auto keys = std::make_unique<Keys>();
  {
    const std::string text = read_file(cert_file);  // the BIO reads it in place
    auto bio = mem_bio(text);
    keys->cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!keys->cert) fail(cert_file + " holds no PEM certificate");
  }
  {
    std::string text = read_file(key_file);
    auto bio = mem_bio(text);
    keys->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(text.data(), text.size());  // no copy of the key lingers on the heap
    if (!keys->key) fail(key_file + " holds no unencrypted PEM private key");
  }
  if (X509_check_private_key(keys->cert.get(), keys->key.get()) != 1)
    fail(key_file + " is not the key of " + cert_file);
  if (X509_check_ca(keys->cert.get()) == 0) fail(cert_file + " is not a CA certificate");
  auto facts = facts_of(keys->cert.get());
  return CertificateAuthority(std::move(keys), std::move(facts));
}

CertificateAuthority::CertificateAuthority(std::unique_ptr<Keys> keys, CertificateFacts facts)
    : keys_(std::move(keys)), facts_(std::move(facts)) {}
CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;
CertificateAuthority::~CertificateAuthority() = default;

CertificateFacts CertificateAuthority::sign_station(const std::string& csr_pem, int days) const {
  auto bio = mem_bio(csr_pem);
  Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) fail("the CSR is not a PEM certificate request");
  Cert cert(X509_new());
  if (!cert) fail("out of memory");
  check(X509_set_version(cert.get(), 2), "version");
  set_random_serial(cert.get());
  set_validity(cert.get(), days);
  // Only the subject and key come from the CSR; requested extensions are ignored.
  check(X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req.get())), "subject");
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->cert.get())), "issuer");
  check(X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(req.get())), "public key");
  add_ext(cert.get(), keys_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), keys_->cert.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
  add_ext(cert.get(), keys_->cert.get(), NID_ext_key_usage, "clientAuth");
  add_ext(cert.get(), keys_->cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), keys_->cert.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), keys_->key.get(), EVP_sha256()), "signing");
  return facts_of(cert.get());
}

ServerCertificate CertificateAuthority::issue_server(const std::vector<std::string>& dns,
                                                     const std::vector<std::string>& ips,
                                                     int days) const {
  if (dns.empty() && ips.empty()) fail("a server certificate needs a DNS name or an IP address");
  std::string san;
  for (const auto& d : dns) {
    if (d.empty() || d.find_first_of(",: \t\r\n") != std::string::npos)
      fail("'" + d + "' is not a DNS name");
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  }
  for (const auto& ip : ips) {
    ASN1_OCTET_STRING* parsed = a2i_IPADDRESS(ip.c_str());
    if (parsed == nullptr) fail("'" + ip + "' is not an IP address");
    ASN1_OCTET_STRING_free(parsed);
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  }
  Pkey key = new_ec_key();
  Cert cert(X509_new());
  if (!cert) fail("out of memory");
  check(X509_set_version(cert.get(), 2), "version");
  set_random_serial(cert.get());
  set_validity(cert.get(), days);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = dns.empty() ? ips.front() : dns.front();
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        "CN");
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->cert.get())), "issuer");
  check(X509_set_pubkey(cert.get(), key.get()), "public key");
  add_ext(cert.get(), keys_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), keys_->cert.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
  add_ext(cert.get(), keys_->cert.get(), NID_ext_key_usage, "serverAuth");
  add_ext(cert.get(), keys_->cert.get(), NID_subject_alt_name, san.c_str());
  add_ext(cert.get(), keys_->cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), keys_->cert.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), keys_->key.get(), EVP_sha256()), "signing");
  ServerCertificate out;
  out.chain_pem = cert_pem(cert.get()) + facts_.pem;
  Bio kb(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
        "writing the key");
  out.key_pem = bio_text(kb.get());
  return out;
}

std::string CertificateAuthority::crl(const std::vector<std::string>& revoked_serials,
                                      int days) const {
  Crl crl(X509_CRL_new());
  if (!crl) fail("out of memory");
  check(X509_CRL_set_version(crl.get(), 1), "CRL version");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(keys_->cert.get())),
        "CRL issuer");
  Asn1Time now(ASN1_TIME_adj(nullptr, std::time(nullptr), 0, 0));
  Asn1Time next(ASN1_TIME_adj(nullptr, std::time(nullptr), days, 0));
  if (!now || !next) fail("out of memory");
  check(X509_CRL_set1_lastUpdate(crl.get(), now.get()), "lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "nextUpdate");
  for (const auto& serial : revoked_serials) {
    BIGNUM* raw = nullptr;
    if (serial.empty() || BN_hex2bn(&raw, serial.c_str()) != static_cast<int>(serial.size())) {
      BN_free(raw);
      fail("'" + serial + "' is not a hexadecimal serial");
    }
    Bn bn(raw);
    X509_REVOKED* r = X509_REVOKED_new();
    Asn1Int n(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (r == nullptr || !n) fail("out of memory");
    X509_REVOKED_set_serialNumber(r, n.get());
    X509_REVOKED_set_revocationDate(r, now.get());
    X509_CRL_add0_revoked(crl.get(), r);
  }
  X509_CRL_sort(crl.get());
  check(X509_CRL_sign(crl.get(), keys_->key.get(), EVP_sha256()), "signing the CRL");
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509_CRL(bio.get(), crl.get()), "writing the CRL");
  return bio_text(bio.get());
}

}  // namespace csms::security
