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

TEST_CASE("bad frames are counted within a minute - valid CALLs in between do not reset the count",
          "[rpc][security]") {
  Rig rig;
  rig.exchange(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  rig.exchange(R"([2,"1","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"2","Heartbeat",{}])");
  rig.session->handle_text("not json");
  rig.exchange(R"([2,"3","Heartbeat",{}])");
  CHECK(rig.conn->close_code == 0);
  rig.exchange(R"([2,"4","Heartbeat",{"x":1}])");
  CHECK(rig.conn->close_code == 1008);
  // Nothing more is served once it is closing.
  const auto sent = rig.conn->sent.size();
  rig.session->handle_text(R"([2,"5","Heartbeat",{}])");
  rig.io.restart();
  rig.io.run_for(50ms);
  CHECK(rig.conn->sent.size() == sent);
  rig.ctx->flush_frames();
  rig.db->flush();
  auto events = std::make_shared<std::vector<storage::SecurityEvent>>();
  storage::read_and_wait(*rig.db,
                         [events](storage::Session& s) { *events = s.events.recent("CP1", 10); });
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].type == "InvalidMessages");
}

TEST_CASE(
    "unsolicited CALLRESULTs and CALLERRORs are logged as a short record and close the session",
    "[rpc][security]") {
  Rig rig;  // never booted: they need no boot to be counted
  const std::string pad(60000, 'x');
  rig.session->handle_text(R"([3,"junk-1",{"pad":")" + pad + R"("}])");
  rig.session->handle_text(R"([4,"junk-2","GenericError","x",{"pad":")" + pad + R"("}])");
  CHECK(rig.conn->close_code == 0);
  rig.session->handle_text("{" + pad);
  CHECK(rig.conn->close_code == 1008);
  rig.ctx->flush_frames();
  rig.db->flush();
  auto frames = std::make_shared<std::vector<storage::LoggedFrame>>();
  storage::read_and_wait(*rig.db,
                         [frames](storage::Session& s) { *frames = s.messages.recent("CP1", 10); });
  REQUIRE(frames->size() == 3);
  for (const auto& f : *frames) {
    CHECK(f.frame.size() < 400);
    CHECK(f.frame.find("not stored whole") != std::string::npos);
  }
  CHECK((*frames)[2].frame.find("CALLRESULT for no CALL of ours, 60023 bytes") !=
        std::string::npos);
}

TEST_CASE("unsolicited answers over the per-station rate count towards the flood limit",
          "[rpc][security]") {
  Rig rig;
  rig.config.max_bad_frames = 1000;
  rig.config.max_calls_per_s = 1;
  rig.config.call_burst = 2;
  rig.config.flood_close_after = 3;
  rig.session = std::make_shared<csms::StationSession>(*rig.ctx, rig.conn, "CP1",
                                                       ocpp::Version::v16, rig.router);
  for (int i = 0; i < 4; ++i)
    rig.session->handle_text(R"([3,"junk-)" + std::to_string(i) + R"(",{}])");
  CHECK(rig.conn->close_code == 0);
  rig.session->handle_text(R"([3,"junk-4",{}])");
  CHECK(rig.conn->close_code == 1008);
}

TEST_CASE("a late answer to a timed-out CALL is not counted as a bad frame", "[rpc]") {
  Rig rig;
  rig.config.max_bad_frames = 1;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.pump_until([&] { return outcomes.size() == 1; }, 5s);
  rapidjson::Document sent;
  sent.Parse(rig.conn->sent[0].c_str());
  rig.session->handle_text(std::string(R"([3,")") + str(sent[1]) + R"(",{"status":"Accepted"}])");
  CHECK(rig.conn->close_code == 0);
}

TEST_CASE("the junk record keeps a prefix that never cuts a UTF-8 sequence", "[rpc]") {
  CHECK(csms::junk_log_record("[3,\"a\",{}]", "why") ==
        "[3,\"a\",{}] [why, 10 bytes, not stored whole]");
  const std::string text =
      "ab\xC3\xA9"
      "cd";  // "abécd"
  CHECK(csms::junk_log_record(text, "w", 3) == "ab... [w, 6 bytes, not stored whole]");
  CHECK(csms::junk_log_record(text, "w", 4) == "ab\xC3\xA9... [w, 6 bytes, not stored whole]");
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
