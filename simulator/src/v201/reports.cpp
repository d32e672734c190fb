// The device model's commands: GetBaseReport and GetReport (answered, then
// NotifyReport parts), GetVariables and SetVariables.
#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "ocpp/common/utf8.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/config_store.hpp"
#include "simulator/v201/charging_station.hpp"
#include "v201/commands.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

VariableType variable_of(const DeviceVariable& v) {
  VariableType var;
  var.name = v.name;
  if (!v.instance.empty()) var.instance = v.instance;
  return var;
}

ReportDataType report_data(const DeviceVariable& v) {
  ReportDataType data;
  data.component = component_of(v.component);
  data.variable = variable_of(v);
  VariableAttributeType attribute;
  attribute.type = AttributeEnumType::Actual;
  if (v.mutability != MutabilityEnumType::WriteOnly) attribute.value = v.value;
  attribute.mutability = v.mutability;
  attribute.persistent = v.persistent;
  attribute.constant = v.constant;
  data.variableAttribute.push_back(std::move(attribute));
  VariableCharacteristicsType characteristics;
  if (!v.unit.empty()) characteristics.unit = v.unit;
  characteristics.dataType = v.data_type;
  characteristics.minLimit = v.min_limit;
  characteristics.maxLimit = v.max_limit;
  if (!v.values_list.empty()) {
    std::string list;
    for (const auto& item : v.values_list) list += (list.empty() ? "" : ",") + item;
    characteristics.valuesList = std::move(list);
  }
  characteristics.supportsMonitoring = false;
  data.variableCharacteristics = std::move(characteristics);
  return data;
}

/// Whether `v` is one a GetReport componentVariable entry asks for. Unlike
/// GetVariables's exact addresses, what the entry leaves out matches anything.
bool matches(const DeviceVariable& v, const ComponentVariableType& entry) {
  const ComponentType& c = entry.component;
  if (!iequals(c.name, v.component.name)) return false;
  if (c.instance && !iequals(*c.instance, v.component.instance)) return false;
  if (c.evse) {
    if (c.evse->id != v.component.evse) return false;
    if (c.evse->connectorId && *c.evse->connectorId != v.component.connector) return false;
  }
  if (!entry.variable) return true;
  if (!iequals(entry.variable->name, v.name)) return false;
  return !entry.variable->instance || iequals(*entry.variable->instance, v.instance);
}

/// GetBaseReport's and GetReport's answer: Accepted, then `send` the
/// selection as NotifyReports; EmptyResultSet when nothing matched.
template <typename Response>
Outcome<Response> report_outcome(std::vector<const DeviceVariable*> selected,
                                 std::function<void(std::vector<const DeviceVariable*>)> send) {
  Outcome<Response> out{{}, {}};
  out.response.status = selected.empty() ? GenericDeviceModelStatusEnumType::EmptyResultSet
                                         : GenericDeviceModelStatusEnumType::Accepted;
  if (!selected.empty()) {
    out.then = [send = std::move(send), selected = std::move(selected)] { send(selected); };
  }
  return out;
}

/// A CALL with more `name` items (`field`) than ItemsPerMessage's `limit`:
/// the CALLERROR that refuses the lot, as 2.0.1 lets a station.
template <typename Request, typename Items>
std::optional<CallAnswer> over_items_limit(const ocpp::Frame& call, Items Request::*field,
                                           std::string_view name, std::int64_t limit) {
  Request probe;
  ocpp::DecodeContext ctx;
  if (!read(call.payload(), probe, ctx) ||
      static_cast<std::int64_t>((probe.*field).size()) <= limit) {
    return std::nullopt;
  }
  return CallAnswer{
      ocpp::make_call_error(call.id(), ocpp::ErrorCode::OccurrenceConstraintViolation,
                            ocpp::Version::v201, fmt::format("more than {} {} items", limit, name)),
      {}};
}

/// A Get/SetVariables result echoing the address of the request's `item`.
template <typename Result, typename Item>
Result result_for(const Item& item) {
  Result result;
  result.component = item.component;
  result.variable = item.variable;
  result.attributeType = item.attributeType;
  return result;
}

/// Get/SetVariableStatusEnumType for an access outcome (both spell them alike).
template <typename Status>
Status access_status(VariableAccess access) {
  switch (access) {
    case VariableAccess::Accepted:
      return Status::Accepted;
    case VariableAccess::Rejected:
      return Status::Rejected;
    case VariableAccess::UnknownComponent:
      return Status::UnknownComponent;
    case VariableAccess::UnknownVariable:
      return Status::UnknownVariable;
    case VariableAccess::NotSupportedAttributeType:
      return Status::NotSupportedAttributeType;
  }
  return Status::Rejected;  // not reached: the switch covers every VariableAccess
}

}  // namespace

void ChargingStation::send_report(std::int64_t request_id,
                                  std::vector<const DeviceVariable*> variables) {
  const auto per_part = static_cast<std::size_t>(std::max<std::int64_t>(
      1, model_.get_int("DeviceDataCtrlr", "ItemsPerMessage", 10, "GetReport")));
  const std::size_t parts = std::max<std::size_t>(1, (variables.size() + per_part - 1) / per_part);
  const ocpp::DateTime generated_at = scheduler_.wall_now();
  for (std::size_t part = 0; part < parts; ++part) {
    NotifyReportRequest req;
    req.requestId = request_id;
    req.generatedAt = generated_at;
    req.seqNo = static_cast<std::int64_t>(part);
    req.tbc = part + 1 < parts;
    std::vector<ReportDataType> data;
    const std::size_t end = std::min(variables.size(), (part + 1) * per_part);
    for (std::size_t i = part * per_part; i < end; ++i) data.push_back(report_data(*variables[i]));
    if (!data.empty()) req.reportData = std::move(data);
    OutgoingCall call = make_call(req);
    call.on_reply = [this, request_id, part, parts](const CallReply& reply) {
      if (reply.kind == CallReply::Kind::Dropped) {
        // Lost with the connection, like any message that is not queued; the
        // CSMS asks again if it still wants the report.
        log_.warn("NotifyReport {} part {} {}", request_id, part, describe_failure(reply));
      } else if (!reply.ok()) {
        emit_error(
            fmt::format("NotifyReport {} part {} {}", request_id, part, describe_failure(reply)));
      } else if (part + 1 == parts) {
        events_.emit(Event("report_sent").add("requestId", request_id).add("parts", parts));
      }
    };
    send_triggered(std::move(call));
  }
  log_.info("report {}: {} variable(s) in {} NotifyReport(s)", request_id, variables.size(), parts);
}

CallAnswer ChargingStation::on_get_base_report(const ocpp::Frame& call) {
  return answer<GetBaseReportRequest>(call, [this](const auto& req) {
    std::vector<const DeviceVariable*> selected;
    for (const auto& v : model_.variables()) {
      const bool wanted = req.reportBase == ReportBaseEnumType::FullInventory ||
                          (req.reportBase == ReportBaseEnumType::ConfigurationInventory &&
                           v.mutability != MutabilityEnumType::ReadOnly) ||
                          (req.reportBase == ReportBaseEnumType::SummaryInventory && v.summary);
      if (wanted) selected.push_back(&v);
    }
    return report_outcome<GetBaseReportResponse>(
        std::move(selected),
        [this, id = req.requestId](auto variables) { send_report(id, std::move(variables)); });
  });
}

CallAnswer ChargingStation::on_get_report(const ocpp::Frame& call) {
  return answer<GetReportRequest>(call, [this](const auto& req) {
    // componentCriteria: components with that variable (Active, Available,
    // Enabled, Problem) true. With componentVariable too, both must hold.
    std::vector<const ComponentRef*> chosen_components;
    if (req.componentCriteria && !req.componentCriteria->empty()) {
      for (const auto& v : model_.variables()) {
        if (!v.instance.empty() || v.value != "true") continue;
        for (auto criterion : *req.componentCriteria) {
          if (iequals(v.name, to_string(criterion))) chosen_components.push_back(&v.component);
        }
      }
    }
    std::vector<const DeviceVariable*> selected;
    for (const auto& v : model_.variables()) {
      if (req.componentCriteria && !req.componentCriteria->empty() &&
          std::none_of(chosen_components.begin(), chosen_components.end(),
                       [&v](const ComponentRef* c) { return same_component(*c, v.component); })) {
        continue;
      }
      if (req.componentVariable && !req.componentVariable->empty() &&
          std::none_of(req.componentVariable->begin(), req.componentVariable->end(),
                       [&v](const ComponentVariableType& e) { return matches(v, e); })) {
        continue;
      }
      selected.push_back(&v);
    }
    return report_outcome<GetReportResponse>(
        std::move(selected),
        [this, id = req.requestId](auto variables) { send_report(id, std::move(variables)); });
  });
}

CallAnswer ChargingStation::on_get_variables(const ocpp::Frame& call) {
  if (auto refused = over_items_limit(
          call, &GetVariablesRequest::getVariableData, "getVariableData",
          model_.get_int("DeviceDataCtrlr", "ItemsPerMessage", 50, "GetVariables"))) {
    return std::move(*refused);
  }
  return answer<GetVariablesRequest>(call, [this](const auto& req) {
    Outcome<GetVariablesResponse> out{{}, {}};
    for (const auto& item : req.getVariableData) {
      auto result = result_for<GetVariableResultType>(item);
      const ComponentRef ref = ref_of(item.component);
      const std::string instance = item.variable.instance.value_or("");
      std::string value;
      VariableAccess access = model_.get(ref, item.variable.name, instance, value);
      if (access == VariableAccess::Accepted && item.attributeType &&
          *item.attributeType != AttributeEnumType::Actual) {
        access = VariableAccess::NotSupportedAttributeType;  // only Actual values here
      }
      result.attributeStatus = access_status<GetVariableStatusEnumType>(access);
      if (access == VariableAccess::Accepted) {
        result.attributeValue = std::move(value);
      } else if (access == VariableAccess::Rejected) {
        result.attributeStatusInfo = status_info("WriteOnly", "the variable cannot be read");
      }
      out.response.getVariableResult.push_back(std::move(result));
    }
    return out;
  });
}

CallAnswer ChargingStation::on_set_variables(const ocpp::Frame& call) {
  if (auto refused = over_items_limit(
          call, &SetVariablesRequest::setVariableData, "setVariableData",
          model_.get_int("DeviceDataCtrlr", "ItemsPerMessage", 50, "SetVariables"))) {
    return std::move(*refused);
  }
  return answer<SetVariablesRequest>(call, [this](const auto& req) {
    Outcome<SetVariablesResponse> out{{}, {}};
    std::vector<const DeviceVariable*> changed;
    for (const auto& item : req.setVariableData) {
      auto result = result_for<SetVariableResultType>(item);
      const ComponentRef ref = ref_of(item.component);
      const std::string instance = item.variable.instance.value_or("");
      const bool actual = !item.attributeType || *item.attributeType == AttributeEnumType::Actual;
      SetOutcome outcome;
      if (!actual) {
        // Only Actual values here: check the address, change nothing.
        outcome.access = !model_.has_component(ref) ? VariableAccess::UnknownComponent
                         : model_.find(ref, item.variable.name, instance) == nullptr
                             ? VariableAccess::UnknownVariable
                             : VariableAccess::NotSupportedAttributeType;
      } else if (iequals(item.component.name, "SecurityCtrlr") &&
                 iequals(item.variable.name, "BasicAuthPassword")) {
        // Kept by the station, never in the model (whose changes are logged and monitored).
        outcome = set_basic_auth_password(item.attributeValue, out.then);
      } else {
        outcome = model_.set(ref, item.variable.name, instance, item.attributeValue);
      }
      result.attributeStatus = access_status<SetVariableStatusEnumType>(outcome.access);
      if (outcome.access == VariableAccess::Accepted && outcome.variable != nullptr) {
        if (std::find(changed.begin(), changed.end(), outcome.variable) == changed.end()) {
          changed.push_back(outcome.variable);
        }
      } else if (outcome.access == VariableAccess::Rejected) {
        result.attributeStatusInfo = status_info(outcome.reason_code, outcome.detail);
      }
      out.response.setVariableResult.push_back(std::move(result));
    }
    if (!changed.empty()) {
      out.then = [this, changed = std::move(changed), password = std::move(out.then)] {
        for (const DeviceVariable* v : changed) variable_changed(*v);
        if (password) password();
      };
    }
    return out;
  });
}

SetOutcome ChargingStation::set_basic_auth_password(const std::string& value,
                                                    std::function<void()>& then) {
  SetOutcome out;
  const std::size_t length = ocpp::utf8_length(value);
  const bool printable = std::all_of(value.begin(), value.end(),
                                     [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
  if (length < 16 || length > 40 || !printable) {
    out.access = VariableAccess::Rejected;
    out.reason_code = "InvalidValue";
    out.detail = "BasicAuthPassword: 16-40 printable characters";
    return out;
  }
  if (auto refusal = password_refusal()) {
    out.access = VariableAccess::Rejected;
    out.reason_code = "Unsupported";
    out.detail = *refusal;
    return out;
  }
  out.access = VariableAccess::Accepted;
  then = [this, value] { rotate_password(value); };
  return out;
}

void ChargingStation::variable_changed(const DeviceVariable& v) {
  log_.info("{}.{}{} = {}", v.component.name, v.name,
            v.instance.empty() ? "" : "[" + v.instance + "]", v.value);
  if (iequals(v.component.name, "OCPPCommCtrlr") && iequals(v.name, "HeartbeatInterval")) {
    if (ready()) schedule_heartbeat();
  } else if (iequals(v.component.name, "OCPPCommCtrlr") && iequals(v.name, "MessageTimeout")) {
    messenger_.set_call_timeout(
        std::chrono::seconds(model_.get_int("OCPPCommCtrlr", "MessageTimeout", 30, "Default")));
  } else if (iequals(v.component.name, "SampledDataCtrlr") &&
             iequals(v.name, "TxUpdatedInterval")) {
    for (int n = 1; n <= evse_count(); ++n) schedule_sample(n);
  }
}

}  // namespace simulator::v201
