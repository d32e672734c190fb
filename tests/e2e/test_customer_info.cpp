// 2.0.1 customer information end to end: csmsctl asks ocpp-sim what it holds
// of an idToken; the NotifyCustomerInformation parts are stored and shown
// assembled by requestId; clearing forgets; bad input is refused first.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("a customer information report arrives in parts and is shown assembled",
          "[e2e][customer-info]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-C1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG-C1"}).code == 0);
  Sim sim(csms, "CS-C1", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto start = csms.ctl_json({"cmd", "CS-C1", "remote-start", "--evse", "1", "--idtag", "TAG-C1"});
  REQUIRE(str(start["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  const std::string tx = str((*started)["transactionId"]);

  auto info = csms.ctl_json({"cmd", "CS-C1", "customer-info", "--idtag", "TAG-C1", "--report"});
  CHECK(str(info["action"]) == "CustomerInformation");
  CHECK(str(info["response"]["status"]) == "Accepted");
  const std::int64_t request = info["response"]["requestId"].GetInt64();
  auto sent =
      sim.wait_event("customer_information_sent", 10s, {{"requestId", std::to_string(request)}});
  REQUIRE(sent);
  const std::int64_t parts = (*sent)["parts"].GetInt64();
  CHECK(parts >= 2);

  auto reports =
      csms.ctl_json({"station", "customer-info", "CS-C1", "--request", std::to_string(request)});
  REQUIRE(reports.Size() == 1);
  const auto& report = reports[0];
  CHECK(report["requestId"].GetInt64() == request);
  CHECK(report["parts"].GetInt64() == parts);
  CHECK(report["complete"].GetBool());
  const std::string data = str(report["data"]);
  CHECK(data.find("TAG-C1") != std::string::npos);
  CHECK(data.find(tx) != std::string::npos);  // its transaction, from a later part
  CHECK(data.find("CS-C1") != std::string::npos);

  // Clearing: answered, confirmed in a report of its own; the first one stays.
  auto clear = csms.ctl_json({"cmd", "CS-C1", "customer-info", "--idtag", "TAG-C1", "--clear"});
  CHECK(str(clear["response"]["status"]) == "Accepted");
  const std::int64_t request2 = clear["response"]["requestId"].GetInt64();
  REQUIRE(
      sim.wait_event("customer_information_sent", 10s, {{"requestId", std::to_string(request2)}}));
  auto all = csms.ctl_json({"station", "customer-info", "CS-C1"});
  REQUIRE(all.Size() == 2);
  CHECK(all[0]["requestId"].GetInt64() == request2);  // newest first
  CHECK(str(all[0]["data"]).find("cleared") != std::string::npos);
  CHECK(all[1]["requestId"].GetInt64() == request);

  // A customer the station knows nothing of still gets an answer.
  auto unknown =
      csms.ctl_json({"cmd", "CS-C1", "customer-info", "--customer-id", "customer-42", "--report"});
  const std::int64_t request3 = unknown["response"]["requestId"].GetInt64();
  REQUIRE(
      sim.wait_event("customer_information_sent", 10s, {{"requestId", std::to_string(request3)}}));
  auto none =
      csms.ctl_json({"station", "customer-info", "CS-C1", "--request", std::to_string(request3)});
  REQUIRE(none.Size() == 1);
  CHECK(str(none[0]["data"]).find("no data") != std::string::npos);
}

TEST_CASE("customer-info refuses bad input before anything is sent", "[e2e][customer-info]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-C2"}).code == 0);
  Sim sim(csms, "CS-C2", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto refused = [&](std::vector<std::string> args, const std::string& expected) {
    args.insert(args.begin(), {"cmd", "CS-C2", "customer-info"});
    auto r = csms.ctl(args);
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(expected) != std::string::npos);
  };
  refused({"--report"}, "--idtag");
  refused({"--idtag", "T1"}, "--report");
  refused({"--idtag", "T1", "--customer-id", "C1", "--report"}, "not both");
  refused({"--idtag", std::string(37, 'x'), "--report"}, "36");
  refused({"--idtag", "T1", "--token-type", "Passport", "--report"}, "ISO14443");
  refused({"--customer-id", "C1", "--report", "maybe"}, "true or false");
  auto log = csms.ctl({"log", "CS-C2", "--json"});
  CHECK(log.out.find("CustomerInformation") == std::string::npos);
  // The station's view of an unknown station is a 404.
  CHECK(csms.ctl({"station", "customer-info", "NOPE"}).code != 0);
}
