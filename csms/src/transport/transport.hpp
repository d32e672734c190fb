#pragma once
// The seam around the WebSocket library: the server core sees only these
// types (transport/beast_server.cpp implements them with Boost.Beast).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csms::transport {

/// WebSocket close codes we use (RFC 6455 §7.4.1).
namespace close_code {
constexpr std::uint16_t kNormal = 1000;
constexpr std::uint16_t kGoingAway = 1001;
constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kPolicyViolation = 1008;
constexpr std::uint16_t kMessageTooBig = 1009;
}  // namespace close_code

/// One accepted WebSocket connection. Its methods are called on the service
/// thread; they hand the work to the connection's own I/O thread.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void send(std::string_view text) = 0;
  /// Starts the close handshake; on_close follows.
  virtual void close(std::uint16_t code, const std::string& reason) = 0;
  virtual const std::string& remote_address() const = 0;
};

/// The client certificate of a TLS connection, as the TLS layer checked it.
struct PeerCertificate {
  bool present = false;      ///< The client sent a certificate.
  bool verified = false;     ///< It chains to a client CA, is in time and not revoked.
  std::string verify_error;  ///< Why not, when present and not verified.
  std::string subject_cn;
  std::string subject_o;
  std::string serial_hex;          ///< Upper-case hex, no separators.
  std::string fingerprint_sha256;  ///< Lower-case hex of the DER certificate.
  std::int64_t not_after_unix = 0;
};

/// What the client asked for in its upgrade request.
struct Handshake {
  std::string resource;  ///< Path and query, e.g. "/ocpp/CP%201".
  std::vector<std::string> subprotocols;
  std::string authorization;  ///< The Authorization header, or empty.
  /// The client's address: from a trusted proxy's X-Forwarded-For or PROXY v2
  /// header when there is one, else the TCP peer.
  std::string remote_address;
  std::string peer_address;            ///< The TCP peer (the proxy, when there is one).
  bool tls = false;                    ///< Arrived on the wss:// listener.
  PeerCertificate client_certificate;  ///< TLS only.
};

/// The server core's decision on a handshake.
struct HandshakeAnswer {
  int status = 101;         ///< 101 accepts; anything else is the HTTP rejection status.
  std::string subprotocol;  ///< Selected subprotocol; empty to accept without one.
  std::vector<std::pair<std::string, std::string>> headers;  ///< Extra response headers.
  std::string body;                                          ///< Rejection body.
  std::string station_id;                                    ///< Carried to on_open.
  bool authenticated = false;  ///< Carried to on_open: the station proved its password.
};

/// What the server core made of a frame on its connection's I/O thread
/// (Handler::prepare), handed to on_message with the frame.
struct Prepared {
  virtual ~Prepared() = default;
};

/// Implemented by the server core. All calls arrive on the service thread (the
/// io_context the server was made with), except prepare().
class Handler {
 public:
  virtual ~Handler() = default;
  /// Decides an upgrade request: `done` is called exactly once, on the network
  /// thread, now or later (a password check runs elsewhere). The transport
  /// drops the answer for a connection that closed meanwhile.
  virtual void on_handshake(const Handshake& request,
                            std::function<void(HandshakeAnswer)> done) = 0;
  virtual void on_open(const std::shared_ptr<Connection>& connection,
                       const HandshakeAnswer& answer) = 0;
  /// Called on the connection's I/O thread before on_message, for per-frame
  /// work that touches no shared state (parsing); the result goes to
  /// on_message. The default prepares nothing.
  virtual std::shared_ptr<Prepared> prepare(const HandshakeAnswer& answer,
                                            std::string_view text) const {
    (void)answer;
    (void)text;
    return nullptr;
  }
  virtual void on_message(const std::shared_ptr<Connection>& connection, std::string_view text,
                          std::shared_ptr<Prepared> prepared) = 0;
  /// The connection is gone (closed, failed, or timed out on keep-alive).
  virtual void on_close(const std::shared_ptr<Connection>& connection) = 0;
};

/// Where the server certificate, key, client CAs and CRLs come from.
struct TlsFiles {
  std::string cert_file;       ///< Server certificate chain, PEM (leaf first).
  std::string key_file;        ///< Its private key, PEM.
  std::string client_ca_file;  ///< Empty: no client certificate is requested.
  std::vector<std::string> crl_files;
};

/// Listener settings.
struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8180;                       ///< 0: ephemeral.
  std::size_t max_message_size = 65536;            ///< Larger frames close with 1009.
  std::chrono::milliseconds ping_interval{30000};  ///< 0: no keep-alive pings.
  std::chrono::milliseconds pong_timeout{10000};
  /// An upgrade request not complete by then is dropped (slow or stalled clients).
  std::chrono::milliseconds handshake_timeout{5000};
  /// Addresses or CIDRs whose PROXY v2 header or X-Forwarded-For names the
  /// client; a PROXY v2 header from anyone else drops the connection.
  std::vector<std::string> trusted_proxies;
  bool tls = false;  ///< wss://: TLS with `tls_files` (transport/tls_context.hpp policy).
  TlsFiles tls_files;
};

/// A WebSocket server bound to one address.
class Server {
 public:
  virtual ~Server() = default;
  /// Binds and accepts; throws std::runtime_error if the port cannot be bound.
  virtual void start() = 0;
  /// Stops accepting new connections and keep-alive pings; open connections
  /// stay (a draining server closes them at its own pace).
  virtual void stop_accepting() = 0;
  /// Stops accepting and closes every connection (going away).
  virtual void stop() = 0;
  virtual std::uint16_t port() const = 0;
  /// Re-reads the TLS files into a new context for new connections: "" when
  /// done, else why not (the old context stays in use).
  virtual std::string reload_tls() { return "this listener does not use TLS"; }
};

}  // namespace csms::transport
