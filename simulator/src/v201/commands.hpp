#pragma once
// Helpers of the 2.0.1 command handlers (dispatch.cpp, reports.cpp), private
// to the simulator.

#include <string>
#include <utility>

#include "ocpp/v201/messages.hpp"
#include "rpc.hpp"

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

}  // namespace simulator::v201
