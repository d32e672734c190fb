#include "csms/build_info.hpp"

#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"

namespace csms {

std::string build_info() {
  return "csms 0.1.0 (protocol library: OCPP 1.6 " +
         std::to_string(ocpp::v16::all_actions().size()) + " actions, OCPP 2.0.1 " +
         std::to_string(ocpp::v201::all_actions().size()) + " actions)";
}

}  // namespace csms
