#pragma once
// The variable monitors of a simulated 2.0.1 station (OCPP 2.0.1 part N): the
// rules SetVariableMonitoring, ClearVariableMonitoring, SetMonitoringBase,
// SetMonitoringLevel and GetMonitoringReport follow, and which monitors a
// variable's change trips. No messaging here: the station sends what it says.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ocpp/v201/messages.hpp"
#include "simulator/v201/device_model.hpp"

namespace simulator::v201 {

/// One monitor on one variable of the device model.
struct VariableMonitor {
  std::int64_t id = 0;
  ComponentRef component;
  std::string variable;
  std::string instance;  ///< The variable's instance; empty: none.
  ocpp::v201::MonitorEnumType type = ocpp::v201::MonitorEnumType::UpperThreshold;
  double value = 0;
  int severity = 0;
  bool transaction = false;  ///< Only while a transaction is going on.
  ocpp::v201::EventNotificationEnumType kind = ocpp::v201::EventNotificationEnumType::CustomMonitor;
  // Trip state: a threshold reports crossing it and, cleared, going back; a
  // numeric delta measures from the value it last reported.
  bool tripped = false;
  std::optional<double> reference;
};

/// A monitor that a change tripped: the event to report.
struct MonitorEvent {
  const VariableMonitor* monitor = nullptr;
  ocpp::v201::EventTriggerEnumType trigger = ocpp::v201::EventTriggerEnumType::Alerting;
  bool cleared = false;  ///< A threshold's value went back within bounds.
  std::string actual_value;
};

/// The station's monitors by id, its monitoring level and base.
class MonitorSet {
 public:
  /// With the hard-wired monitor every station has: id 1, a Delta on
  /// ChargingStation.Problem (any change is reported), severity 1.
  MonitorSet();

  /// SetVariableMonitoring, one item: Accepted (the result carries the id),
  /// UnknownComponent/UnknownVariable, UnsupportedMonitorType (periodic
  /// monitors; thresholds and numeric deltas on non-numeric variables),
  /// Rejected (severity beyond 9, a negative delta, a threshold outside the
  /// variable's limits, an unknown or hard-wired id), Duplicate (the variable
  /// has a monitor of that type and severity already).
  ocpp::v201::SetMonitoringResultType set(const DeviceModel& model,
                                          const ocpp::v201::SetMonitoringDataType& data);
  /// ClearVariableMonitoring, one id: Accepted, NotFound, Rejected (hard-wired).
  ocpp::v201::ClearMonitoringStatusEnumType clear(std::int64_t id);
  /// SetMonitoringBase: FactoryDefault and HardWiredOnly remove the custom
  /// monitors (this station has no preconfigured ones to restore or disable).
  void set_base(ocpp::v201::MonitoringBaseEnumType base);
  /// SetMonitoringLevel: false (Rejected) outside 0..9.
  bool set_level(std::int64_t severity);
  int level() const { return level_; }

  /// GetMonitoringReport's selection (by criteria and component/variable), as
  /// NotifyMonitoringReport's monitor entries: one per variable.
  std::vector<ocpp::v201::MonitoringDataType> report(
      const std::optional<std::vector<ocpp::v201::MonitoringCriterionEnumType>>& criteria,
      const std::optional<std::vector<ocpp::v201::ComponentVariableType>>& filter) const;

  /// The monitors `variable`'s change (from `previous`) trips, at or below the
  /// monitoring level; `in_transaction` arms the transaction-only ones.
  std::vector<MonitorEvent> changed(const DeviceVariable& variable, const std::string& previous,
                                    bool in_transaction);

  const std::map<std::int64_t, VariableMonitor>& monitors() const { return monitors_; }

 private:
  std::map<std::int64_t, VariableMonitor> monitors_;
  std::int64_t next_id_ = 2;  // 1 is the hard-wired monitor
  int level_ = 9;             // everything is reported
};

/// What monitoring.cpp keeps for a station beside its device model: the
/// monitors, the events waiting to go out, the CSMS's cost updates and the
/// network connection profiles it set.
struct MonitoringState {
  MonitorSet monitors;
  std::vector<ocpp::v201::EventDataType> pending_events;
  std::int64_t next_event_id = 1;
  std::map<std::string, double> total_costs;  ///< By transactionId: the last CostUpdated.
  std::map<std::int64_t, ocpp::v201::NetworkConnectionProfileType> network_profiles;  ///< By slot.
};

}  // namespace simulator::v201
