// 2.0.1 CostUpdated and SetNetworkProfile end to end: csmsctl sends the
// running cost of a transaction and a new connection profile to ocpp-sim,
// which takes them; the station's refusals are passed on; bad input is
// refused before anything is sent.
#include <catch2/catch.hpp>

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

TEST_CASE("cost-update tells a 2.0.1 station the running cost of its transaction",
          "[e2e][cost-network]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "TAG-C1"}).code == 0);
  auto sim = start_station(csms, "CS-C1");
  auto start = csms.ctl_json({"cmd", "CS-C1", "remote-start", "--evse", "1", "--idtag", "TAG-C1"});
  REQUIRE(str(start["response"]["status"]) == "Accepted");
  auto started = sim->wait_event("transaction_started", 20s);
  REQUIRE(started);
  const std::string tx = str((*started)["transactionId"]);

  auto cost =
      csms.ctl_json({"cmd", "CS-C1", "cost-update", "--transaction", tx, "--total-cost", "12.34"});
  CHECK(str(cost["action"]) == "CostUpdated");
  CHECK(cost["response"].IsObject());
  auto seen = sim->wait_event("cost_updated", 10s, {{"transactionId", "\"" + tx + "\""}});
  REQUIRE(seen);
  CHECK((*seen)["totalCost"].GetDouble() == Approx(12.34));
  // A whole number is a cost too.
  csms.ctl_json({"cmd", "CS-C1", "cost-update", "--transaction", tx, "--total-cost", "13"});
  REQUIRE(sim->wait_event("cost_updated", 10s, {{"totalCost", "13.0"}}));
}

TEST_CASE("network-profile installs a connection profile in a free 2.0.1 slot",
          "[e2e][cost-network]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-N1");
  const std::string url = csms.ws_url();

  auto set = csms.ctl_json({"cmd", "CS-N1", "network-profile", "--slot", "2", "--csms-url", url,
                            "--security-profile", "1", "--interface", "Wired0", "--ocpp-version",
                            "OCPP20", "--transport", "JSON", "--message-timeout", "20"});
  CHECK(str(set["action"]) == "SetNetworkProfile");
  CHECK(str(set["response"]["status"]) == "Accepted");
  REQUIRE(sim->wait_event("network_profile_set", 10s, {{"slot", "2"}, {"url", "\"" + url + "\""}}));
  // The CALL carried what the operator said.
  auto log = csms.ctl_json({"log", "CS-N1", "--limit", "50"});
  bool found = false;
  for (const auto& f : log.GetArray()) {
    const std::string frame = str(f["frame"]);
    if (frame.find("\"SetNetworkProfile\"") == std::string::npos) continue;
    found = true;
    CHECK(frame.find("\"configurationSlot\":2") != std::string::npos);
    CHECK(frame.find("\"messageTimeout\":20") != std::string::npos);
    CHECK(frame.find("\"ocppInterface\":\"Wired0\"") != std::string::npos);
  }
  CHECK(found);

  // The station's own refusals: a slot it does not have, a security downgrade.
  auto slot = csms.ctl_json({"cmd", "CS-N1", "network-profile", "--slot", "7", "--csms-url", url,
                             "--security-profile", "1"});
  CHECK(str(slot["response"]["status"]) == "Rejected");
  auto downgrade = csms.ctl_json({"cmd", "CS-N1", "network-profile", "--slot", "2", "--csms-url",
                                  url, "--security-profile", "0"});
  CHECK(str(downgrade["response"]["status"]) == "Rejected");
}

TEST_CASE("bad cost and network profile input is refused before anything is sent",
          "[e2e][cost-network]") {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_station(csms, "CS-N2");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"cost-update", "--total-cost", "1"}, "'transactionId'"},
      {{"cost-update", "--transaction", "TX1"}, "'totalCost'"},
      {{"cost-update", "--transaction", "TX1", "--total-cost", "cheap"}, "'totalCost'"},
      {{"cost-update", "--transaction", "TX1", "--total-cost", "-2"}, "0 or more"},
      {{"network-profile", "--csms-url", "ws://h/ocpp", "--security-profile", "1"}, "'slot'"},
      {{"network-profile", "--slot", "2", "--security-profile", "1"}, "--csms-url"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp"}, "'securityProfile'"},
      {{"network-profile", "--slot", "2", "--csms-url", "http://h/ocpp", "--security-profile", "1"},
       "ws:// or wss://"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "2"},
       "wss://"},
      {{"network-profile", "--slot", "2", "--csms-url", "wss://h/ocpp", "--security-profile", "4"},
       "0, 1, 2 or 3"},
      {{"network-profile", "--slot", "-1", "--csms-url", "ws://h/ocpp", "--security-profile", "1"},
       "'slot'"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "1",
        "--interface", "Carrier-Pigeon"},
       "Wireless0"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "1",
        "--ocpp-version", "OCPP21"},
       "OCPP20"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "1",
        "--transport", "SOAP"},
       "JSON"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "1",
        "--message-timeout", "0"},
       "'messageTimeout'"},
      {{"network-profile", "--slot", "2", "--csms-url", "ws://h/ocpp", "--security-profile", "1",
        "--basic-auth-password", "secret-of-sixteen"},
       "SecurityCtrlr.BasicAuthPassword"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"cmd", "CS-N2"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = csms.ctl(args);
    INFO(c.args[0] << " " << c.args[1] << ": " << r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(c.says) != std::string::npos);
  }
  CHECK(calls_sent(csms, "CS-N2", "CostUpdated") == 0);
  CHECK(calls_sent(csms, "CS-N2", "SetNetworkProfile") == 0);
}
