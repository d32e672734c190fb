// Whole charging sessions driven by ocpp-sim against the real csms: scenarios,
// remote commands through csmsctl, the offline queue, and a crash of csms.
#include <catch2/catch.hpp>

#include <set>

#include "ocpp/common/datetime.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

const std::string kPassword = "sim-password-0123";

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// Timestamps compare as instants, whatever RFC 3339 spelling each side used.
std::string instant(const rapidjson::Value& v) {
  auto t = ocpp::DateTime::parse(str(v));
  return t ? t->to_string() : "unparseable:" + str(v);
}

void register_station(Csms& csms, const std::string& id) {
  REQUIRE(csms.ctl({"station", "add", id, "--password", kPassword}).code == 0);
}

std::vector<std::string> sim_args(std::vector<std::string> more) {
  std::vector<std::string> args = {"--password", kPassword, "--meter-interval", "1"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("a whole session: boot, authorize, start, meter values, stop", "[e2e][sim]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM1");
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  auto scenario = write_file(dir, "session.json", R"({"steps":[
      {"do":"authorize","idTag":"TAG1"},
      {"do":"start","connector":1,"idTag":"TAG1"},
      {"do":"charge","connector":1,"seconds":3},
      {"do":"stop","connector":1,"reason":"Local"}]})");
  Sim sim(csms, "SIM1", sim_args({"--scenario", scenario, "--power-w", "11000"}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  auto tx_id = (*started)["transactionId"].GetInt64();
  REQUIRE(sim.wait_event("transaction_stopped", 30s));
  REQUIRE(sim.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  const auto& tx = txs[0];
  CHECK(tx["id"].GetInt64() == tx_id);
  CHECK(str(tx["stationId"]) == "SIM1");
  CHECK(str(tx["idTag"]) == "TAG1");
  CHECK(tx["meterStop"].GetInt64() > tx["meterStart"].GetInt64());
  CHECK(tx["energyWh"].GetDouble() > 0);

  auto shown = csms.ctl_json({"tx", "show", std::to_string(tx_id)});
  CHECK(shown["samples"].Size() >= 2);
  auto station = csms.ctl_json({"station", "show", "SIM1"});
  CHECK(str(station["vendor"]).size() > 0);
  CHECK(str(station["ocppVersion"]) == "1.6");
  // The human-readable table names the transaction too.
  auto table = csms.ctl({"tx", "list"});
  CHECK(table.code == 0);
  CHECK(table.out.find("TAG1") != std::string::npos);
}

TEST_CASE("remote start and remote stop from csmsctl", "[e2e][sim]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM2");
  REQUIRE(csms.ctl({"idtag", "add", "TAG2"}).code == 0);
  Sim sim(csms, "SIM2", sim_args({}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto start =
      csms.ctl_json({"cmd", "SIM2", "remote-start", "--connector", "1", "--idtag", "TAG2"});
  CHECK(str(start["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  auto id = (*started)["transactionId"].GetInt64();

  auto stop = csms.ctl_json({"cmd", "SIM2", "remote-stop", "--transaction", std::to_string(id)});
  CHECK(str(stop["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("transaction_stopped", 20s));

  auto txs = csms.ctl_json({"tx", "list", "--station", "SIM2"});
  REQUIRE(txs.Size() == 1);
  CHECK(str(txs[0]["stopReason"]) == "Remote");
}

TEST_CASE("operator commands reach the station and return its answer", "[e2e][sim]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM3");
  Sim sim(csms, "SIM3", sim_args({}));
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto cfg = csms.ctl_json({"cmd", "SIM3", "get-config", "HeartbeatInterval"});
  REQUIRE(cfg["response"]["configurationKey"].Size() == 1);
  CHECK(str(cfg["response"]["configurationKey"][0]["key"]) == "HeartbeatInterval");

  auto set =
      csms.ctl_json({"cmd", "SIM3", "set-config", "--key", "HeartbeatInterval", "--value", "7"});
  CHECK(str(set["response"]["status"]) == "Accepted");
  auto unknown = csms.ctl_json({"cmd", "SIM3", "set-config", "--key", "NoSuchKey", "--value", "1"});
  CHECK(str(unknown["response"]["status"]) == "NotSupported");

  CHECK(str(csms.ctl_json({"cmd", "SIM3", "unlock", "--connector", "1"})["response"]["status"]) ==
        "Unlocked");
  CHECK(str(csms.ctl_json({"cmd", "SIM3", "availability", "--connector", "1", "--type",
                           "Inoperative"})["response"]["status"]) == "Accepted");
  CHECK(str(csms.ctl_json({"cmd", "SIM3", "clear-cache"})["response"]["status"]) == "Accepted");
  CHECK(str(csms.ctl_json({"cmd", "SIM3", "data-transfer", "--vendor",
                           "nobody"})["response"]["status"]) == "UnknownVendorId");

  auto reset = csms.ctl_json({"cmd", "SIM3", "reset", "--type", "Soft"});
  CHECK(str(reset["response"]["status"]) == "Accepted");
  // A reset reboots the simulated charger: it boots again.
  REQUIRE(sim.wait_event("boot", 30s, {{"status", "\"Accepted\""}}));

  // Bad input is refused before anything is sent.
  auto bad = csms.ctl({"cmd", "SIM3", "reset", "--type", "Immediate"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("Soft") != std::string::npos);
  auto evse = csms.ctl({"cmd", "SIM3", "remote-start", "--evse", "1", "--idtag", "T"});
  CHECK(evse.code != 0);
  CHECK(evse.err.find("2.0.1") != std::string::npos);
  auto offline = csms.ctl({"cmd", "NOBODY", "reset"});
  CHECK(offline.code != 0);
}

TEST_CASE("messages queued while offline are delivered late, in order", "[e2e][sim]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM4");
  REQUIRE(csms.ctl({"idtag", "add", "TAG4"}).code == 0);
  auto scenario = write_file(dir, "offline.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"TAG4"},
      {"do":"offline","seconds":4},
      {"do":"charge","connector":1,"seconds":2},
      {"do":"stop","connector":1,"reason":"Local"},
      {"do":"online"},
      {"do":"wait_for","event":"queue_flushed"}]})");
  Sim sim(csms, "SIM4", sim_args({"--scenario", scenario}));
  REQUIRE(sim.wait_event("transaction_started", 20s));
  REQUIRE(sim.wait_event("queued", 20s));
  REQUIRE(sim.wait_event("queue_flushed", 40s));
  REQUIRE(sim.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list", "--station", "SIM4"});
  REQUIRE(txs.Size() == 1);
  CHECK_FALSE(txs[0]["stopTime"].IsNull());
  auto shown = csms.ctl_json({"tx", "show", std::to_string(txs[0]["id"].GetInt64())});
  CHECK(shown["samples"].Size() >= 1);
}

TEST_CASE("retried StartTransaction and StopTransaction from the simulator are idempotent",
          "[e2e][sim]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM5");
  REQUIRE(csms.ctl({"idtag", "add", "TAG5"}).code == 0);
  auto scenario = write_file(dir, "repeat.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"TAG5","repeat":2},
      {"do":"charge","connector":1,"seconds":1},
      {"do":"stop","connector":1,"reason":"Local","repeat":2}]})");
  Sim sim(csms, "SIM5", sim_args({"--scenario", scenario}));
  REQUIRE(sim.wait_exit() == 0);
  std::set<std::int64_t> ids;
  for (const auto& ack : sim.events("acked")) {
    if (str(ack["action"]) == "StartTransaction")
      ids.insert(ack["response"]["transactionId"].GetInt64());
  }
  CHECK(ids.size() == 1);
  auto txs = csms.ctl_json({"tx", "list", "--station", "SIM5"});
  CHECK(txs.Size() == 1);
}

TEST_CASE("kill -9 during a session loses nothing the station was told is stored",
          "[e2e][sim][durability]") {
  TempDir dir;
  Csms csms(dir);
  register_station(csms, "SIM6");
  REQUIRE(csms.ctl({"idtag", "add", "TAG6"}).code == 0);
  auto scenario = write_file(dir, "long.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"TAG6"},
      {"do":"charge","connector":1,"seconds":8},
      {"do":"stop","connector":1,"reason":"Local"},
      {"do":"wait_for","event":"queue_flushed"}]})");
  Sim sim(csms, "SIM6", sim_args({"--scenario", scenario}));
  REQUIRE(sim.wait_event("transaction_started", 20s));
  // Let a few MeterValues be acknowledged, then crash the server mid-session.
  REQUIRE(sim.wait_event("acked", 20s, {{"action", "\"MeterValues\""}}));
  REQUIRE(sim.wait_event("acked", 20s, {{"action", "\"MeterValues\""}}));
  csms.kill9();
  REQUIRE(sim.wait_event("disconnected", 20s));
  csms.restart();
  REQUIRE(sim.wait_exit(90s) == 0);

  // Every acknowledged MeterValues sample is in the database, and there is one
  // transaction, stopped.
  auto txs = csms.ctl_json({"tx", "list", "--station", "SIM6"});
  REQUIRE(txs.Size() == 1);
  CHECK_FALSE(txs[0]["stopTime"].IsNull());
  auto shown = csms.ctl_json({"tx", "show", std::to_string(txs[0]["id"].GetInt64())});
  std::set<std::string> stored;
  for (const auto& s : shown["samples"].GetArray())
    stored.insert(instant(s["timestamp"]) + "|" + str(s["measurand"]) + "|" + str(s["value"]));
  int acked_samples = 0;
  for (const auto& ack : sim.events("acked")) {
    if (str(ack["action"]) != "MeterValues") continue;
    for (const auto& mv : ack["payload"]["meterValue"].GetArray()) {
      for (const auto& sv : mv["sampledValue"].GetArray()) {
        std::string measurand =
            sv.HasMember("measurand") ? str(sv["measurand"]) : "Energy.Active.Import.Register";
        INFO("acked sample " << str(mv["timestamp"]) << " " << measurand << " "
                             << str(sv["value"]));
        CHECK(stored.count(instant(mv["timestamp"]) + "|" + measurand + "|" + str(sv["value"])) ==
              1);
        ++acked_samples;
      }
    }
  }
  CHECK(acked_samples > 0);
}
