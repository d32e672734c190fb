#pragma once
// The version-neutral face of a simulated charging station: what the scenario
// runner (and a fleet driver) use, whichever OCPP version it speaks.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "simulator/scenario.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/smart_charging.hpp"

namespace simulator {

/// Who the station is and how it behaves, from the command line.
struct StationSettings {
  std::string id;
  int connectors = 1;
  std::string vendor = "ocpp-sim";
  std::string model = "SIM-1";
  std::string serial_number;  ///< Empty: the station id.
  std::string firmware_version = "0.1.0";
  double power_w = 7400.0;
  std::optional<int> heartbeat_s;       ///< Overrides the interval the CSMS gives at boot.
  std::optional<int> meter_interval_s;  ///< Initial MeterValueSampleInterval.
  std::string id_tag = "SIM-TAG";       ///< For steps that name none.
  Duration call_timeout{30000};
  Duration reset_delay{1000};  ///< Reset: offline this long before reconnecting.
  double ev_capacity_wh = 60000.0;
  double ev_start_soc = 20.0;
  std::string queue_file;  ///< Non-empty: persist the offline queue there.
  /// Seeds station-chosen ids (2.0.1 transactionIds); 0: derived from the id and the clock.
  std::uint64_t seed = 0;
  /// Transaction readings carry signed meter data (OCMF), see SignedMeter.
  bool signed_meter = false;
  std::string meter_key_pem;         ///< The meter's private key; empty: a fresh key pair.
  bool signed_meter_tamper = false;  ///< End readings differ from what was signed (tests).
  ProfileQuirks quirks;              ///< Charging profiles this firmware rejects.
  /// Phases the station's meter measures on: current = power / (230 V x phases).
  int phases = 1;
  /// How the station connects at start: 0 none, 1 ws + Basic, 2 wss + Basic, 3 wss +
  /// client certificate (what the 1.6 SecurityProfile key and 2.0.1 slot 1 say).
  int security_profile = 0;
  std::optional<std::string> password;  ///< The Basic-auth password at start.
  std::string tls_url;                  ///< 1.6: the wss:// URL of a SecurityProfile upgrade.
  std::string client_cert_pem;          ///< The client certificate at start (--cert).
  std::string client_key_pem;           ///< Its key (--key).
};

/// The outcome of a step.
struct StepResult {
  bool ok = true;
  std::string error;
  static StepResult success() { return {}; }
  static StepResult failure(std::string why) { return {false, std::move(why)}; }
};
using StepDone = std::function<void(StepResult)>;

/// A simulated station. Single-threaded: every call and callback on the
/// scheduler's thread.
class Station {
 public:
  virtual ~Station() = default;

  /// Connects and boots.
  virtual void start() = 0;
  /// Called whenever a boot is accepted (the first one starts a scenario).
  virtual void set_ready_handler(std::function<void()> handler) = 0;
  /// Called when the connection gave up for good (e.g. HTTP 401), with why.
  virtual void set_fatal_handler(std::function<void(const std::string&)> handler) = 0;

  virtual bool online() const = 0;
  /// Online and booted: messages flow.
  virtual bool ready() const = 0;
  virtual std::size_t pending_transaction_messages() const = 0;

  /// Protocol-specific validation of a step (values, connector range); the
  /// problem or nullopt.
  virtual std::optional<std::string> check_step(const Step& step) const = 0;
  /// Runs a protocol step (authorize, start, charge, stop, status, heartbeat,
  /// data_transfer); `done` is called exactly once.
  virtual void run_step(const Step& step, StepDone done) = 0;

  /// What the charging profiles let `connector` draw now (W, at most the
  /// station's power) while a transaction runs on it; nullopt without one.
  virtual std::optional<double> offered_power_w(int connector) const = 0;
  /// A simulated car sets what `connector` draws (W) instead of all it is
  /// offered (a car model, simulator/site.hpp); nullopt: back to what is offered.
  virtual void set_drawn_power_w(int connector, std::optional<double> watts) = 0;

  /// Closes the connection and stays offline for `duration` (nullopt: until go_online).
  virtual void go_offline(std::optional<Duration> duration) = 0;
  virtual void go_online() = 0;
  /// Stops all activity and closes cleanly; with `drain`, first waits (bounded
  /// by the call timeout) until queued transaction messages are delivered.
  virtual void shutdown(bool drain, std::function<void()> done) = 0;
};

}  // namespace simulator
