// Nothing silent: every action a station may send, in either version, has a
// handler that answers it.
#include <catch2/catch.hpp>

#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"
#include "unit/csms/session_rig.hpp"

namespace {

void every_station_action_is_routed(ocpp::Version version,
                                    const std::vector<ocpp::ActionInfo>& actions) {
  csms_test::Rig rig(version);
  for (const auto& info : actions) {
    if (info.initiator == ocpp::Initiator::Csms) continue;
    INFO(info.name);
    CHECK(rig.router.find(info.name) != nullptr);
  }
}

}  // namespace

TEST_CASE("every OCPP 1.6 action a charge point may send has a handler", "[routes]") {
  every_station_action_is_routed(ocpp::Version::v16, ocpp::v16::all_actions());
}

TEST_CASE("every OCPP 2.0.1 action a charging station may send has a handler", "[routes]") {
  every_station_action_is_routed(ocpp::Version::v201, ocpp::v201::all_actions());
}
