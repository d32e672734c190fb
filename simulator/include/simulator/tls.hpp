#pragma once
// TLS for the station's client side: a TLS 1.2+ context that verifies the
// CSMS (trust anchors in PEM) and may present a client certificate (security
// profile 3), the peer-name checks, readable failure causes, and the key match
// a CertificateSigned chain must pass. Uses OpenSSL through Boost.Asio.

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace simulator {

/// What a TLS client trusts and presents.
struct TlsClientConfig {
  std::string ca_pem;    ///< Trust anchors (PEM, one or more); empty: the system's defaults.
  std::string cert_pem;  ///< The client certificate, leaf first; empty: none is presented.
  std::string key_pem;   ///< The client certificate's private key.
};

/// A client context: TLS 1.2 or later, server certificate verified. nullptr
/// with `error` set when the PEM in `config` is unusable.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const TlsClientConfig& config,
                                                                   std::string& error);

/// Sets SNI (for a name) and the name or IP address the server's certificate
/// must carry on one connection. False with `error` set on failure.
bool set_tls_peer(SSL* ssl, const std::string& host, std::string& error);

/// Why a TLS handshake failed, in words: the certificate check's verdict when
/// that is what failed, else the OpenSSL error.
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

/// The whole file, or nullopt with `error` set.
std::optional<std::string> read_text_file(const std::string& path, std::string& error);

/// True when the first certificate of `chain_pem` carries the public key of
/// `key_pem`; false with `error` saying why not.
bool certificate_matches_key(const std::string& chain_pem, const std::string& key_pem,
                             std::string& error);

/// True when `pem` holds at least one readable certificate; else `error` set.
bool readable_certificates(const std::string& pem, std::string& error);

}  // namespace simulator
