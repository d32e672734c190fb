// Monitoring (OCPP 2.0.1 part N) on the simulated station: the MonitorSet's
// rules, the CSMS's monitoring commands, NotifyEvent when a monitor trips;
// and the provisioning commands CostUpdated and SetNetworkProfile.
#include "simulator/v201/monitoring.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/config_store.hpp"
#include "simulator/url.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

constexpr std::size_t kActualValueMax = 2500;  // EventDataType.actualValue maxLength

std::optional<double> numeric(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool is_numeric(DataEnumType type) {
  return type == DataEnumType::integer || type == DataEnumType::decimal;
}

VariableType variable_of(const VariableMonitor& m) {
  VariableType v;
  v.name = m.variable;
  if (!m.instance.empty()) v.instance = m.instance;
  return v;
}

bool on_variable(const VariableMonitor& m, const ComponentRef& component, std::string_view name,
                 std::string_view instance) {
  return same_component(m.component, component) && iequals(m.variable, name) &&
         iequals(m.instance, instance);
}

bool meets(const VariableMonitor& m, MonitoringCriterionEnumType c) {
  switch (c) {
    case MonitoringCriterionEnumType::ThresholdMonitoring:
      return m.type == MonitorEnumType::UpperThreshold || m.type == MonitorEnumType::LowerThreshold;
    case MonitoringCriterionEnumType::DeltaMonitoring:
      return m.type == MonitorEnumType::Delta;
    case MonitoringCriterionEnumType::PeriodicMonitoring:
      return m.type == MonitorEnumType::Periodic || m.type == MonitorEnumType::PeriodicClockAligned;
  }
  return false;
}

/// As GetReport's filter: what the entry leaves out matches anything.
bool matches(const VariableMonitor& m, const ComponentVariableType& entry) {
  const ComponentType& c = entry.component;
  if (!iequals(c.name, m.component.name)) return false;
  if (c.instance && !iequals(*c.instance, m.component.instance)) return false;
  if (c.evse) {
    if (c.evse->id != m.component.evse) return false;
    if (c.evse->connectorId && *c.evse->connectorId != m.component.connector) return false;
  }
  if (!entry.variable) return true;
  if (!iequals(entry.variable->name, m.variable)) return false;
  return !entry.variable->instance || iequals(*entry.variable->instance, m.instance);
}

}  // namespace

// ---------------------------------------------------------------------------
// MonitorSet

MonitorSet::MonitorSet() {
  VariableMonitor problem;
  problem.id = 1;
  problem.component = ComponentRef{"ChargingStation"};
  problem.variable = "Problem";
  problem.type = MonitorEnumType::Delta;
  problem.value = 1;
  problem.severity = 1;
  problem.kind = EventNotificationEnumType::HardWiredMonitor;
  monitors_[problem.id] = problem;
}

SetMonitoringResultType MonitorSet::set(const DeviceModel& model, const SetMonitoringDataType& d) {
  SetMonitoringResultType r;
  r.id = d.id;
  r.type = d.type;
  r.component = d.component;
  r.variable = d.variable;
  r.severity = d.severity;
  auto status = [&r](SetMonitoringStatusEnumType s, std::string reason = {},
                     std::string detail = {}) {
    r.status = s;
    if (!reason.empty()) r.statusInfo = status_info(std::move(reason), std::move(detail));
    return r;
  };
  const ComponentRef component = ref_of(d.component);
  const std::string instance = d.variable.instance.value_or("");
  if (!model.has_component(component)) return status(SetMonitoringStatusEnumType::UnknownComponent);
  const DeviceVariable* v = model.find(component, d.variable.name, instance);
  if (v == nullptr) return status(SetMonitoringStatusEnumType::UnknownVariable);
  const bool threshold =
      d.type == MonitorEnumType::UpperThreshold || d.type == MonitorEnumType::LowerThreshold;
  if (d.type == MonitorEnumType::Periodic || d.type == MonitorEnumType::PeriodicClockAligned)
    return status(SetMonitoringStatusEnumType::UnsupportedMonitorType, "UnsupportedMonitor",
                  "this station monitors thresholds and deltas only");
  if (threshold && !is_numeric(v->data_type))
    return status(SetMonitoringStatusEnumType::UnsupportedMonitorType, "UnsupportedMonitor",
                  "a threshold needs a numeric variable");
  if (d.severity < 0 || d.severity > 9)
    return status(SetMonitoringStatusEnumType::Rejected, "InvalidValue", "severity is 0..9");
  if (d.type == MonitorEnumType::Delta && d.value < 0)
    return status(SetMonitoringStatusEnumType::Rejected, "InvalidValue", "a delta is 0 or more");
  if (threshold &&
      ((v->min_limit && d.value < *v->min_limit) || (v->max_limit && d.value > *v->max_limit)))
    return status(SetMonitoringStatusEnumType::Rejected, "ValueOutOfRange",
                  "the threshold is outside the variable's limits");
  if (d.id) {
    auto it = monitors_.find(*d.id);
    if (it == monitors_.end())
      return status(SetMonitoringStatusEnumType::Rejected, "UnknownId",
                    "no monitor with this id to replace");
    if (it->second.kind == EventNotificationEnumType::HardWiredMonitor)
      return status(SetMonitoringStatusEnumType::Rejected, "ReadOnly",
                    "a hard-wired monitor cannot be changed");
  } else {
    for (const auto& [id, m] : monitors_) {
      if (on_variable(m, component, d.variable.name, instance) && m.type == d.type &&
          m.severity == d.severity)
        return status(SetMonitoringStatusEnumType::Duplicate);
    }
  }
  VariableMonitor m;
  m.id = d.id.value_or(next_id_++);
  m.component = v->component;
  m.variable = v->name;
  m.instance = v->instance;
  m.type = d.type;
  m.value = d.value;
  m.severity = static_cast<int>(d.severity);
  m.transaction = d.transaction.value_or(false);
  if (m.type == MonitorEnumType::Delta) m.reference = numeric(v->value);
  monitors_[m.id] = m;
  r.id = m.id;
  return status(SetMonitoringStatusEnumType::Accepted);
}

ClearMonitoringStatusEnumType MonitorSet::clear(std::int64_t id) {
  auto it = monitors_.find(id);
  if (it == monitors_.end()) return ClearMonitoringStatusEnumType::NotFound;
  if (it->second.kind == EventNotificationEnumType::HardWiredMonitor)
    return ClearMonitoringStatusEnumType::Rejected;
  monitors_.erase(it);
  return ClearMonitoringStatusEnumType::Accepted;
}

void MonitorSet::set_base(MonitoringBaseEnumType base) {
  if (base == MonitoringBaseEnumType::All) return;
  for (auto it = monitors_.begin(); it != monitors_.end();) {
    it = it->second.kind == EventNotificationEnumType::CustomMonitor ? monitors_.erase(it)
                                                                     : std::next(it);
  }
}

bool MonitorSet::set_level(std::int64_t severity) {
  if (severity < 0 || severity > 9) return false;
  level_ = static_cast<int>(severity);
  return true;
}

std::vector<MonitoringDataType> MonitorSet::report(
    const std::optional<std::vector<MonitoringCriterionEnumType>>& criteria,
    const std::optional<std::vector<ComponentVariableType>>& filter) const {
  std::vector<MonitoringDataType> out;
  for (const auto& [id, m] : monitors_) {
    if (criteria && !criteria->empty() &&
        std::none_of(criteria->begin(), criteria->end(),
                     [&m](MonitoringCriterionEnumType c) { return meets(m, c); }))
      continue;
    if (filter && !filter->empty() &&
        std::none_of(filter->begin(), filter->end(),
                     [&m](const ComponentVariableType& e) { return matches(m, e); }))
      continue;
    VariableMonitoringType vm;
    vm.id = m.id;
    vm.transaction = m.transaction;
    vm.value = m.value;
    vm.type = m.type;
    vm.severity = m.severity;
    auto same = std::find_if(out.begin(), out.end(), [&m](const MonitoringDataType& d) {
      return on_variable(m, ref_of(d.component), d.variable.name, d.variable.instance.value_or(""));
    });
    if (same != out.end()) {
      same->variableMonitoring.push_back(vm);
      continue;
    }
    MonitoringDataType data;
    data.component = component_of(m.component);
    data.variable = variable_of(m);
    data.variableMonitoring.push_back(vm);
    out.push_back(std::move(data));
  }
  return out;
}

std::vector<MonitorEvent> MonitorSet::changed(const DeviceVariable& v, const std::string& previous,
                                              bool in_transaction) {
  std::vector<MonitorEvent> out;
  const auto now = numeric(v.value);
  for (auto& [id, m] : monitors_) {
    if (!on_variable(m, v.component, v.name, v.instance)) continue;
    if (m.transaction && !in_transaction) continue;
    MonitorEvent e;
    e.monitor = &m;
    e.actual_value = v.value.substr(0, kActualValueMax);
    bool fire = false;
    if (m.type == MonitorEnumType::UpperThreshold || m.type == MonitorEnumType::LowerThreshold) {
      if (!now) continue;
      const bool beyond =
          m.type == MonitorEnumType::UpperThreshold ? *now > m.value : *now < m.value;
      if (beyond == m.tripped) continue;
      m.tripped = beyond;
      fire = true;
      e.cleared = !beyond;
    } else if (m.type == MonitorEnumType::Delta) {
      e.trigger = EventTriggerEnumType::Delta;
      if (now && m.reference) {
        fire = std::fabs(*now - *m.reference) >= m.value;
      } else {
        fire = v.value != previous;  // not a number: every change counts
      }
      if (fire) m.reference = now;
    }
    if (fire && m.severity <= level_) out.push_back(e);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The station's commands and events

void ChargingStation::watch_monitored_variables() {
  model_.on_change([this](const DeviceVariable& v, const std::string& previous) {
    for (const auto& e : monitoring_.monitors.changed(v, previous, any_transaction())) {
      EventDataType data;
      data.eventId = monitoring_.next_event_id++;
      data.timestamp = scheduler_.wall_now();
      data.trigger = e.trigger;
      data.actualValue = e.actual_value;
      if (e.trigger == EventTriggerEnumType::Alerting) data.cleared = e.cleared;
      data.component = component_of(e.monitor->component);
      data.variable = variable_of(*e.monitor);
      data.variableMonitoringId = e.monitor->id;
      data.eventNotificationType = e.monitor->kind;
      if (v.component.evse > 0)
        data.transactionId = transaction_id(static_cast<int>(v.component.evse));
      log_.info("monitor {} on {}.{}: {}{}", e.monitor->id, v.component.name, v.name, v.value,
                e.cleared ? " (cleared)" : "");
      monitoring_.pending_events.push_back(std::move(data));
    }
    // Sent once the current message is answered: a SetVariables that trips a
    // monitor is answered before the event goes out.
    if (!monitoring_.pending_events.empty() && !monitor_event_timer_) {
      monitor_event_timer_ = std::make_unique<Timer>(scheduler_);
    }
    if (!monitoring_.pending_events.empty() && !monitor_event_timer_->pending()) {
      monitor_event_timer_->start(Duration::zero(), [this] { send_monitor_events(); });
    }
  });
}

void ChargingStation::send_monitor_events() {
  if (monitoring_.pending_events.empty()) return;
  NotifyEventRequest req;
  req.generatedAt = scheduler_.wall_now();
  req.seqNo = 0;
  req.eventData = std::move(monitoring_.pending_events);
  monitoring_.pending_events.clear();
  for (const auto& e : req.eventData) {
    events_.emit(Event("monitor_event")
                     .add("id", *e.variableMonitoringId)
                     .add("component", e.component.name)
                     .add("variable", e.variable.name)
                     .add("value", e.actualValue)
                     .add("cleared", e.cleared.value_or(false) ? "true" : "false"));
  }
  if (!ready()) {
    log_.info("{} monitor event(s) not sent: not connected", req.eventData.size());
    return;
  }
  OutgoingCall call = make_call(req);
  call.on_reply = [this](const CallReply& reply) {
    if (!reply.ok() && reply.kind != CallReply::Kind::Dropped)
      emit_error("NotifyEvent " + describe_failure(reply));
  };
  messenger_.call(std::move(call));
}

CallAnswer ChargingStation::on_set_variable_monitoring(const ocpp::Frame& call) {
  return answer<SetVariableMonitoringRequest>(call, [this](const auto& req) {
    Outcome<SetVariableMonitoringResponse> out{{}, {}};
    for (const auto& item : req.setMonitoringData) {
      auto r = monitoring_.monitors.set(model_, item);
      if (r.status == SetMonitoringStatusEnumType::Accepted)
        log_.info("monitor {} set: {} {} on {}.{}", *r.id, to_string(item.type), item.value,
                  item.component.name, item.variable.name);
      out.response.setMonitoringResult.push_back(std::move(r));
    }
    return out;
  });
}

CallAnswer ChargingStation::on_clear_variable_monitoring(const ocpp::Frame& call) {
  return answer<ClearVariableMonitoringRequest>(call, [this](const auto& req) {
    Outcome<ClearVariableMonitoringResponse> out{{}, {}};
    for (auto id : req.id) {
      ClearMonitoringResultType r;
      r.id = id;
      r.status = monitoring_.monitors.clear(id);
      if (r.status == ClearMonitoringStatusEnumType::Rejected)
        r.statusInfo = status_info("ReadOnly", "a hard-wired monitor cannot be cleared");
      out.response.clearMonitoringResult.push_back(std::move(r));
    }
    return out;
  });
}

CallAnswer ChargingStation::on_set_monitoring_base(const ocpp::Frame& call) {
  return answer<SetMonitoringBaseRequest>(call, [this](const auto& req) {
    Outcome<SetMonitoringBaseResponse> out{{}, {}};
    monitoring_.monitors.set_base(req.monitoringBase);
    log_.info("monitoring base {}", to_string(req.monitoringBase));
    out.response.status = GenericDeviceModelStatusEnumType::Accepted;
    return out;
  });
}

CallAnswer ChargingStation::on_set_monitoring_level(const ocpp::Frame& call) {
  return answer<SetMonitoringLevelRequest>(call, [this](const auto& req) {
    Outcome<SetMonitoringLevelResponse> out{{}, {}};
    if (monitoring_.monitors.set_level(req.severity)) {
      out.response.status = GenericStatusEnumType::Accepted;
      log_.info("monitoring level {}", req.severity);
    } else {
      out.response.status = GenericStatusEnumType::Rejected;
      out.response.statusInfo = status_info("InvalidValue", "severity is 0..9");
    }
    return out;
  });
}

CallAnswer ChargingStation::on_get_monitoring_report(const ocpp::Frame& call) {
  return answer<GetMonitoringReportRequest>(call, [this](const auto& req) {
    Outcome<GetMonitoringReportResponse> out{{}, {}};
    auto data = monitoring_.monitors.report(req.monitoringCriteria, req.componentVariable);
    if (data.empty()) {
      out.response.status = GenericDeviceModelStatusEnumType::EmptyResultSet;
      return out;
    }
    out.response.status = GenericDeviceModelStatusEnumType::Accepted;
    out.then = [this, id = req.requestId, data = std::move(data)]() mutable {
      send_monitoring_report(id, std::move(data));
    };
    return out;
  });
}

void ChargingStation::send_monitoring_report(std::int64_t request_id,
                                             std::vector<MonitoringDataType> data) {
  const auto per_part = static_cast<std::size_t>(std::max<std::int64_t>(
      1, model_.get_int("DeviceDataCtrlr", "ItemsPerMessage", 10, "GetReport")));
  const std::size_t parts = std::max<std::size_t>(1, (data.size() + per_part - 1) / per_part);
  const ocpp::DateTime generated_at = scheduler_.wall_now();
  for (std::size_t part = 0; part < parts; ++part) {
    NotifyMonitoringReportRequest req;
    req.requestId = request_id;
    req.generatedAt = generated_at;
    req.seqNo = static_cast<std::int64_t>(part);
    req.tbc = part + 1 < parts;
    const std::size_t end = std::min(data.size(), (part + 1) * per_part);
    std::vector<MonitoringDataType> items(
        data.begin() + static_cast<std::ptrdiff_t>(part * per_part),
        data.begin() + static_cast<std::ptrdiff_t>(end));
    if (!items.empty()) req.monitor = std::move(items);
    OutgoingCall call = make_call(req);
    call.on_reply = [this, request_id, part, parts](const CallReply& reply) {
      if (reply.kind == CallReply::Kind::Dropped) {
        log_.warn("NotifyMonitoringReport {} part {} {}", request_id, part,
                  describe_failure(reply));
      } else if (!reply.ok()) {
        emit_error(fmt::format("NotifyMonitoringReport {} part {} {}", request_id, part,
                               describe_failure(reply)));
      } else if (part + 1 == parts) {
        events_.emit(
            Event("monitoring_report_sent").add("requestId", request_id).add("parts", parts));
      }
    };
    // Allowed while Pending too, like NotifyReport (the CSMS asked for it).
    send_triggered(std::move(call));
  }
  log_.info("monitoring report {}: {} variable(s) in {} part(s)", request_id, data.size(), parts);
}

CallAnswer ChargingStation::on_cost_updated(const ocpp::Frame& call) {
  return answer<CostUpdatedRequest>(call, [this](const auto& req) {
    // The response has no status: the station takes the cost and shows it.
    monitoring_.total_costs[req.transactionId] = req.totalCost;
    log_.info("transaction {} costs {} so far", req.transactionId, req.totalCost);
    events_.emit(Event("cost_updated")
                     .add("transactionId", req.transactionId)
                     .add("totalCost", req.totalCost));
    return Outcome<CostUpdatedResponse>{{}, {}};
  });
}

CallAnswer ChargingStation::on_set_network_profile(const ocpp::Frame& call) {
  return answer<SetNetworkProfileRequest>(call, [this](const auto& req) {
    Outcome<SetNetworkProfileResponse> out{{}, {}};
    out.response.status = SetNetworkProfileStatusEnumType::Rejected;
    // The slots are the values NetworkConfigurationPriority may list.
    const DeviceVariable* priority =
        model_.find(ComponentRef{"OCPPCommCtrlr"}, "NetworkConfigurationPriority");
    const std::string slot = std::to_string(req.configurationSlot);
    if (priority == nullptr || std::find(priority->values_list.begin(), priority->values_list.end(),
                                         slot) == priority->values_list.end()) {
      out.response.statusInfo = status_info("InvalidConfSlot", "no configuration slot " + slot);
      return out;
    }
    if (req.connectionData.securityProfile <
        model_.get_int("SecurityCtrlr", "SecurityProfile", 1)) {
      out.response.statusInfo =
          status_info("NoSecurityDowngrade", "a lower security profile than the current one");
      return out;
    }
    const auto profile = req.connectionData.securityProfile;
    std::string error;
    const auto url = parse_ws_url(req.connectionData.ocppCsmsUrl, error);
    if (profile < 1 || profile > 3) {
      out.response.statusInfo = status_info("InvalidProfile", "securityProfile: 1..3");
      return out;
    }
    if (!url || url->tls != (profile >= 2)) {
      out.response.statusInfo = status_info(
          "InvalidURL", !url ? "ocppCsmsUrl: " + error
                             : std::string("security profile 1 needs ws://, 2 and 3 wss://"));
      return out;
    }
    monitoring_.network_profiles[req.configurationSlot] = req.connectionData;
    out.response.status = SetNetworkProfileStatusEnumType::Accepted;
    log_.info("network profile {}: {} (security profile {})", slot, req.connectionData.ocppCsmsUrl,
              req.connectionData.securityProfile);
    events_.emit(Event("network_profile_set")
                     .add("slot", req.configurationSlot)
                     .add("url", req.connectionData.ocppCsmsUrl));
    return out;
  });
}

}  // namespace simulator::v201
