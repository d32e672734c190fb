#pragma once
// 2.0.1 variable monitors as the CSMS knows them: what a station accepted
// (SetVariableMonitoring) or reported (NotifyMonitoringReport), minus what
// ClearVariableMonitoring removed, with the last event each one raised.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// One variable monitor of one station (OCPP 2.0.1 VariableMonitoringType and
/// the variable it watches).
struct VariableMonitor {
  std::string station_id;
  std::int64_t monitor_id = 0;  ///< The station's id for it.
  std::string component;
  std::string component_instance;  ///< Empty: none.
  int evse_id = 0;                 ///< 0: not EVSE-specific.
  int connector_id = 0;
  std::string variable;
  std::string variable_instance;
  std::string type;  ///< UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned.
  double value = 0;
  int severity = 0;
  bool transaction = false;  ///< Active only during a transaction.
  /// What told the CSMS: "SetVariableMonitoring" (a custom monitor it set) or
  /// "NotifyMonitoringReport".
  std::string source;
  std::optional<std::int64_t> request_id;  ///< The GetMonitoringReport that reported it.
  std::optional<DateTime> last_event_at;   ///< The newest NotifyEvent naming it.
  std::optional<std::string> last_event_value;
  bool last_event_cleared = false;
  DateTime updated_at;
};

/// Variable monitors by station; they go with the station.
class MonitorStore {
 public:
  virtual ~MonitorStore() = default;
  /// Inserts or replaces each monitor by (station, monitor id); the last event
  /// of a replaced one is kept.
  virtual void put(const std::vector<VariableMonitor>& monitors) = 0;
  /// Removes the station's monitors with these ids; returns how many there were.
  virtual std::size_t remove(const std::string& station_id,
                             const std::vector<std::int64_t>& monitor_ids) = 0;
  /// Removes the station's monitors from `source` (e.g. the custom ones a
  /// SetMonitoringBase dropped); returns how many.
  virtual std::size_t remove_from(const std::string& station_id, const std::string& source) = 0;
  /// Records an event of a monitor; false when the station has no such monitor.
  virtual bool event(const std::string& station_id, std::int64_t monitor_id, const DateTime& at,
                     const std::string& actual_value, bool cleared) = 0;
  /// The station's monitors by id.
  virtual std::vector<VariableMonitor> list(const std::string& station_id) = 0;
};

}  // namespace storage
