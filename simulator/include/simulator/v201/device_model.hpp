#pragma once
// The OCPP 2.0.1 device model of a simulated station: components, their
// variables (the Actual attribute only) and the rules a CSMS's SetVariables is
// checked against.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocpp/v201/messages.hpp"
#include "simulator/station.hpp"

namespace simulator::v201 {

/// A component's address: name, instance, and the EVSE/connector it belongs to.
struct ComponentRef {
  ComponentRef() = default;
  // Implicit, so `{"OCPPCommCtrlr"}` names a station-level component.
  ComponentRef(std::string name_, std::string instance_ = {}, std::int64_t evse_ = 0,
               std::int64_t connector_ = 0)
      : name(std::move(name_)),
        instance(std::move(instance_)),
        evse(evse_),
        connector(connector_) {}

  std::string name;
  std::string instance;        ///< Empty: none.
  std::int64_t evse = 0;       ///< 0: not EVSE-specific.
  std::int64_t connector = 0;  ///< 0: the EVSE itself (or not EVSE-specific).
};

/// One variable: its Actual attribute and characteristics.
struct DeviceVariable {
  ComponentRef component;
  std::string name;
  std::string instance;  ///< Empty: none.
  std::string value;
  ocpp::v201::MutabilityEnumType mutability = ocpp::v201::MutabilityEnumType::ReadWrite;
  bool persistent = true;
  bool constant = false;
  ocpp::v201::DataEnumType data_type = ocpp::v201::DataEnumType::string;
  std::string unit;  ///< Empty: none.
  std::optional<double> min_limit;
  std::optional<double> max_limit;  ///< For strings: the longest value allowed.
  std::vector<std::string> values_list;
  bool summary = false;  ///< Part of a SummaryInventory report.
};

/// How a CSMS's access to one variable went (GetVariables/SetVariables statuses).
enum class VariableAccess {
  Accepted,
  Rejected,
  UnknownComponent,
  UnknownVariable,
  NotSupportedAttributeType
};

/// The outcome of a CSMS write, with the reason a rejection gives.
struct SetOutcome {
  VariableAccess access = VariableAccess::Accepted;
  std::string reason_code;  ///< StatusInfo reasonCode when not Accepted.
  std::string detail;
  const DeviceVariable* variable = nullptr;  ///< Set when the variable exists.
};

/// Variables in definition order. Names and instances match case-insensitively
/// (the 2.0.1 schemas' rule for component and variable names).
class DeviceModel {
 public:
  /// Adds (or replaces) a variable; its value is not checked.
  void define(DeviceVariable variable);

  /// The variable at an exact address (as GetVariables/SetVariables name it).
  const DeviceVariable* find(const ComponentRef& component, std::string_view name,
                             std::string_view instance = {}) const;
  bool has_component(const ComponentRef& component) const;
  /// A CSMS read: UnknownComponent/UnknownVariable, Rejected for WriteOnly.
  VariableAccess get(const ComponentRef& component, std::string_view name,
                     std::string_view instance, std::string& value) const;
  /// A CSMS write: unknown → UnknownComponent/UnknownVariable; ReadOnly,
  /// constant or an invalid value → Rejected; else stored (normalized).
  SetOutcome set(const ComponentRef& component, std::string_view name, std::string_view instance,
                 std::string_view value);
  /// A local change (the station's own state, tests): ignores mutability, still
  /// validated. False (and no change) when unknown or invalid.
  bool force(const ComponentRef& component, std::string_view name, std::string_view value,
             std::string_view instance = {});

  /// Values of station-level variables (no EVSE), with a fallback.
  std::int64_t get_int(std::string_view component, std::string_view name, std::int64_t fallback,
                       std::string_view instance = {}) const;
  bool get_bool(std::string_view component, std::string_view name, bool fallback) const;
  std::vector<std::string> get_list(std::string_view component, std::string_view name) const;

  const std::vector<DeviceVariable>& variables() const { return variables_; }

  /// Called after set() or force() changed a value, with the value before
  /// (the variable monitors watch through it).
  using ChangeObserver = std::function<void(const DeviceVariable&, const std::string& previous)>;
  void on_change(ChangeObserver observer) { on_change_ = std::move(observer); }

  /// Whether `value` suits the variable's data type and limits; writes the
  /// normalized form or, when not, why.
  static bool validate(const DeviceVariable& variable, std::string_view value,
                       std::string& normalized, std::string& why);

 private:
  DeviceVariable* find_mutable(const ComponentRef& component, std::string_view name,
                               std::string_view instance);
  std::vector<DeviceVariable> variables_;
  ChangeObserver on_change_;
};

/// Whether two component addresses are the same (names case-insensitively).
bool same_component(const ComponentRef& a, const ComponentRef& b);

/// The device model of a station with these settings (EVSEs 1..connectors).
DeviceModel default_device_model(const StationSettings& settings);

}  // namespace simulator::v201
