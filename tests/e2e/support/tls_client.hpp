#pragma once
// A TLS WebSocket client for the wss:// tests (Boost.Beast over OpenSSL), with
// the TLS versions and cipher suites a test needs to offer, and certificates
// made at test time with the openssl CLI.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace e2e {

/// What a TLS client offers and presents.
struct TlsClientOptions {
  std::string ca_file;    ///< Verifies the server.
  std::string cert_file;  ///< Client certificate (profile 3), or empty.
  std::string key_file;
  int min_version = 0;      ///< e.g. TLS1_1_VERSION; 0: library default.
  int max_version = 0;      ///< 0: library default.
  std::string cipher_list;  ///< TLS 1.2 suites; empty: default.
  std::vector<std::string> subprotocols = {"ocpp1.6"};
  std::string authorization;
  std::string preamble;  ///< Bytes sent on the TCP connection before TLS (a PROXY v2 header).
};

/// Connects to wss://127.0.0.1:port<path>; tls_ok() false when the TLS
/// handshake failed, else status() is the HTTP answer (101 when open()).
class TlsWsClient {
 public:
  TlsWsClient(std::uint16_t port, const std::string& path, const TlsClientOptions& options);
  ~TlsWsClient();
  bool tls_ok() const;
  const std::string& tls_error() const;
  bool open() const;
  int status() const;
  const std::string& subprotocol() const;
  /// Sends a text frame and returns the next text frame, or nullopt.
  std::optional<std::string> call(const std::string& frame,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Test PKI in a directory, made with the openssl CLI (keys stay in the temp dir).
struct TestPki {
  explicit TestPki(const test_support::TempDir& dir);
  std::string dir;
  std::string ca_pem;  ///< Station CA (also issued the server certificate).
  std::string server_pem, server_key;
  /// Issues a client certificate signed by the CA (or by a fresh foreign CA)
  /// with `days` of validity (negative: already expired); returns cert path.
  std::string issue_client(const std::string& name, const std::string& cn, const std::string& o,
                           int days = 2, bool foreign = false);
  /// A new server certificate (same CA) into new files; returns {cert, key}.
  std::pair<std::string, std::string> new_server(const std::string& name);
  /// Runs a shell command in `dir`; fails the test when it fails.
  void sh(const std::string& command) const;
};

}  // namespace e2e
