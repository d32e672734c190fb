#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace csms::transport {

namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2: forward secrecy and AEAD only, the suites OCPP names (1.6 security
// whitepaper, 2.0.1 Part 2 A00.FR.318) in their AES-GCM forms.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

void apply_policy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
    fail("cannot restrict TLS versions: " + openssl_error());
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An idle station's connection then holds no 16 KiB+ record buffers: RSS
  // per idle TLS connection is what a reconnect storm of 10k stations costs.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1)
    fail("cannot set the cipher suites: " + openssl_error());
}

void check_key(EVP_PKEY* key, const std::string& file) {
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_EC) {
    char group[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1)
      fail(file + ": cannot read the EC key's curve");
    const std::string g(group, len);
    if (g != "prime256v1" && g != "P-256" && g != "secp384r1" && g != "P-384")
      fail(file + ": EC key on curve " + g + "; use P-256 or P-384");
    return;
  }
  if (type == EVP_PKEY_RSA) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048)
      fail(file + ": RSA key of " + std::to_string(bits) + " bits; at least 2048 are required");
    return;
  }
  fail(file + ": unsupported key type (use EC P-256/P-384 or RSA >= 2048)");
}

/// Adds every CRL in `file` (PEM, one or more) to `store`.
void load_crls(X509_STORE* store, const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) fail("cannot read the CRL file " + file);
  int count = 0;
  while (X509_CRL* crl = PEM_read_X509_CRL(f, nullptr, nullptr, nullptr)) {
    const int ok = X509_STORE_add_crl(store, crl);
    X509_CRL_free(crl);
    if (ok != 1) {
      std::fclose(f);
      fail(file + ": cannot add a CRL: " + openssl_error());
    }
    ++count;
  }
  std::fclose(f);
  ERR_clear_error();  // the end-of-file "no start line"
  if (count == 0) fail(file + ": no PEM CRL in it");
}

std::string name_entry(X509_NAME* name, int nid) {
  const int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return "";
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const TlsFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty())
    fail("TLS needs tls.cert_file and tls.key_file");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  apply_policy(ctx);
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1)
    fail("cannot load the certificate chain " + files.cert_file + ": " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("cannot load the private key " + files.key_file + ": " + openssl_error());
  if (SSL_CTX_check_private_key(ctx) != 1)
    fail(files.key_file + " is not the key of " + files.cert_file);
  check_key(SSL_CTX_get0_privatekey(ctx), files.key_file);

  if (!files.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, files.client_ca_file.c_str(), nullptr) != 1)
      fail("cannot load the client CA file " + files.client_ca_file + ": " + openssl_error());
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (names == nullptr) fail(files.client_ca_file + ": no CA certificate in it");
    SSL_CTX_set_client_CA_list(ctx, names);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const auto& crl : files.crl_files) load_crls(store, crl);
    // The station's own certificate is checked against its issuer's CRL.
    if (!files.crl_files.empty()) X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    // Ask for a certificate and accept any answer: the verification result is
    // kept for the core, which refuses the upgrade with a recorded reason
    // (profile-2 stations send none).
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    static const unsigned char kSessionContext[] = "csms";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  } else if (!files.crl_files.empty()) {
    fail("tls.crl_files needs tls.client_ca_file");
  }
  return context;
}

std::shared_ptr<ssl::context> make_client_context(const std::string& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  apply_policy(ctx);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      fail("cannot load the system CA store: " + openssl_error());
  } else if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    fail("cannot load the CA file " + ca_file + ": " + openssl_error());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return context;
}

PeerCertificate peer_certificate(void* handle) {
  SSL* s = static_cast<SSL*>(handle);
  PeerCertificate out;
  X509* cert = SSL_get1_peer_certificate(s);
  if (cert == nullptr) return out;
  out.present = true;
  const long result = SSL_get_verify_result(s);
  out.verified = result == X509_V_OK;
  if (!out.verified) out.verify_error = X509_verify_cert_error_string(result);
  X509_NAME* subject = X509_get_subject_name(cert);
  out.subject_cn = name_entry(subject, NID_commonName);
  out.subject_o = name_entry(subject, NID_organizationName);
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out.serial_hex = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1) {
    static const char* kHex = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len; ++i) {
      out.fingerprint_sha256.push_back(kHex[md[i] >> 4]);
      out.fingerprint_sha256.push_back(kHex[md[i] & 0xf]);
    }
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) out.not_after_unix = timegm(&tm);
  X509_free(cert);
  return out;
}

TlsContextHolder::TlsContextHolder(TlsFiles files)
    : files_(std::move(files)), current_(make_server_context(files_)) {}

std::string TlsContextHolder::reload() {
  try {
    current_ = make_server_context(files_);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace csms::transport
