// The RPC session without sockets: a fake connection records what the server
// sends; storage is a real SQLite file.
#include <catch2/catch.hpp>

#include <future>

#include "unit/csms/session_rig.hpp"

namespace {

using namespace csms_test;

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("a session answers SecurityError before boot, then serves the accepted station",
          "[rpc]") {
  Rig rig;
  auto early = rig.exchange(R"([2,"1","Heartbeat",{}])");
  CHECK(str(early[2]) == "SecurityError");
  auto boot = rig.exchange(
      R"([2,"2","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  CHECK(boot[0].GetInt() == 3);
  CHECK(str(boot[2]["status"]) == "Accepted");
  auto hb = rig.exchange(R"([2,"3","Heartbeat",{}])");
  CHECK(hb[0].GetInt() == 3);
  CHECK(hb[2].HasMember("currentTime"));
}

TEST_CASE("CSMS calls go one at a time - a timeout frees the slot with a clear error", "[rpc]") {
  Rig rig;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->call("Reset", R"({"type":"Soft"})",
                    [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.pump_until([&] { return rig.conn->sent.size() == 1; });
  CHECK(rig.conn->sent[0].find("ClearCache") != std::string::npos);
  // Nothing answers the first: after the timeout it fails and the second goes out.
  rig.pump_until([&] { return outcomes.size() == 1; }, 5s);
  CHECK(outcomes[0].kind == csms::CallOutcome::Kind::Timeout);
  CHECK(outcomes[0].message.find("ClearCache") != std::string::npos);
  REQUIRE(rig.conn->sent.size() == 2);
  rapidjson::Document second;
  second.Parse(rig.conn->sent[1].c_str());
  CHECK(str(second[2]) == "Reset");
  // An answer with an unknown id is dropped; the right one completes the call.
  rig.session->handle_text(R"([3,"no-such-id",{"status":"Accepted"}])");
  CHECK(outcomes.size() == 1);
  rig.session->handle_text(std::string(R"([3,")") + str(second[1]) + R"(",{"status":"Accepted"}])");
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[1].kind == csms::CallOutcome::Kind::Result);
  CHECK(str(outcomes[1].frame->payload()["status"]) == "Accepted");
}

TEST_CASE("a closed session fails its queued calls", "[rpc]") {
  Rig rig;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->closed();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == csms::CallOutcome::Kind::Closed);
  CHECK(outcomes[1].kind == csms::CallOutcome::Kind::Closed);
}

TEST_CASE("invalid payloads count as bad frames - valid traffic resets the count", "[rpc]") {
  Rig rig;
  rig.exchange(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  rig.exchange(R"([2,"1","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"2","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"3","Heartbeat",{}])");  // resets
  rig.exchange(R"([2,"4","Heartbeat",{"x":1}])");
  CHECK(rig.conn->close_code == 0);
  rig.exchange(R"([2,"5","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"6","Heartbeat",{"x":1}])");
  CHECK(rig.conn->close_code == 1002);
}

TEST_CASE("a Pending station may send what the CSMS asked for: reports and triggered messages",
          "[rpc]") {
  Rig rig(ocpp::Version::v201);
  rig.registry->register_unknown("CP1", storage::RegistrationStatus::Pending);
  auto boot = rig.exchange(
      R"([2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}])");
  CHECK(str(boot[2]["status"]) == "Pending");
  CHECK(str(rig.exchange(R"([2,"h1","Heartbeat",{}])")[2]) == "SecurityError");
  auto report = rig.exchange(
      R"([2,"r","NotifyReport",{"requestId":1,"generatedAt":"2026-01-01T00:00:00Z","seqNo":0}])");
  CHECK(report[0].GetInt() == 3);
  // After a TriggerMessage for Heartbeat, one Heartbeat is let through.
  rig.session->call("TriggerMessage", R"({"requestedMessage":"Heartbeat"})",
                    [](csms::CallOutcome) {});
  CHECK(rig.exchange(R"([2,"h2","Heartbeat",{}])")[0].GetInt() == 3);
  CHECK(str(rig.exchange(R"([2,"h3","Heartbeat",{}])")[2]) == "SecurityError");
}
