#pragma once
// A throw-away PKI for tests, made with the OpenSSL API at test time (no
// private keys are committed): a CA, certificates it issues for servers
// (with SANs) and clients, and the signing of a station's CSR.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace simtest {

/// A certificate and its private key, in PEM.
struct Issued {
  std::string cert_pem;
  std::string key_pem;
};

namespace pki_detail {

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

inline std::string pem_of(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return bio_text(bio);
}

inline std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio);
}

inline EVP_PKEY* read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

inline X509* read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

inline void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `subject_key`, signed by `issuer_key` (`issuer` null: self-signed).
inline X509* make_cert(EVP_PKEY* subject_key, const std::string& cn, X509* issuer,
                       EVP_PKEY* issuer_key, bool ca, const std::string& san) {
  static long serial = 1000;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, subject_key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert;
  add_ext(cert, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (ca) add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert, signer, NID_subject_key_identifier, "hash");
  if (!san.empty()) add_ext(cert, signer, NID_subject_alt_name, san);
  X509_sign(cert, issuer_key, EVP_sha256());
  return cert;
}

}  // namespace pki_detail

/// A CA that issues certificates.
class TestCa {
 public:
  explicit TestCa(const std::string& cn = "Test Root CA") {
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    cert_ = pki_detail::make_cert(key_, cn, nullptr, key_, true, "");
  }
  ~TestCa() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  std::string cert_pem() const { return pki_detail::pem_of(cert_); }

  /// A fresh key and a certificate for it; `san` e.g. "IP:127.0.0.1,DNS:localhost".
  Issued issue(const std::string& cn, const std::string& san = "") const {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* cert = pki_detail::make_cert(key, cn, cert_, key_, false, san);
    Issued out{pki_detail::pem_of(cert), pki_detail::pem_of(key)};
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
  }

  /// A certificate for the key of a PEM CSR (its subject's CN kept), as a CA
  /// answering SignCertificate would issue it.
  std::string sign_csr(const std::string& csr_pem) const {
    BIO* bio = BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()));
    X509_REQ* req = PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!req) throw std::runtime_error("unreadable CSR");
    EVP_PKEY* key = X509_REQ_get_pubkey(req);
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn, sizeof cn);
    X509* cert = pki_detail::make_cert(key, cn, cert_, key_, false, "");
    std::string out = pki_detail::pem_of(cert);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_REQ_free(req);
    return out;
  }

 private:
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
};

}  // namespace simtest
