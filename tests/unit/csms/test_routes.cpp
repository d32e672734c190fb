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

namespace {

// What a station hears back for a CALL it sent (the CALLERROR code, or "" for a CALLRESULT).
std::string answer_code(csms_test::Rig& rig, const std::string& call) {
  auto answer = rig.exchange(call);
  return answer[0].GetInt() == 4 ? answer[2].GetString() : "";
}

void boot(csms_test::Rig& rig, ocpp::Version version) {
  const std::string payload =
      version == ocpp::Version::v16
          ? R"({"chargePointVendor":"V","chargePointModel":"M"})"
          : R"({"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}})";
  REQUIRE(answer_code(rig, R"([2,"b1","BootNotification",)" + payload + "]").empty());
}

}  // namespace

TEST_CASE("an unknown action is answered NotImplemented, one only the CSMS sends NotSupported",
          "[routes]") {
  for (auto version : {ocpp::Version::v16, ocpp::Version::v201}) {
    csms_test::Rig rig(version);
    boot(rig, version);
    INFO(std::string(ocpp::subprotocol(version)));
    CHECK(answer_code(rig, R"([2,"u1","FrobnicateWidget",{}])") == "NotImplemented");
    CHECK(answer_code(rig, R"([2,"u2","Reset",{"type":"Hard"}])") == "NotSupported");
    CHECK(answer_code(rig, R"([2,"u3","UnlockConnector",{"connectorId":1}])") == "NotSupported");
  }
}
