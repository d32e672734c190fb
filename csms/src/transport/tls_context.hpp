#pragma once
// The one place for the TLS policy of every listener (OCPP wss://, admin API,
// uploads): protocol versions, cipher suites, key rules, client certificates
// and CRLs. Included by the transport and the HTTP servers only.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "transport/transport.hpp"

namespace csms::transport {

/// A server context with our policy: TLS 1.2 and 1.3 only, TLS 1.2 suites
/// limited to ECDHE-ECDSA/ECDHE-RSA with AES-GCM, no compression, no
/// renegotiation; the key must be EC P-256/P-384 or RSA >= 2048. A client
/// certificate is requested (never required) when client_ca_file is set; its
/// verification result is read back with peer_certificate(), so a bad one
/// never fails the TLS handshake and the core can refuse with a reason.
/// Throws std::runtime_error naming the file and the problem.
std::shared_ptr<boost::asio::ssl::context> make_server_context(const TlsFiles& files);

/// A client context for our own tools (csmsctl): the same versions and suites,
/// the server verified against `ca_file` (or the system store when empty).
std::shared_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file);

/// The client certificate of a completed TLS handshake on `ssl` (an SSL*).
PeerCertificate peer_certificate(void* ssl);

/// The server context in use; reload() builds a new one for new connections
/// and keeps the old one (and says why) when the files are bad.
class TlsContextHolder {
 public:
  /// Loads the files now; throws std::runtime_error when they are bad.
  explicit TlsContextHolder(TlsFiles files);
  std::shared_ptr<boost::asio::ssl::context> current() const { return current_; }
  /// "" when the new context is in use, else why the old one stays.
  std::string reload();

 private:
  TlsFiles files_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace csms::transport
