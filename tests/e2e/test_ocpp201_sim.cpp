// OCPP 2.0.1 end to end: ocpp-sim as a 2.0.1 charging station against the real
// csms, driven by scenarios and csmsctl; and a mixed 1.6 + 2.0.1 fleet.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::vector<std::string> sim201(std::vector<std::string> more) {
  std::vector<std::string> args = {"--ocpp", "2.0.1", "--meter-interval", "1"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

void add_station_and_tag(Csms& csms, const std::string& id, const std::string& tag) {
  REQUIRE(csms.ctl({"station", "add", id}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", tag}).code == 0);
}

const char* kSession = R"({"steps":[
    {"do":"authorize","idTag":"TAG1"},
    {"do":"start","connector":1,"idTag":"TAG1"},
    {"do":"charge","connector":1,"seconds":3},
    {"do":"stop","connector":1,"reason":"Local"}]})";

}  // namespace

TEST_CASE("a whole 2.0.1 session from ocpp-sim is one transaction with its events and energy",
          "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  add_station_and_tag(csms, "CS1", "TAG1");
  Sim sim(csms, "CS1", sim201({"--scenario", write_file(dir, "s.json", kSession)}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  const std::string tx_id = str((*started)["transactionId"]);
  CHECK(str((*started)["idTokenStatus"]) == "Accepted");
  auto stopped = sim.wait_event("transaction_stopped", 30s);
  REQUIRE(stopped);
  REQUIRE(sim.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  const auto& tx = txs[0];
  CHECK(str(tx["id"]) == tx_id);
  CHECK(str(tx["stationId"]) == "CS1");
  CHECK(tx["evseId"].GetInt() == 1);
  CHECK(str(tx["idTag"]) == "TAG1");
  CHECK(str(tx["stopReason"]) == "Local");
  REQUIRE(tx["energyWh"].IsNumber());
  CHECK(tx["energyWh"].GetDouble() == Approx((*stopped)["meterStop"].GetDouble()));
  CHECK(tx["energyWh"].GetDouble() > 0);

  auto shown = csms.ctl_json({"tx", "show", tx_id});
  REQUIRE(shown["events"].Size() >= 3);
  CHECK(str(shown["events"][0]["eventType"]) == "Started");
  CHECK(str(shown["events"][shown["events"].Size() - 1]["eventType"]) == "Ended");
  CHECK(shown["seqNoGaps"].Size() == 0);
  CHECK(shown["samples"].Size() >= 3);
  auto station = csms.ctl_json({"station", "show", "CS1"});
  CHECK(str(station["ocppVersion"]) == "2.0.1");
  CHECK(str(station["bootReason"]) == "PowerUp");
}

TEST_CASE("csmsctl starts and stops a 2.0.1 transaction remotely", "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  add_station_and_tag(csms, "CS2", "TAG2");
  Sim sim(csms, "CS2", sim201({}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // The 1.6 spelling is refused with the 2.0.1 one named, before anything is sent.
  auto wrong = csms.ctl({"cmd", "CS2", "remote-start", "--connector", "1", "--idtag", "TAG2"});
  CHECK(wrong.code != 0);
  CHECK(wrong.err.find("'evse'") != std::string::npos);

  auto start = csms.ctl_json({"cmd", "CS2", "remote-start", "--evse", "1", "--idtag", "TAG2"});
  CHECK(str(start["action"]) == "RequestStartTransaction");
  CHECK(str(start["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  CHECK((*started).HasMember("remoteStartId"));
  const std::string id = str((*started)["transactionId"]);

  auto active = csms.ctl_json({"tx", "list", "--active"});
  REQUIRE(active.Size() == 1);
  CHECK(str(active[0]["id"]) == id);
  CHECK(active[0]["remoteStartId"].GetInt64() == (*started)["remoteStartId"].GetInt64());

  auto stop = csms.ctl_json({"cmd", "CS2", "remote-stop", "--transaction", id});
  CHECK(str(stop["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("transaction_stopped", 20s));
  auto txs = csms.ctl_json({"tx", "list", "--station", "CS2"});
  REQUIRE(txs.Size() == 1);
  CHECK(str(txs[0]["stopReason"]) == "Remote");
  CHECK_FALSE(txs[0]["stopTime"].IsNull());

  auto reset = csms.ctl_json({"cmd", "CS2", "reset", "--type", "Immediate"});
  CHECK(str(reset["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("boot", 30s, {{"status", "\"Accepted\""}}));
  CHECK(str(csms.ctl_json({"station", "show", "CS2"})["bootReason"]) == "RemoteReset");
}

TEST_CASE("2.0.1 events made offline arrive late, in order, flagged offline",
          "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  add_station_and_tag(csms, "CS3", "TAG3");
  auto scenario = write_file(dir, "offline.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"TAG3"},
      {"do":"offline","seconds":4},
      {"do":"charge","connector":1,"seconds":2},
      {"do":"stop","connector":1,"reason":"Local"},
      {"do":"online"},
      {"do":"wait_for","event":"queue_flushed"}]})");
  Sim sim(csms, "CS3", sim201({"--scenario", scenario}));
  REQUIRE(sim.wait_event("transaction_started", 20s));
  REQUIRE(sim.wait_event("queued", 20s));
  REQUIRE(sim.wait_event("queue_flushed", 40s));
  REQUIRE(sim.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list", "--station", "CS3"});
  REQUIRE(txs.Size() == 1);
  CHECK_FALSE(txs[0]["stopTime"].IsNull());
  CHECK(txs[0]["offline"].GetBool());
  auto shown = csms.ctl_json({"tx", "show", str(txs[0]["id"])});
  const auto& events = shown["events"];
  REQUIRE(events.Size() >= 2);
  CHECK_FALSE(events[0]["offline"].GetBool());
  CHECK(events[events.Size() - 1]["offline"].GetBool());
  CHECK(shown["seqNoGaps"].Size() == 0);
  // Delivered in order: each event was received no earlier than the one before.
  for (rapidjson::SizeType i = 1; i < events.Size(); ++i)
    CHECK(str(events[i]["receivedAt"]) >= str(events[i - 1]["receivedAt"]));
}

TEST_CASE("a 2.0.1 report is retrieved, stored and shown", "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS4"}).code == 0);
  Sim sim(csms, "CS4", sim201({"--connectors", "2"}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto asked = csms.ctl_json({"cmd", "CS4", "report"});
  CHECK(str(asked["action"]) == "GetBaseReport");
  CHECK(str(asked["response"]["status"]) == "Accepted");
  const auto request_id = asked["response"]["requestId"].GetInt64();
  auto sent = sim.wait_event("report_sent", 20s);
  REQUIRE(sent);
  CHECK((*sent)["requestId"].GetInt64() == request_id);

  auto station = csms.ctl_json({"station", "show", "CS4"});
  REQUIRE(station.HasMember("deviceModel"));
  const auto& model = station["deviceModel"];
  REQUIRE(model["reports"].Size() == 1);
  CHECK(model["reports"][0]["requestId"].GetInt64() == request_id);
  CHECK(model["reports"][0]["complete"].GetBool());
  CHECK(model["reports"][0]["parts"].GetInt() == (*sent)["parts"].GetInt());
  int evses = 0;
  for (const auto& e : model["evses"].GetArray()) evses += e["connectorId"].IsNull();
  CHECK(evses == 2);
  bool heartbeat = false;
  for (const auto& v : model["variables"].GetArray())
    heartbeat = heartbeat || str(v["variable"]) == "HeartbeatInterval";
  CHECK(heartbeat);
  auto all = csms.ctl_json({"station", "variables", "CS4"});
  CHECK(all.Size() == model["variableCount"].GetUint());
  // The human-readable form shows the summary too.
  auto text = csms.ctl({"station", "show", "CS4"});
  CHECK(text.out.find("deviceModel.evses") != std::string::npos);
}

TEST_CASE("set-variables changes the simulator's heartbeat and get-variables reads it back",
          "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS5"}).code == 0);
  Sim sim(csms, "CS5", sim201({}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto set = csms.ctl_json({"cmd", "CS5", "set-variables", "OCPPCommCtrlr.HeartbeatInterval=1"});
  REQUIRE(set["response"]["setVariableResult"].Size() == 1);
  CHECK(str(set["response"]["setVariableResult"][0]["attributeStatus"]) == "Accepted");
  REQUIRE(sim.wait_event("sent", 10s, {{"action", "\"Heartbeat\""}}));

  auto bad = csms.ctl_json({"cmd", "CS5", "set-variables", "OCPPCommCtrlr.HeartbeatInterval=abc"});
  CHECK(str(bad["response"]["setVariableResult"][0]["attributeStatus"]) == "Rejected");

  auto got = csms.ctl_json(
      {"cmd", "CS5", "get-variables", "OCPPCommCtrlr.HeartbeatInterval", "NoSuchCtrlr.Thing"});
  const auto& results = got["response"]["getVariableResult"];
  REQUIRE(results.Size() == 2);
  CHECK(str(results[0]["attributeStatus"]) == "Accepted");
  CHECK(str(results[0]["attributeValue"]) == "1");
  CHECK(str(results[1]["attributeStatus"]) == "UnknownComponent");
  auto vars = csms.ctl_json({"station", "variables", "CS5"});
  bool stored = false;
  for (const auto& v : vars.GetArray())
    stored = stored || (str(v["variable"]) == "HeartbeatInterval" && str(v["value"]) == "1");
  CHECK(stored);

  // The 1.6 command names the 2.0.1 one.
  auto old = csms.ctl({"cmd", "CS5", "get-config"});
  CHECK(old.code != 0);
  CHECK(old.err.find("get-variables") != std::string::npos);
}

TEST_CASE("a mixed fleet: 1.6 and 2.0.1 simulators charge at once on one server",
          "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  add_station_and_tag(csms, "OLD1", "TAG1");
  REQUIRE(csms.ctl({"station", "add", "NEW1"}).code == 0);
  const auto scenario = write_file(dir, "s.json", kSession);
  Sim old_station(csms, "OLD1", {"--meter-interval", "1", "--scenario", scenario});
  Sim new_station(csms, "NEW1", sim201({"--scenario", scenario}));
  auto old_stopped = old_station.wait_event("transaction_stopped", 30s);
  auto new_stopped = new_station.wait_event("transaction_stopped", 30s);
  REQUIRE(old_stopped);
  REQUIRE(new_stopped);
  REQUIRE(old_station.wait_exit() == 0);
  REQUIRE(new_station.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 2);
  int numeric = 0;
  int named = 0;
  for (const auto& tx : txs.GetArray()) {
    numeric += tx["id"].IsInt64();
    named += tx["id"].IsString();
    CHECK(tx["energyWh"].GetDouble() > 0);
    CHECK_FALSE(tx["stopTime"].IsNull());
  }
  CHECK(numeric == 1);
  CHECK(named == 1);
  auto stations = csms.ctl_json({"station", "list"});
  std::map<std::string, std::string> versions;
  for (const auto& s : stations.GetArray()) versions[str(s["id"])] = str(s["ocppVersion"]);
  CHECK(versions["OLD1"] == "1.6");
  CHECK(versions["NEW1"] == "2.0.1");
}
