// 2.0.1 variable monitoring end to end: csmsctl sets monitors on ocpp-sim
// (stored once the station accepted them), reads them back with
// GetMonitoringReport (NotifyMonitoringReport parts stored), clears them,
// changes the monitoring base and level; a monitor that trips reaches the CSMS
// as a NotifyEvent recorded on it; bad input is refused before anything is sent.
#include <catch2/catch.hpp>

#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::unique_ptr<Sim> start_station(Csms& csms, const std::string& id) {
  REQUIRE(csms.ctl({"station", "add", id}).code == 0);
  auto sim = std::make_unique<Sim>(csms, id, std::vector<std::string>{"--ocpp", "2.0.1"});
  REQUIRE(sim->wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  return sim;
}

const rapidjson::Value* monitor_with_id(const rapidjson::Value& list, std::int64_t id) {
  for (const auto& m : list.GetArray()) {
    if (m["id"].GetInt64() == id) return &m;
  }
  return nullptr;
}

/// How many CALLs of `action` the CSMS sent the station.
int calls_sent(const Csms& csms, const std::string& station, const std::string& action) {
  auto log = csms.ctl_json({"log", station, "--limit", "500"});
  int n = 0;
  for (const auto& f : log.GetArray()) {
    if (str(f["direction"]) == "out" &&
        str(f["frame"]).find("\"" + action + "\"") != std::string::npos)
      ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("monitors set on a 2.0.1 station are stored, reported back in parts and cleared",
          "[e2e][monitoring]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-M1");

  // Two references: two monitors in one SetVariableMonitoring.
  auto set = csms.ctl_json({"cmd", "CS-M1", "monitor-set", "EVSE@1.Power",
                            "OCPPCommCtrlr.HeartbeatInterval", "--type", "UpperThreshold",
                            "--value", "1000", "--severity", "4"});
  CHECK(str(set["action"]) == "SetVariableMonitoring");
  const auto& results = set["response"]["setMonitoringResult"];
  REQUIRE(results.Size() == 2);
  CHECK(str(results[0]["status"]) == "Accepted");
  CHECK(str(results[1]["status"]) == "Accepted");
  const std::int64_t power_id = results[0]["id"].GetInt64();
  const std::int64_t heartbeat_id = results[1]["id"].GetInt64();

  // The station's own verdicts are passed on, and nothing is stored for them.
  auto again = csms.ctl_json({"cmd", "CS-M1", "monitor-set", "EVSE@1.Power", "--type",
                              "UpperThreshold", "--value", "1000", "--severity", "4"});
  CHECK(str(again["response"]["setMonitoringResult"][0]["status"]) == "Duplicate");
  auto unknown = csms.ctl_json({"cmd", "CS-M1", "monitor-set", "NoSuchCtrlr.Thing", "--type",
                                "Delta", "--value", "1", "--severity", "5"});
  CHECK(str(unknown["response"]["setMonitoringResult"][0]["status"]) == "UnknownComponent");

  auto periodic_set =
      csms.ctl_json({"cmd", "CS-M1", "monitor-set", "OCPPCommCtrlr.HeartbeatInterval", "--type",
                     "Periodic", "--value", "60", "--severity", "5"});
  CHECK(str(periodic_set["response"]["setMonitoringResult"][0]["status"]) ==
        "UnsupportedMonitorType");

  auto stored = csms.ctl_json({"station", "monitors", "CS-M1"});
  REQUIRE(stored.Size() == 2);
  const auto* power = monitor_with_id(stored, power_id);
  REQUIRE(power != nullptr);
  CHECK(str((*power)["component"]) == "EVSE");
  CHECK((*power)["evseId"].GetInt() == 1);
  CHECK(str((*power)["variable"]) == "Power");
  CHECK(str((*power)["type"]) == "UpperThreshold");
  CHECK((*power)["value"].GetDouble() == Approx(1000));
  CHECK((*power)["severity"].GetInt() == 4);
  CHECK((*power)["transaction"].IsFalse());
  CHECK(str((*power)["source"]) == "SetVariableMonitoring");

  // The report names every monitor, the station's hard-wired one (id 1) too.
  auto report = csms.ctl_json({"cmd", "CS-M1", "monitor-report"});
  CHECK(str(report["action"]) == "GetMonitoringReport");
  CHECK(str(report["response"]["status"]) == "Accepted");
  const std::int64_t request = report["response"]["requestId"].GetInt64();
  REQUIRE(sim->wait_event("monitoring_report_sent", 10s,
                          {{"requestId", std::to_string(request)}, {"parts", "1"}}));
  stored = csms.ctl_json({"station", "monitors", "CS-M1"});
  REQUIRE(stored.Size() == 3);
  CHECK(str((*monitor_with_id(stored, power_id))["source"]) == "SetVariableMonitoring");
  const auto* hardwired = monitor_with_id(stored, 1);
  REQUIRE(hardwired != nullptr);
  CHECK(str((*hardwired)["variable"]) == "Problem");
  CHECK(str((*hardwired)["source"]) == "NotifyMonitoringReport");
  CHECK((*hardwired)["requestId"].GetInt64() == request);
  auto parts =
      csms.ctl_json({"notifications", "--station", "CS-M1", "--action", "NotifyMonitoringReport"});
  REQUIRE(parts.Size() == 1);
  CHECK(parts[0]["payload"]["requestId"].GetInt64() == request);

  // Criteria and references narrow the report; nothing matching: EmptyResultSet.
  auto deltas = csms.ctl_json(
      {"cmd", "CS-M1", "monitor-report", "--criteria", "DeltaMonitoring", "ChargingStation"});
  CHECK(str(deltas["response"]["status"]) == "Accepted");
  auto periodic =
      csms.ctl_json({"cmd", "CS-M1", "monitor-report", "--criteria", "PeriodicMonitoring"});
  CHECK(str(periodic["response"]["status"]) == "EmptyResultSet");

  auto clear =
      csms.ctl_json({"cmd", "CS-M1", "monitor-clear", std::to_string(power_id), "1", "999"});
  CHECK(str(clear["action"]) == "ClearVariableMonitoring");
  const auto& cleared = clear["response"]["clearMonitoringResult"];
  REQUIRE(cleared.Size() == 3);
  CHECK(str(cleared[0]["status"]) == "Accepted");
  CHECK(str(cleared[1]["status"]) == "Rejected");  // hard-wired
  CHECK(str(cleared[2]["status"]) == "NotFound");
  stored = csms.ctl_json({"station", "monitors", "CS-M1"});
  CHECK(stored.Size() == 2);
  CHECK(monitor_with_id(stored, power_id) == nullptr);
  CHECK(monitor_with_id(stored, heartbeat_id) != nullptr);
  CHECK(monitor_with_id(stored, 1) != nullptr);

  // --id takes a comma-separated list too.
  auto by_flag =
      csms.ctl_json({"cmd", "CS-M1", "monitor-clear", "--id", std::to_string(heartbeat_id)});
  CHECK(str(by_flag["response"]["clearMonitoringResult"][0]["status"]) == "Accepted");
  CHECK(csms.ctl_json({"station", "monitors", "CS-M1"}).Size() == 1);
}

TEST_CASE("the monitoring base and level reach a 2.0.1 station - custom monitors go with the base",
          "[e2e][monitoring]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-M2");

  auto set =
      csms.ctl_json({"cmd", "CS-M2", "monitor-set", "OCPPCommCtrlr.HeartbeatInterval", "--type",
                     "Delta", "--value", "10", "--severity", "6", "--transaction", "true"});
  REQUIRE(str(set["response"]["setMonitoringResult"][0]["status"]) == "Accepted");
  auto stored = csms.ctl_json({"station", "monitors", "CS-M2"});
  REQUIRE(stored.Size() == 1);
  CHECK(stored[0]["transaction"].IsTrue());

  auto level = csms.ctl_json({"cmd", "CS-M2", "monitor-level", "3"});
  CHECK(str(level["action"]) == "SetMonitoringLevel");
  CHECK(str(level["response"]["status"]) == "Accepted");

  auto all = csms.ctl_json({"cmd", "CS-M2", "monitor-base", "All"});
  CHECK(str(all["action"]) == "SetMonitoringBase");
  CHECK(str(all["response"]["status"]) == "Accepted");
  CHECK(csms.ctl_json({"station", "monitors", "CS-M2"}).Size() == 1);

  // HardWiredOnly removes the custom monitors, at the station and in the CSMS.
  auto hardwired = csms.ctl_json({"cmd", "CS-M2", "monitor-base", "HardWiredOnly"});
  CHECK(str(hardwired["response"]["status"]) == "Accepted");
  CHECK(csms.ctl_json({"station", "monitors", "CS-M2"}).Size() == 0);
  auto report = csms.ctl_json(
      {"cmd", "CS-M2", "monitor-report", "--criteria", "DeltaMonitoring", "OCPPCommCtrlr"});
  CHECK(str(report["response"]["status"]) == "EmptyResultSet");
}

TEST_CASE("a 2.0.1 threshold monitor that trips reaches the CSMS as a NotifyEvent on it",
          "[e2e][monitoring]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-M3");

  auto set = csms.ctl_json({"cmd", "CS-M3", "monitor-set", "OCPPCommCtrlr.HeartbeatInterval",
                            "--type", "UpperThreshold", "--value", "500", "--severity", "2"});
  REQUIRE(str(set["response"]["setMonitoringResult"][0]["status"]) == "Accepted");
  const std::int64_t id = set["response"]["setMonitoringResult"][0]["id"].GetInt64();

  // Crossing the threshold raises the event; going back clears it.
  auto over =
      csms.ctl_json({"cmd", "CS-M3", "set-variables", "OCPPCommCtrlr.HeartbeatInterval=600"});
  REQUIRE(str(over["response"]["setVariableResult"][0]["attributeStatus"]) == "Accepted");
  REQUIRE(sim->wait_event(
      "monitor_event", 10s,
      {{"id", std::to_string(id)}, {"value", "\"600\""}, {"cleared", "\"false\""}}));
  csms.ctl_json({"cmd", "CS-M3", "set-variables", "OCPPCommCtrlr.HeartbeatInterval=300"});
  REQUIRE(
      sim->wait_event("monitor_event", 10s,
                      {{"id", std::to_string(id)}, {"value", "\"300\""}, {"cleared", "\"true\""}}));

  // The CSMS answers NotifyEvent after storing it: poll briefly for the second.
  rapidjson::Document stored;
  eventually(
      [&] {
        stored = csms.ctl_json({"station", "monitors", "CS-M3"});
        return stored.Size() == 1 && str(stored[0]["lastEventValue"]) == "300";
      },
      5s, 100ms);
  REQUIRE(stored.Size() == 1);
  CHECK(str(stored[0]["lastEventValue"]) == "300");
  CHECK(stored[0]["lastEventCleared"].IsTrue());
  CHECK_FALSE(stored[0]["lastEventAt"].IsNull());

  auto events = csms.ctl_json({"notifications", "--station", "CS-M3", "--action", "NotifyEvent"});
  REQUIRE(events.Size() >= 2);
  const auto& first = events[events.Size() - 1]["payload"]["eventData"][0];
  CHECK(first["variableMonitoringId"].GetInt64() == id);
  CHECK(str(first["actualValue"]) == "600");
}

TEST_CASE("bad monitoring input is refused before anything is sent to the station",
          "[e2e][monitoring]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-M4");

  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"monitor-set", "EVSE@1.Power", "--value", "1", "--severity", "1"}, "'type'"},
      {{"monitor-set", "EVSE@1.Power", "--type", "Sometimes", "--value", "1", "--severity", "1"},
       "UpperThreshold"},
      {{"monitor-set", "EVSE@1.Power", "--type", "Delta", "--value", "abc", "--severity", "1"},
       "'value' must be a number"},
      {{"monitor-set", "EVSE@1.Power", "--type", "Delta", "--value", "1", "--severity", "10"},
       "'severity'"},
      {{"monitor-set", "EVSE@1.Power/Target", "--type", "Delta", "--value", "1", "--severity", "1"},
       "Actual"},
      {{"monitor-set", "EVSE", "--type", "Delta", "--value", "1", "--severity", "1"},
       "no variable"},
      {{"monitor-set", "--type", "Delta", "--value", "1", "--severity", "1"}, "at least one"},
      {{"monitor-set", "EVSE@1.Power", "--type", "Delta", "--value", "1", "--severity", "1",
        "--transaction", "maybe"},
       "true"},
      {{"monitor-set", "A.B", "C.D", "--type", "Delta", "--value", "1", "--severity", "1", "--id",
        "4"},
       "one variable"},
      {{"monitor-base", "Everything"}, "FactoryDefault"},
      {{"monitor-base"}, "monitor-base needs"},
      {{"monitor-level", "10"}, "0 (Danger) to 9"},
      {{"monitor-level", "2.5"}, "whole number"},
      {{"monitor-report", "--criteria", "ThresholdMonitoring,Sometimes"}, "Sometimes"},
      {{"monitor-clear"}, "ids"},
      {{"monitor-clear", "x7"}, "not a monitor id"},
      {{"monitor-clear", "--id", "3,-1"}, "not a monitor id"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"cmd", "CS-M4"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = csms.ctl(args);
    INFO(c.args[0] << " " << (c.args.size() > 1 ? c.args[1] : "") << ": " << r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(c.says) != std::string::npos);
  }
  for (const char* action : {"SetVariableMonitoring", "SetMonitoringBase", "SetMonitoringLevel",
                             "GetMonitoringReport", "ClearVariableMonitoring"})
    CHECK(calls_sent(csms, "CS-M4", action) == 0);
}
