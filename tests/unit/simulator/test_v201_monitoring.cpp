// 2.0.1 monitoring on the simulated station: SetVariableMonitoring's verdicts,
// ClearVariableMonitoring, SetMonitoringBase/Level, GetMonitoringReport's
// NotifyMonitoringReport parts, NotifyEvent when a monitor trips; CostUpdated
// and SetNetworkProfile.
#include <catch2/catch.hpp>

#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig201;
using simtest::Sent;
using simtest::text_at;

namespace {

Rig201& booted(Rig201& rig) {
  rig.responses["NotifyEvent"] = [](const Sent&) { return std::string("{}"); };
  rig.responses["NotifyMonitoringReport"] = [](const Sent&) { return std::string("{}"); };
  rig.boot();
  return rig;
}

std::string set_one(Rig201& rig, const std::string& item) {
  auto answer = rig.csms_call("SetVariableMonitoring", R"({"setMonitoringData":[)" + item + "]}");
  return text_at(answer.payload()["setMonitoringResult"][0]["status"]);
}

}  // namespace

TEST_CASE("v201 monitoring: SetVariableMonitoring answers per item as the spec lists") {
  Rig201 rig;
  booted(rig);
  auto answer = rig.csms_call("SetVariableMonitoring", R"({"setMonitoringData":[
      {"value":1000,"type":"UpperThreshold","severity":4,
       "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}},
      {"value":1,"type":"Delta","severity":4,
       "component":{"name":"NoSuchCtrlr"},"variable":{"name":"Power"}},
      {"value":1,"type":"Delta","severity":4,
       "component":{"name":"OCPPCommCtrlr"},"variable":{"name":"NoSuchVariable"}},
      {"value":60,"type":"Periodic","severity":4,
       "component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},
      {"value":1,"type":"UpperThreshold","severity":4,
       "component":{"name":"ChargingStation"},"variable":{"name":"Model"}},
      {"value":99999,"type":"UpperThreshold","severity":4,
       "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}},
      {"id":555,"value":1,"type":"Delta","severity":4,
       "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}}]})");
  const auto& r = answer.payload()["setMonitoringResult"];
  REQUIRE(r.Size() == 7);
  CHECK(text_at(r[0]["status"]) == "Accepted");
  CHECK(r[0]["id"].GetInt64() >= 2);
  CHECK(text_at(r[1]["status"]) == "UnknownComponent");
  CHECK(text_at(r[2]["status"]) == "UnknownVariable");
  CHECK(text_at(r[3]["status"]) == "UnsupportedMonitorType");
  CHECK(text_at(r[4]["status"]) == "UnsupportedMonitorType");  // a threshold on text
  CHECK(text_at(r[5]["status"]) == "Rejected");                // beyond the variable's limit
  CHECK(text_at(r[6]["status"]) == "Rejected");                // no monitor 555 to replace
  CHECK(set_one(rig, R"({"value":1000,"type":"UpperThreshold","severity":4,
      "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}})") == "Duplicate");
  CHECK(set_one(rig, R"({"id":1,"value":2,"type":"Delta","severity":4,
      "component":{"name":"ChargingStation"},"variable":{"name":"Problem"}})") == "Rejected");
  CHECK(rig.station->monitoring().monitors.monitors().size() == 2);  // hard-wired + one
}

TEST_CASE("v201 monitoring: a threshold crossing sends NotifyEvent after the answer, then clears") {
  Rig201 rig;
  booted(rig);
  REQUIRE(set_one(rig, R"({"value":500,"type":"UpperThreshold","severity":2,
      "component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}})") ==
          "Accepted");
  auto set = rig.csms_call("SetVariables", R"({"setVariableData":[{"attributeValue":"600",
      "component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]})");
  rig.sched.run_due();
  rig.answer();
  CHECK(rig.answered_before(set, "NotifyEvent"));
  auto events = rig.calls("NotifyEvent");
  REQUIRE(events.size() == 1);
  const auto& e = events[0].payload()["eventData"][0];
  CHECK(text_at(e["trigger"]) == "Alerting");
  CHECK(text_at(e["actualValue"]) == "600");
  CHECK_FALSE(e["cleared"].GetBool());
  CHECK(text_at(e["eventNotificationType"]) == "CustomMonitor");
  CHECK(text_at(e["variable"]["name"]) == "HeartbeatInterval");

  // Above the monitoring level: tracked, not reported.
  CHECK(text_at(rig.csms_call("SetMonitoringLevel", R"({"severity":1})").payload()["status"]) ==
        "Accepted");
  rig.csms_call("SetVariables", R"({"setVariableData":[{"attributeValue":"100",
      "component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]})");
  rig.sched.run_due();
  rig.answer();
  CHECK(rig.calls("NotifyEvent").size() == 1);
  CHECK(text_at(rig.csms_call("SetMonitoringLevel", R"({"severity":10})").payload()["status"]) ==
        "Rejected");
}

TEST_CASE("v201 monitoring: reports by criteria and variable, clear per id, base drops custom") {
  Rig201 rig;
  booted(rig);
  REQUIRE(
      rig.station->device_model().force({"DeviceDataCtrlr"}, "ItemsPerMessage", "1", "GetReport"));
  REQUIRE(set_one(rig, R"({"value":1000,"type":"UpperThreshold","severity":4,
      "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}})") == "Accepted");
  REQUIRE(set_one(rig, R"({"value":10,"type":"LowerThreshold","severity":5,
      "component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}})") == "Accepted");
  auto all = rig.csms_call("GetMonitoringReport", R"({"requestId":9})");
  CHECK(text_at(all.payload()["status"]) == "Accepted");
  rig.answer();
  auto parts = rig.calls("NotifyMonitoringReport");
  REQUIRE(parts.size() == 2);  // two variables, one a part
  CHECK(parts[0].payload()["tbc"].GetBool());
  CHECK_FALSE(parts[1].payload()["tbc"].GetBool());
  CHECK(parts[1].payload()["monitor"][0]["variableMonitoring"].Size() == 2);  // Power's two

  CHECK(text_at(rig.csms_call("GetMonitoringReport",
                              R"({"requestId":10,"monitoringCriteria":["PeriodicMonitoring"]})")
                    .payload()["status"]) == "EmptyResultSet");
  CHECK(text_at(rig.csms_call("GetMonitoringReport", R"({"requestId":11,
      "componentVariable":[{"component":{"name":"OCPPCommCtrlr"}}]})")
                    .payload()["status"]) == "EmptyResultSet");

  auto clear = rig.csms_call("ClearVariableMonitoring", R"({"id":[1,2,77]})");
  const auto& r = clear.payload()["clearMonitoringResult"];
  CHECK(text_at(r[0]["status"]) == "Rejected");
  CHECK(text_at(r[1]["status"]) == "Accepted");
  CHECK(text_at(r[2]["status"]) == "NotFound");
  CHECK(text_at(rig.csms_call("SetMonitoringBase", R"({"monitoringBase":"FactoryDefault"})")
                    .payload()["status"]) == "Accepted");
  CHECK(rig.station->monitoring().monitors.monitors().size() == 1);  // the hard-wired one
}

TEST_CASE("v201 CostUpdated is kept by transaction - SetNetworkProfile takes a known slot") {
  Rig201 rig;
  booted(rig);
  rig.csms_call("CostUpdated", R"({"totalCost":3.5,"transactionId":"TX-1"})");
  CHECK(rig.station->monitoring().total_costs.at("TX-1") == Approx(3.5));
  auto profile = [](int slot, int security) {
    return R"({"configurationSlot":)" + std::to_string(slot) +
           R"(,"connectionData":{"ocppVersion":"OCPP20","ocppTransport":"JSON",
           "ocppCsmsUrl":"ws://example.org/ocpp","messageTimeout":30,"securityProfile":)" +
           std::to_string(security) + R"(,"ocppInterface":"Wired0"}})";
  };
  CHECK(text_at(rig.csms_call("SetNetworkProfile", profile(2, 1)).payload()["status"]) ==
        "Accepted");
  CHECK(rig.station->monitoring().network_profiles.count(2) == 1);
  CHECK(text_at(rig.csms_call("SetNetworkProfile", profile(3, 1)).payload()["status"]) ==
        "Rejected");
  CHECK(text_at(rig.csms_call("SetNetworkProfile", profile(2, 0)).payload()["status"]) ==
        "Rejected");
}
