#pragma once
// Meter data in over Modbus TCP: one polled SunSpec device (a grid meter, a PV
// inverter, a battery) read with libmodbus and decoded with ocpp/sunspec.hpp.
// Blocking; the energy service runs polls off the network thread, one source
// per poller (a ModbusSource is not safe to share between threads).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ocpp/sunspec.hpp"

struct _modbus;  // libmodbus' modbus_t

namespace csms::energy {

/// One polled device: what it measures for the site.
struct ModbusSourceConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 502;
  int unit_id = 1;
  /// "grid", "pv", "battery": which models win when a device serves several
  /// (grid: meters 203/213; pv: inverters 101/103; battery: 802 then 124).
  std::string role;
  int poll_interval_s = 5;
  int max_age_s = 30;
  int timeout_ms = 1000;
  /// Negate power_w and battery_power_w, for devices wired or signed the other way.
  bool invert_power = false;
};

/// A blocking poll (run it off the network thread): connects (reusing the
/// connection when it is still open), reads the SunSpec image from 40000
/// (discovering its length by walking the model headers, reading in chunks of
/// <= 125 registers), decodes. Throws std::runtime_error naming the source, the
/// host and the problem on failure (cannot resolve, connection refused, timeout,
/// no SunSpec, no supported model); the connection is dropped after a failure.
class ModbusSource {
 public:
  explicit ModbusSource(ModbusSourceConfig config);
  ~ModbusSource();
  ModbusSource(const ModbusSource&) = delete;
  ModbusSource& operator=(const ModbusSource&) = delete;

  ocpp::sunspec::Values poll();
  const ModbusSourceConfig& config() const;
  /// Model ids and lengths found by the last successful poll.
  const std::vector<std::pair<std::uint16_t, std::uint16_t>>& models() const;
  /// Closes the connection (the next poll reconnects).
  void disconnect();

 private:
  void connect();
  std::vector<std::uint16_t> read_image();
  void read_into(std::vector<std::uint16_t>& image, std::size_t need);
  /// Throws std::runtime_error: what, prefixed with the source, host, port and unit.
  [[noreturn]] void fail(const std::string& what) const;

  ModbusSourceConfig config_;
  _modbus* ctx_ = nullptr;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> models_;
};

}  // namespace csms::energy
