#pragma once
// The site energy controller at work (docs/energy.md): a loop per site that
// reads the site's settings, circuits, readings and running sessions, lets
// energy::allocate decide, sends the decisions as charging profiles, logs
// every decision with its inputs and keeps the 15-minute interval energy.
// Network thread only; storage work runs on the storage threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csms/commands.hpp"
#include "energy/allocation.hpp"
#include "storage/energy.hpp"
#include "storage/model.hpp"

namespace csms {

struct ServerContext;

/// A profile the controller wants on a station (or removes), version-neutral.
struct EnergyProfile {
  /// StationMax: the static maximum (connector 0, sent on configuration
  /// change); TxDefault: the safe limit a session starts at; Tx: the dynamic
  /// limit of a running session; Clear: removes the profile `profile_id`.
  enum class Kind { StationMax, TxDefault, Tx, Clear };
  std::string station_id;
  int evse = 0;  ///< 0: the whole station.
  Kind kind = Kind::Tx;
  double limit_a = 0;  ///< Per phase; 0 pauses (the transaction stays).
  std::int64_t profile_id = 0;
  int stack_level = 1;
  std::int64_t duration_s = 0;  ///< 0: no end; a TxProfile's lease.
};

/// Sends a profile and calls back with the station's answer; set by the server.
using EnergyProfileSender =
    std::function<void(const EnergyProfile&, std::function<void(CommandResult)>)>;

/// Runs the controller of every site that has energy settings.
class EnergyService {
 public:
  explicit EnergyService(ServerContext& ctx);
  ~EnergyService();
  EnergyService(const EnergyService&) = delete;
  EnergyService& operator=(const EnergyService&) = delete;

  /// Starts the loops; `send` delivers profiles, `connected` tells whether a
  /// station has a connection.
  void start(EnergyProfileSender send, std::function<bool(const std::string&)> connected);
  void stop();
  /// A station's meter samples (Power.Active.Import, Current.Import): each
  /// EVSE's measured draw. Cheap: kept in memory.
  void observe(const std::vector<storage::MeterSample>& samples);
  /// A site's settings or readings changed: run its controller now (a pushed
  /// reading over the limit is acted on at once).
  void site_changed(const std::string& site_id);
  /// A station (dis)connected: its safe default profile is (re)installed.
  void station_connected(const std::string& station_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csms
