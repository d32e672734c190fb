// Security events: what stations report with SecurityEventNotification (both
// versions) is stored before it is answered, at the station's time, flagged
// critical per the specs' list, and listed by `csmsctl events`.
#include <catch2/catch.hpp>

#include <memory>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// A raw station of `subprotocol`, booted and accepted.
std::unique_ptr<WsClient> booted(Csms& csms, const std::string& id,
                                 const std::string& subprotocol) {
  REQUIRE(csms.ctl({"station", "add", id}).code == 0);
  WsClient::Options o;
  o.subprotocols = {subprotocol};
  auto ws = std::make_unique<WsClient>(csms.ocpp_port(), "/ocpp/" + id, o);
  REQUIRE(ws->open());
  const std::string boot =
      subprotocol == "ocpp1.6"
          ? R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])"
          : R"([2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"vendorName":"V","model":"M"}}])";
  auto reply = ws->call(boot);
  REQUIRE(reply);
  REQUIRE(str((*reply)[2]["status"]) == "Accepted");
  return ws;
}

void report(WsClient& ws, const std::string& id, const std::string& type, const std::string& time,
            const std::string& tech_info) {
  auto reply = ws.call(R"([2,")" + id + R"(","SecurityEventNotification",{"type":")" + type +
                       R"(","timestamp":")" + time + R"(","techInfo":")" + tech_info + R"("}])");
  REQUIRE(reply);
  CHECK((*reply)[0].GetInt() == 3);  // CALLRESULT: stored.
}

}  // namespace

TEST_CASE("security events stations report are stored, flagged critical and listed",
          "[e2e][security-events]") {
  TempDir dir;
  Csms csms(dir);
  for (const std::string version : {"ocpp1.6", "ocpp2.0.1"}) {
    const std::string id = version == "ocpp1.6" ? "SEC16" : "SEC201";
    INFO(id);
    auto ws = booted(csms, id, version);
    report(*ws, "e1", "TamperDetectionActivated", "2026-01-02T03:04:05Z", "lid opened");
    report(*ws, "e2", "InvalidMessages", "2026-01-02T03:04:06Z", "bad frame");
    report(*ws, "e3", "AcmeVendorThing", "2026-01-02T03:04:07Z", "");

    // Every event is in the database the moment it was answered.
    auto all = csms.ctl_json({"events", "--station", id});
    REQUIRE(all.Size() == 3);
    CHECK(str(all[0]["type"]) == "AcmeVendorThing");
    CHECK_FALSE(all[0]["critical"].GetBool());
    CHECK(str(all[1]["type"]) == "InvalidMessages");
    CHECK_FALSE(all[1]["critical"].GetBool());
    CHECK(str(all[2]["type"]) == "TamperDetectionActivated");
    CHECK(all[2]["critical"].GetBool());
    CHECK(str(all[2]["techInfo"]) == "lid opened");
    CHECK(str(all[2]["timestamp"]).rfind("2026-01-02T03:04:05", 0) == 0);

    auto critical = csms.ctl_json({"events", "--station", id, "--critical"});
    REQUIRE(critical.Size() == 1);
    CHECK(str(critical[0]["type"]) == "TamperDetectionActivated");
  }
  // Without --station: both stations' critical events, newest first.
  auto critical = csms.ctl_json({"events", "--critical"});
  REQUIRE(critical.Size() == 2);
  CHECK(str(critical[0]["stationId"]) == "SEC201");
  CHECK(str(critical[1]["stationId"]) == "SEC16");
}
