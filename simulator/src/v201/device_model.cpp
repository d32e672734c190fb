// The 2.0.1 device model: lookup, validation and the variables a simulated
// station offers (OCPP 2.0.1 Part 2, appendix 3, for the names).
#include "simulator/v201/device_model.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "ocpp/common/datetime.hpp"
#include "ocpp/common/utf8.hpp"
#include "simulator/config_store.hpp"

namespace simulator::v201 {

using ocpp::v201::DataEnumType;
using ocpp::v201::MutabilityEnumType;

bool same_component(const ComponentRef& a, const ComponentRef& b) {
  return iequals(a.name, b.name) && iequals(a.instance, b.instance) && a.evse == b.evse &&
         a.connector == b.connector;
}

void DeviceModel::define(DeviceVariable variable) {
  if (DeviceVariable* existing =
          find_mutable(variable.component, variable.name, variable.instance)) {
    *existing = std::move(variable);
  } else {
    variables_.push_back(std::move(variable));
  }
}

DeviceVariable* DeviceModel::find_mutable(const ComponentRef& component, std::string_view name,
                                          std::string_view instance) {
  for (auto& v : variables_) {
    if (same_component(v.component, component) && iequals(v.name, name) &&
        iequals(v.instance, instance)) {
      return &v;
    }
  }
  return nullptr;
}

const DeviceVariable* DeviceModel::find(const ComponentRef& component, std::string_view name,
                                        std::string_view instance) const {
  return const_cast<DeviceModel*>(this)->find_mutable(component, name, instance);
}

bool DeviceModel::has_component(const ComponentRef& component) const {
  for (const auto& v : variables_) {
    if (same_component(v.component, component)) return true;
  }
  return false;
}

VariableAccess DeviceModel::get(const ComponentRef& component, std::string_view name,
                                std::string_view instance, std::string& value) const {
  if (!has_component(component)) return VariableAccess::UnknownComponent;
  const DeviceVariable* v = find(component, name, instance);
  if (v == nullptr) return VariableAccess::UnknownVariable;
  if (v->mutability == MutabilityEnumType::WriteOnly) return VariableAccess::Rejected;
  value = v->value;
  return VariableAccess::Accepted;
}

SetOutcome DeviceModel::set(const ComponentRef& component, std::string_view name,
                            std::string_view instance, std::string_view value) {
  SetOutcome out;
  if (!has_component(component)) {
    out.access = VariableAccess::UnknownComponent;
    return out;
  }
  DeviceVariable* v = find_mutable(component, name, instance);
  if (v == nullptr) {
    out.access = VariableAccess::UnknownVariable;
    return out;
  }
  out.variable = v;
  if (v->mutability == MutabilityEnumType::ReadOnly || v->constant) {
    out.access = VariableAccess::Rejected;
    out.reason_code = "ReadOnly";
    out.detail = v->name + " is read-only";
    return out;
  }
  std::string normalized;
  if (!validate(*v, value, normalized, out.detail)) {
    out.access = VariableAccess::Rejected;
    out.reason_code = "InvalidValue";
    return out;
  }
  std::string previous = std::exchange(v->value, std::move(normalized));
  if (on_change_ && v->value != previous) on_change_(*v, previous);
  return out;
}

bool DeviceModel::force(const ComponentRef& component, std::string_view name,
                        std::string_view value, std::string_view instance) {
  DeviceVariable* v = find_mutable(component, name, instance);
  std::string normalized;
  std::string why;
  if (v == nullptr || !validate(*v, value, normalized, why)) return false;
  std::string previous = std::exchange(v->value, std::move(normalized));
  if (on_change_ && v->value != previous) on_change_(*v, previous);
  return true;
}

std::int64_t DeviceModel::get_int(std::string_view component, std::string_view name,
                                  std::int64_t fallback, std::string_view instance) const {
  const DeviceVariable* v = find(ComponentRef{std::string(component)}, name, instance);
  if (v == nullptr) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v->value.c_str(), &end, 10);
  if (errno != 0 || end == v->value.c_str() || *end != '\0') return fallback;
  return n;
}

bool DeviceModel::get_bool(std::string_view component, std::string_view name, bool fallback) const {
  const DeviceVariable* v = find(ComponentRef{std::string(component)}, name);
  if (v == nullptr) return fallback;
  if (v->value == "true") return true;
  if (v->value == "false") return false;
  return fallback;
}

std::vector<std::string> DeviceModel::get_list(std::string_view component,
                                               std::string_view name) const {
  const DeviceVariable* v = find(ComponentRef{std::string(component)}, name);
  if (v == nullptr) return {};
  return split_list(v->value);
}

namespace {

std::string limits_text(const DeviceVariable& v) {
  if (v.min_limit && v.max_limit) return fmt::format(" in {}..{}", *v.min_limit, *v.max_limit);
  if (v.min_limit) return fmt::format(" >= {}", *v.min_limit);
  if (v.max_limit) return fmt::format(" <= {}", *v.max_limit);
  return "";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

bool DeviceModel::validate(const DeviceVariable& v, std::string_view value, std::string& normalized,
                           std::string& why) {
  // The kinds the 1.6 configuration store already checks go through its rules.
  ConfigKey rule;
  rule.name = v.name;
  switch (v.data_type) {
    case DataEnumType::integer:
      rule.kind = ValueKind::Integer;
      rule.min = v.min_limit ? static_cast<std::int64_t>(std::ceil(*v.min_limit))
                             : std::numeric_limits<std::int64_t>::min();
      rule.max = v.max_limit ? static_cast<std::int64_t>(std::floor(*v.max_limit))
                             : std::numeric_limits<std::int64_t>::max();
      if (ConfigStore::validate(rule, value, normalized)) return true;
      why = fmt::format("\"{}\" is not an integer{}", value, limits_text(v));
      return false;
    case DataEnumType::boolean:
      rule.kind = ValueKind::Boolean;
      if (ConfigStore::validate(rule, value, normalized)) return true;
      why = fmt::format("\"{}\" is not true or false", value);
      return false;
    case DataEnumType::OptionList:
      rule.kind = ValueKind::Text;
      rule.allowed = v.values_list;
      if (ConfigStore::validate(rule, value, normalized)) return true;
      why = fmt::format("\"{}\" is not one of {}", value, join(v.values_list));
      return false;
    case DataEnumType::MemberList:
    case DataEnumType::SequenceList:
      rule.kind = ValueKind::List;
      rule.allowed = v.values_list;
      if (ConfigStore::validate(rule, value, normalized)) return true;
      why = fmt::format("\"{}\" holds an item not in {}", value, join(v.values_list));
      return false;
    case DataEnumType::decimal: {
      const std::string text(value);
      char* end = nullptr;
      errno = 0;
      const double d = std::strtod(text.c_str(), &end);
      const bool ok = !text.empty() && errno == 0 && end == text.c_str() + text.size() &&
                      std::isfinite(d) && (!v.min_limit || d >= *v.min_limit) &&
                      (!v.max_limit || d <= *v.max_limit);
      if (ok) {
        normalized = text;
        return true;
      }
      why = fmt::format("\"{}\" is not a decimal{}", value, limits_text(v));
      return false;
    }
    case DataEnumType::dateTime:
      if (ocpp::DateTime::parse(value)) {
        normalized = std::string(value);
        return true;
      }
      why = fmt::format("\"{}\" is not an RFC 3339 date-time", value);
      return false;
    case DataEnumType::string:
      if (v.max_limit && static_cast<double>(ocpp::utf8_length(value)) > *v.max_limit) {
        why = fmt::format("longer than {} characters", *v.max_limit);
        return false;
      }
      normalized = std::string(value);
      return true;
  }
  why = "unsupported data type";
  return false;
}

// ---------------------------------------------------------------------------
// The variables of a simulated station

namespace {

const std::vector<std::string> kAvailabilityStates = {"Available", "Occupied", "Reserved",
                                                      "Unavailable", "Faulted"};
const std::vector<std::string> kMeasurands = {
    "Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC"};

/// Builds the variables of one component.
class ComponentBuilder {
 public:
  ComponentBuilder(DeviceModel& model, ComponentRef component)
      : model_(model), component_(std::move(component)) {}

  DeviceVariable& add(std::string name, std::string value, DataEnumType type,
                      MutabilityEnumType mutability, std::string instance = {}) {
    DeviceVariable v;
    v.component = component_;
    v.name = std::move(name);
    v.instance = std::move(instance);
    v.value = std::move(value);
    v.data_type = type;
    v.mutability = mutability;
    v.constant = mutability == MutabilityEnumType::ReadOnly;
    pending_.push_back(std::move(v));
    return pending_.back();
  }
  DeviceVariable& read_only(std::string name, std::string value, DataEnumType type,
                            std::string instance = {}) {
    return add(std::move(name), std::move(value), type, MutabilityEnumType::ReadOnly,
               std::move(instance));
  }
  DeviceVariable& read_write(std::string name, std::string value, DataEnumType type,
                             std::string instance = {}) {
    return add(std::move(name), std::move(value), type, MutabilityEnumType::ReadWrite,
               std::move(instance));
  }
  /// AvailabilityState and Available, which the station keeps up to date.
  void availability() {
    auto& state = read_only("AvailabilityState", "Available", DataEnumType::OptionList);
    state.values_list = kAvailabilityStates;
    live(state).summary = true;
    live(read_only("Available", "true", DataEnumType::boolean)).summary = true;
  }
  /// A read-only value the station changes as it runs.
  static DeviceVariable& live(DeviceVariable& v) {
    v.constant = false;
    v.persistent = false;
    return v;
  }
  ~ComponentBuilder() {
    for (auto& v : pending_) model_.define(std::move(v));
  }
  ComponentBuilder(const ComponentBuilder&) = delete;
  ComponentBuilder& operator=(const ComponentBuilder&) = delete;

 private:
  DeviceModel& model_;
  ComponentRef component_;
  std::deque<DeviceVariable> pending_;  // deque: add() hands out references that must stay valid
};

DeviceVariable& seconds(DeviceVariable& v, double min, double max) {
  v.unit = "s";
  v.min_limit = min;
  v.max_limit = max;
  return v;
}

}  // namespace

DeviceModel default_device_model(const StationSettings& settings) {
  using D = DataEnumType;
  DeviceModel model;
  {
    ComponentBuilder c(model, {"ChargingStation"});
    c.availability();
    c.read_only("Model", settings.model, D::string).summary = true;
    c.read_only("VendorName", settings.vendor, D::string).summary = true;
    ComponentBuilder::live(c.read_only("Problem", "false", D::boolean)).summary = true;
    c.read_only("SupplyPhases", "1", D::integer);
  }
  {
    ComponentBuilder c(model, {"OCPPCommCtrlr"});
    seconds(c.read_write("HeartbeatInterval", std::to_string(settings.heartbeat_s.value_or(300)),
                         D::integer),
            0, 7 * 86400);
    const auto timeout_s = static_cast<std::int64_t>(
        std::max(1.0, std::ceil(std::chrono::duration<double>(settings.call_timeout).count())));
    seconds(c.read_write("MessageTimeout", std::to_string(timeout_s), D::integer, "Default"), 1,
            86400);
    auto& priority = c.read_write("NetworkConfigurationPriority", "1", D::SequenceList);
    // Slot 1: the command line's URL; slot 2 takes a SetNetworkProfile.
    priority.values_list = {"1", "2"};
  }
  {
    ComponentBuilder c(model, {"SampledDataCtrlr"});
    c.read_write("TxStartedMeasurands", "Energy.Active.Import.Register", D::MemberList)
        .values_list = kMeasurands;
    c.read_write("TxUpdatedMeasurands",
                 "Energy.Active.Import.Register,Power.Active.Import,Current.Import,SoC",
                 D::MemberList)
        .values_list = kMeasurands;
    seconds(c.read_write("TxUpdatedInterval",
                         std::to_string(settings.meter_interval_s.value_or(60)), D::integer),
            0, 86400);
    c.read_write("TxEndedMeasurands", "Energy.Active.Import.Register", D::MemberList).values_list =
        kMeasurands;
  }
  {
    ComponentBuilder c(model, {"AuthCtrlr"});
    c.read_write("Enabled", "true", D::boolean);
    c.read_write("AuthorizeRemoteStart", "false", D::boolean);
    c.read_write("LocalAuthorizeOffline", "true", D::boolean);
    c.read_write("LocalPreAuthorize", "false", D::boolean);
    // True (the spec leaves it to the station) so offline scenarios can charge.
    c.read_write("OfflineTxForUnknownIdEnabled", "true", D::boolean);
  }
  {
    ComponentBuilder c(model, {"LocalAuthListCtrlr"});
    c.read_write("Enabled", "true", D::boolean);
    c.read_only("Available", "true", D::boolean);
    c.read_only("ItemsPerMessage", "100", D::integer).min_limit = 1;
    c.read_only("BytesPerMessage", "65000", D::integer).min_limit = 1;
    c.read_only("Storage", "65000", D::integer);
  }
  {
    ComponentBuilder c(model, {"ReservationCtrlr"});
    c.read_write("Enabled", "true", D::boolean);
    c.read_only("Available", "true", D::boolean);
    c.read_only("NonEvseSpecific", "false", D::boolean);
  }
  {
    ComponentBuilder c(model, {"AuthCacheCtrlr"});
    c.read_write("Enabled", "true", D::boolean);
  }
  {
    ComponentBuilder c(model, {"TxCtrlr"});
    seconds(c.read_write("EVConnectionTimeOut", "60", D::integer), 0, 86400);
    c.read_write("StopTxOnInvalidId", "true", D::boolean);
    // Fixed behaviour of the simulator, so read-only: a transaction starts when
    // authorized and ends when authorization (or the EV) goes.
    c.read_only("TxStartPoint", "Authorized", D::MemberList).values_list = {"Authorized"};
    c.read_only("TxStopPoint", "Authorized,EVConnected", D::MemberList).values_list = {
        "Authorized", "EVConnected"};
  }
  {
    ComponentBuilder c(model, {"DeviceDataCtrlr"});
    for (const char* instance : {"GetReport", "GetVariables", "SetVariables"}) {
      c.read_only("ItemsPerMessage", std::string(instance) == "GetReport" ? "10" : "50", D::integer,
                  instance)
          .min_limit = 1;
      c.read_only("BytesPerMessage", "65000", D::integer, instance).min_limit = 1;
    }
  }
  {
    ComponentBuilder c(model, {"SecurityCtrlr"});
    c.read_only("Identity", settings.id, D::string).max_limit = 48;
    // 2.0.1 knows profiles 1..3; the command line's URL and credentials say which.
    c.read_only("SecurityProfile", std::to_string(std::max(1, settings.security_profile)),
                D::integer);
    // Write-only: the CSMS rotates it (a read is Rejected); 16-40 characters.
    c.add("BasicAuthPassword", "", D::string, MutabilityEnumType::WriteOnly).max_limit = 40;
  }
  for (int n = 1; n <= settings.connectors; ++n) {
    {
      ComponentBuilder c(model, {"EVSE", "", n, 0});
      c.availability();
      auto& power = ComponentBuilder::live(c.read_only("Power", "0", D::decimal));
      power.unit = "W";
      power.min_limit = 0;
      power.max_limit = settings.power_w;
      c.read_only("SupplyPhases", "1", D::integer);
    }
    {
      ComponentBuilder c(model, {"Connector", "", n, 1});
      c.availability();
      c.read_only("ConnectorType", "cType2", D::string);
      c.read_only("SupplyPhases", "1", D::integer);
    }
  }
  return model;
}

}  // namespace simulator::v201
