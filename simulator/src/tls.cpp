#include "simulator/tls.hpp"

#include <fstream>
#include <sstream>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/address.hpp>

namespace simulator {

namespace ssl = boost::asio::ssl;

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string last_openssl_error(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return what + ": " + buf;
}

X509Ptr first_certificate(const std::string& pem) {
  auto bio = memory_bio(pem);
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

KeyPtr private_key(const std::string& pem) {
  auto bio = memory_bio(pem);
  return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

}  // namespace

bool readable_certificates(const std::string& pem, std::string& error) {
  if (!first_certificate(pem)) {
    error = last_openssl_error("no readable PEM certificate");
    return false;
  }
  return true;
}

std::shared_ptr<ssl::context> make_client_tls_context(const TlsClientConfig& config,
                                                      std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  // TLS 1.2+ only (OCPP 1.6 security whitepaper and 2.0.1 A00: no older TLS).
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    error = last_openssl_error("cannot require TLS 1.2");
    return nullptr;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (config.ca_pem.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    if (!readable_certificates(config.ca_pem, error)) {
      error = "trusted CA: " + error;
      return nullptr;
    }
    ctx->add_certificate_authority(boost::asio::buffer(config.ca_pem), ec);
  }
  if (ec) {
    error = "trusted CA: " + ec.message();
    return nullptr;
  }
  if (!config.cert_pem.empty()) {
    ctx->use_certificate_chain(boost::asio::buffer(config.cert_pem), ec);
    if (ec) {
      error = "client certificate: " + ec.message();
      return nullptr;
    }
    ctx->use_private_key(boost::asio::buffer(config.key_pem), ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(native) != 1) {
      error = "client certificate key: unreadable or not the certificate's key";
      ERR_clear_error();
      return nullptr;
    }
  }
  return ctx;
}

bool set_tls_peer(SSL* ssl, const std::string& host, std::string& error) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    // An IP address is matched against the certificate's IP SANs; no SNI for it.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      error = last_openssl_error("cannot check the server's IP address " + host);
      return false;
    }
    return true;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1 || SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    error = last_openssl_error("cannot check the server's name " + host);
    return false;
  }
  return true;
}

std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long verdict = SSL_get_verify_result(ssl);
  if (verdict != X509_V_OK) {
    return std::string("the server's certificate was not accepted: ") +
           X509_verify_cert_error_string(verdict);
  }
  return ec.message();
}

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool certificate_matches_key(const std::string& chain_pem, const std::string& key_pem,
                             std::string& error) {
  auto cert = first_certificate(chain_pem);
  if (!cert) {
    error = last_openssl_error("no readable certificate in the chain");
    return false;
  }
  auto key = private_key(key_pem);
  if (!key) {
    error = "no private key of a CSR to match";
    ERR_clear_error();
    return false;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    error = "the certificate's public key is not the one of the station's CSR";
    return false;
  }
  return true;
}

}  // namespace simulator
