#pragma once
// Helpers of the 2.0.1 command handlers (dispatch.cpp, reports.cpp,
// monitoring.cpp...), private to the simulator.

#include <string>
#include <utility>

#include "ocpp/v201/messages.hpp"
#include "rpc.hpp"
#include "simulator/v201/device_model.hpp"

namespace simulator::v201 {

/// simulator::answer, with CALLERRORs spelt for 2.0.1.
template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v201, std::forward<Fn>(fn));
}

inline ocpp::v201::StatusInfoType status_info(std::string reason_code, std::string detail = {}) {
  ocpp::v201::StatusInfoType info;
  info.reasonCode = std::move(reason_code);
  if (!detail.empty()) info.additionalInfo = std::move(detail);
  return info;
}

/// A wire component as the device model addresses it.
inline ComponentRef ref_of(const ocpp::v201::ComponentType& c) {
  ComponentRef ref;
  ref.name = c.name;
  ref.instance = c.instance.value_or("");
  if (c.evse) {
    ref.evse = c.evse->id;
    ref.connector = c.evse->connectorId.value_or(0);
  }
  return ref;
}

/// A device-model address as a wire component (absent parts left out).
inline ocpp::v201::ComponentType component_of(const ComponentRef& ref) {
  ocpp::v201::ComponentType c;
  c.name = ref.name;
  if (!ref.instance.empty()) c.instance = ref.instance;
  if (ref.evse != 0) {
    ocpp::v201::EVSEType evse;
    evse.id = ref.evse;
    if (ref.connector != 0) evse.connectorId = ref.connector;
    c.evse = evse;
  }
  return c;
}

}  // namespace simulator::v201
