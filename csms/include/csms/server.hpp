#pragma once
// The central system: wires transport, RPC sessions, handlers, storage and the
// admin API together on one network thread.

#include <cstdint>
#include <memory>
#include <string>

#include "csms/config.hpp"

namespace csms {

/// A running CSMS. Construct, start(), then run() on the thread that becomes
/// the network thread; stop() may be called from any thread or a signal handler
/// context via the io_context.
class Server {
 public:
  explicit Server(Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens and migrates the database, loads the stations, binds both listeners.
  /// Throws std::runtime_error naming what failed.
  void start();
  /// Runs the network thread until stop(); returns after a clean shutdown with
  /// every queued write committed.
  void run();
  /// Asks run() to finish (thread-safe).
  void stop();

  /// The ws:// port; 0 when ocpp.plain is false.
  std::uint16_t ocpp_port() const;
  /// The wss:// port; 0 when there is no TLS listener (ocpp.tls_port -1).
  std::uint16_t ocpp_tls_port() const;
  /// Re-reads the TLS certificate, key, client CAs and CRLs for new
  /// connections, on the network thread (thread-safe); the outcome is logged
  /// and a failure keeps the old ones.
  void request_tls_reload();
  std::uint16_t admin_port() const;
  std::uint16_t uploads_port() const;
  /// The base URL stations are told to upload files to.
  std::string uploads_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csms
