// Station-initiated 2.0.1 messages about monitors: NotifyMonitoringReport and
// NotifyEvent. Both are also kept as notifications, as they came.
#include "handlers/handler_support.hpp"
#include "handlers/v201/monitoring.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc/router.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

storage::VariableMonitor stored_monitor(const std::string& station_id, const w::ComponentType& c,
                                        const w::VariableType& v, w::MonitorEnumType type,
                                        double value, std::int64_t severity, bool transaction,
                                        std::int64_t id) {
  storage::VariableMonitor m;
  m.station_id = station_id;
  m.monitor_id = id;
  m.component = c.name;
  m.component_instance = c.instance.value_or("");
  if (c.evse) {
    m.evse_id = static_cast<int>(c.evse->id);
    m.connector_id = static_cast<int>(c.evse->connectorId.value_or(0));
  }
  m.variable = v.name;
  m.variable_instance = v.instance.value_or("");
  m.type = std::string(w::to_string(type));
  m.value = value;
  m.severity = static_cast<int>(severity);
  m.transaction = transaction;
  m.updated_at = storage::DateTime::now();
  return m;
}

namespace {

storage::StationNotification notification(const std::string& station, std::string_view action,
                                          std::string payload) {
  storage::StationNotification n;
  n.station_id = station;
  n.action = std::string(action);
  n.received_at = storage::DateTime::now();
  n.payload = std::move(payload);
  return n;
}

}  // namespace

void register_monitoring_messages(Router& router, Services& sv) {
  router.on<w::NotifyMonitoringReportRequest>(
      [&sv](StationSession& s, w::NotifyMonitoringReportRequest req,
            Reply<w::NotifyMonitoringReportResponse> reply) {
        const std::string station = s.station_id();
        std::vector<storage::VariableMonitor> monitors;
        for (const auto& data : req.monitor.value_or(std::vector<w::MonitoringDataType>{})) {
          for (const auto& vm : data.variableMonitoring) {
            auto m = stored_monitor(station, data.component, data.variable, vm.type, vm.value,
                                    vm.severity, vm.transaction, vm.id);
            m.source = kReported;
            m.request_id = req.requestId;
            monitors.push_back(std::move(m));
          }
        }
        auto kept = notification(station, w::NotifyMonitoringReportRequest::kAction, to_json(req));
        sv.ctx.db.write(
            [station, monitors = std::move(monitors), kept](storage::Session& db) {
              db.notifications.append(kept);
              if (monitors.empty() || !db.stations.get(station)) return;
              // A monitor this CSMS set stays marked so (SetMonitoringBase drops those);
              // a retried part stores the same rows again: harmless.
              auto rows = monitors;
              for (const auto& known : db.monitors.list(station)) {
                for (auto& m : rows) {
                  if (m.monitor_id == known.monitor_id && known.source == kSetByCsms &&
                      m.component == known.component && m.variable == known.variable &&
                      m.type == known.type)
                    m.source = kSetByCsms;
                }
              }
              db.monitors.put(rows);
            },
            sv.ctx.on_io([reply, station](std::exception_ptr e) {
              if (e) return storage_failed(reply, station, "NotifyMonitoringReport", e);
              reply(w::NotifyMonitoringReportResponse{});
            }));
      });

  router.on<w::NotifyEventRequest>(
      [&sv](StationSession& s, w::NotifyEventRequest req, Reply<w::NotifyEventResponse> reply) {
        struct MonitorEvent {
          std::int64_t monitor_id;
          storage::DateTime at;
          std::string value;
          bool cleared;
        };
        std::vector<MonitorEvent> events;
        for (const auto& e : req.eventData) {
          if (e.variableMonitoringId)
            events.push_back(
                {*e.variableMonitoringId, e.timestamp, e.actualValue, e.cleared.value_or(false)});
        }
        const std::string station = s.station_id();
        auto kept = notification(station, w::NotifyEventRequest::kAction, to_json(req));
        sv.ctx.db.write(
            [station, events = std::move(events), kept](storage::Session& db) {
              db.notifications.append(kept);
              for (const auto& e : events)
                db.monitors.event(station, e.monitor_id, e.at, e.value, e.cleared);
            },
            sv.ctx.on_io([reply, station](std::exception_ptr e) {
              if (e) return storage_failed(reply, station, "NotifyEvent", e);
              reply(w::NotifyEventResponse{});
            }));
      });
}

}  // namespace csms::v201
