// The RPC session: boot gating, error codes for bad input, idempotent
// transaction messages, durable answers.
#include <catch2/catch.hpp>

#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// A booted raw 1.6 station.
struct RawStation {
  explicit RawStation(Csms& csms, const std::string& id = "CP1")
      : ws(csms.ocpp_port(), "/ocpp/" + id) {
    REQUIRE(ws.open());
    auto boot = ws.call(
        R"([2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
    REQUIRE(boot);
    REQUIRE(str((*boot)[2]["status"]) == "Accepted");
  }
  WsClient ws;
};

}  // namespace

TEST_CASE("CALLs before an accepted BootNotification get SecurityError", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(ws.open());
  auto hb = ws.call(R"([2,"h1","Heartbeat",{}])");
  REQUIRE(hb);
  CHECK((*hb)[0].GetInt() == 4);
  CHECK(str((*hb)[1]) == "h1");
  CHECK(str((*hb)[2]) == "SecurityError");
  auto boot =
      ws.call(R"([2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  CHECK(str((*boot)[2]["status"]) == "Accepted");
  CHECK((*boot)[2]["interval"].GetInt() > 0);
  auto hb2 = ws.call(R"([2,"h2","Heartbeat",{}])");
  REQUIRE(hb2);
  CHECK((*hb2)[0].GetInt() == 3);
}

TEST_CASE("a station accepted before may reconnect without booting again", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  { RawStation st(csms); }
  WsClient again(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(again.open());
  auto hb = again.call(R"([2,"h1","Heartbeat",{}])");
  REQUIRE(hb);
  CHECK((*hb)[0].GetInt() == 3);
}

TEST_CASE("malformed input gets the protocol library's CALLERROR and the connection stays open",
          "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  RawStation st(csms);
  auto& ws = st.ws;

  auto missing = ws.call(R"([2,"m1","StatusNotification",{"connectorId":1,"status":"Available"}])");
  REQUIRE(missing);
  CHECK(str((*missing)[2]) == "OccurenceConstraintViolation");
  CHECK(str((*missing)[3]).find("errorCode") != std::string::npos);

  auto type = ws.call(R"([2,"m2","Heartbeat",[]])");
  REQUIRE(type);
  CHECK(str((*type)[2]) == "TypeConstraintViolation");

  auto unknown = ws.call(R"([2,"m3","FlyToTheMoon",{}])");
  REQUIRE(unknown);
  CHECK(str((*unknown)[2]) == "NotImplemented");

  auto wrong_way = ws.call(R"([2,"m4","Reset",{"type":"Hard"}])");
  REQUIRE(wrong_way);
  CHECK(str((*wrong_way)[2]) == "NotSupported");

  auto frame = ws.call(R"([2,"m5","Heartbeat"])");
  REQUIRE(frame);
  CHECK(str((*frame)[2]) == "FormationViolation");

  auto hb = ws.call(R"([2,"h","Heartbeat",{}])");
  REQUIRE(hb);
  CHECK((*hb)[0].GetInt() == 3);
}

TEST_CASE("many malformed frames within a minute close the connection with 1008", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir, {"--max-bad-frames", "3"});
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  RawStation st(csms);
  for (int i = 0; i < 3; ++i) st.ws.send("not json");
  CHECK(st.ws.wait_closed() == 1008);
}

TEST_CASE("a retried StartTransaction gets the same id and a retried Stop is recorded once",
          "[e2e][rpc][transactions]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  RawStation st(csms);
  const std::string start =
      R"("StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":1000,"timestamp":"2026-03-01T10:00:00Z"}])";
  auto a = st.ws.call(R"([2,"s1",)" + start);
  auto b = st.ws.call(R"([2,"s2",)" + start);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(str((*a)[2]["idTagInfo"]["status"]) == "Accepted");
  auto id = (*a)[2]["transactionId"].GetInt64();
  CHECK((*b)[2]["transactionId"].GetInt64() == id);

  const std::string stop =
      R"("StopTransaction",{"transactionId":)" + std::to_string(id) +
      R"(,"meterStop":4500,"timestamp":"2026-03-01T11:00:00Z","reason":"Local"}])";
  REQUIRE(st.ws.call(R"([2,"t1",)" + stop));
  auto again = st.ws.call(R"([2,"t2",)" + stop);
  REQUIRE(again);
  CHECK((*again)[0].GetInt() == 3);

  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  CHECK(txs[0]["id"].GetInt64() == id);
  CHECK(str(txs[0]["stationId"]) == "CP1");
  CHECK(str(txs[0]["idTag"]) == "TAG1");
  CHECK(txs[0]["meterStart"].GetInt64() == 1000);
  CHECK(txs[0]["meterStop"].GetInt64() == 4500);
  CHECK(txs[0]["energyWh"].GetDouble() == 3500.0);
}

TEST_CASE("StartTransaction with an unknown tag is still answered, and flagged", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  RawStation st(csms);
  auto r = st.ws.call(
      R"([2,"s1","StartTransaction",{"connectorId":1,"idTag":"STRANGER","meterStart":0,"timestamp":"2026-03-01T10:00:00Z"}])");
  REQUIRE(r);
  CHECK((*r)[0].GetInt() == 3);
  CHECK(str((*r)[2]["idTagInfo"]["status"]) == "Invalid");
  CHECK((*r)[2]["transactionId"].GetInt64() > 0);
}

TEST_CASE("StopTransaction with an unknown or -1 id is answered and kept", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  RawStation st(csms);
  for (const char* id : {"-1", "987654"}) {
    auto r = st.ws.call(
        std::string(R"([2,"x","StopTransaction",{"transactionId":)") + id +
        R"(,"meterStop":10,"timestamp":"2026-03-01T11:00:00Z","transactionData":[{"timestamp":"2026-03-01T11:00:00Z","sampledValue":[{"value":"10"}]}]}])");
    REQUIRE(r);
    CHECK((*r)[0].GetInt() == 3);
  }
}

TEST_CASE("an energy register that goes backwards is stored, flagged, and never negative",
          "[e2e][rpc][transactions]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  RawStation st(csms);
  auto a = st.ws.call(
      R"([2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":5000,"timestamp":"2026-03-01T10:00:00Z"}])");
  REQUIRE(a);
  auto id = std::to_string((*a)[2]["transactionId"].GetInt64());
  REQUIRE(st.ws.call(R"([2,"t1","StopTransaction",{"transactionId":)" + id +
                     R"(,"meterStop":4000,"timestamp":"2026-03-01T11:00:00Z"}])"));
  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  CHECK(txs[0]["energyWh"].GetDouble() == 0.0);
  CHECK(txs[0]["meterAnomaly"].GetBool());
  CHECK(txs[0]["meterStop"].GetInt64() == 4000);
}

TEST_CASE("DataTransfer to an unknown vendor is answered UnknownVendorId", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  RawStation st(csms);
  auto r = st.ws.call(R"([2,"d","DataTransfer",{"vendorId":"com.example","data":"x"}])");
  REQUIRE(r);
  CHECK(str((*r)[2]["status"]) == "UnknownVendorId");
}

TEST_CASE("the message log holds every frame in and out", "[e2e][rpc]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  {
    RawStation st(csms);
    REQUIRE(st.ws.call(R"([2,"hb-42","Heartbeat",{}])"));
  }
  // The log is written behind the traffic (never delaying an answer): poll.
  int in = 0, out = 0;
  eventually([&] {
    in = out = 0;
    auto log = csms.ctl_json({"log", "CP1"});
    if (!log.IsArray()) return false;
    for (const auto& f : log.GetArray()) {
      std::string frame = f["frame"].GetString();
      if (frame.find("hb-42") == std::string::npos) continue;
      (std::string(f["direction"].GetString()) == "in" ? in : out)++;
    }
    return in > 0 && out > 0;
  });
  CHECK(in == 1);
  CHECK(out == 1);
}
