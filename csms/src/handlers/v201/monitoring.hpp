#pragma once
// What the 2.0.1 monitoring commands and station messages share: the stored
// form of a monitor, and the handlers of NotifyMonitoringReport and NotifyEvent.

#include <cstdint>
#include <string>

#include "ocpp/v201/messages.hpp"
#include "storage/monitoring.hpp"

namespace csms {

class Router;
struct Services;

namespace v201 {

/// VariableMonitor::source of a monitor this CSMS set (a custom monitor).
inline constexpr const char* kSetByCsms = "SetVariableMonitoring";
/// VariableMonitor::source of a monitor the station reported.
inline constexpr const char* kReported = "NotifyMonitoringReport";

/// The stored form of one monitor on `variable` of `component`.
storage::VariableMonitor stored_monitor(const std::string& station_id,
                                        const ocpp::v201::ComponentType& component,
                                        const ocpp::v201::VariableType& variable,
                                        ocpp::v201::MonitorEnumType type, double value,
                                        std::int64_t severity, bool transaction, std::int64_t id);

/// NotifyMonitoringReport (monitors stored, the part kept as a notification)
/// and NotifyEvent (kept as a notification; an event of a monitor is recorded
/// on it). Both answered once committed.
void register_monitoring_messages(Router& router, Services& services);

}  // namespace v201
}  // namespace csms
