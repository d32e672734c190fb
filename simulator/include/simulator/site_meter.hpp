#pragma once
// A simulated site's meters over Modbus TCP: one SunSpec register image
// (ocpp/sunspec.hpp) per unit id, served from register 40000 with libmodbus,
// from values the caller updates while it runs. Faults for tests: offline
// (connections are accepted and closed at once, open ones dropped) and frozen
// (a unit keeps serving its last values).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ocpp/sunspec.hpp"

namespace simulator {

/// A Modbus TCP server on host:port (port 0 = ephemeral; port() tells) serving
/// one SunSpec image per unit id; requests for another unit id get exception
/// 0x0B (gateway target failed to respond). set() replaces the values at any
/// time (thread-safe); serves several clients at once from its own thread until
/// stop() (prompt; also on destruction).
class SiteMeterServer {
 public:
  SiteMeterServer(std::string host, std::uint16_t port);
  ~SiteMeterServer();
  SiteMeterServer(const SiteMeterServer&) = delete;
  SiteMeterServer& operator=(const SiteMeterServer&) = delete;

  /// Adds (or replaces) a unit serving `models` after the common model, all
  /// values "not implemented" until set(). Throws std::invalid_argument for a
  /// unit id outside 0..255.
  void add_unit(int unit_id, std::vector<ocpp::sunspec::Model> models, std::string serial);
  /// Replaces a unit's values (kept but not served while the unit is frozen).
  /// Throws std::invalid_argument for an unknown unit.
  void set(int unit_id, const ocpp::sunspec::Values& v);
  /// Binds and listens (throws std::runtime_error naming host:port on failure),
  /// then serves from a thread. Once only.
  void start();
  /// Stops serving, closes every connection and joins the thread. Idempotent.
  void stop();
  /// The bound port once started (the ephemeral one when constructed with 0).
  std::uint16_t port() const;
  /// Refuses service: open connections are closed, new ones closed on accept.
  void set_offline(bool offline);
  /// A frozen unit keeps serving the values it had; set() takes effect on unfreeze.
  void set_frozen(int unit_id, bool frozen);

  /// Connections accepted so far (while online), for tests of connection reuse.
  std::size_t connections_accepted() const;
  /// Requests answered so far (including exceptions).
  std::size_t requests_served() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace simulator
