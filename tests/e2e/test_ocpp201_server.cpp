// OCPP 2.0.1 on the server, driven by a raw WebSocket client: subprotocol
// choice, the 2.0.1 messages mapped into the shared model, TransactionEvents
// that arrive late, twice or out of order, multi-part reports.
#include <catch2/catch.hpp>

#include <set>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

WsClient::Options offering(std::vector<std::string> subprotocols) {
  WsClient::Options o;
  o.subprotocols = std::move(subprotocols);
  return o;
}

// A booted raw 2.0.1 station.
struct Station201 {
  explicit Station201(Csms& csms, const std::string& id = "CS1")
      : ws(csms.ocpp_port(), "/ocpp/" + id, offering({"ocpp2.0.1"})) {
    REQUIRE(ws.open());
    REQUIRE(ws.subprotocol() == "ocpp2.0.1");
    auto boot = call(
        R"([2,"boot","BootNotification",{"reason":"PowerUp","chargingStation":{"vendorName":"V","model":"M","serialNumber":"S1","firmwareVersion":"1.2"}}])");
    REQUIRE(str(boot[2]["status"]) == "Accepted");
  }

  // Sends a CALL and returns the reply frame; fails the test without one.
  rapidjson::Document call(const std::string& frame) {
    auto reply = ws.call(frame);
    INFO(frame);
    REQUIRE(reply);
    return std::move(*reply);
  }

  WsClient ws;
};

std::string tx_event(const std::string& id, const std::string& type, int seq,
                     const std::string& time, const std::string& extra,
                     const std::string& tx_extra = "") {
  return R"([2,")" + id + R"(","TransactionEvent",{"eventType":")" + type + R"(","timestamp":")" +
         time + R"(","triggerReason":")" +
         (type == "Started" ? "Authorized"
          : type == "Ended" ? "StopAuthorized"
                            : "MeterValuePeriodic") +
         R"(","seqNo":)" + std::to_string(seq) + R"(,"transactionInfo":{"transactionId":"TX-9")" +
         tx_extra + "}" + extra + "}]";
}

std::string energy(const std::string& time, double wh) {
  return R"({"timestamp":")" + time + R"(","sampledValue":[{"value":)" + std::to_string(wh) +
         R"(,"measurand":"Energy.Active.Import.Register"}]})";
}

const rapidjson::Value* find_tx(const rapidjson::Document& list, const std::string& id) {
  for (const auto& tx : list.GetArray())
    if (tx["id"].IsString() && str(tx["id"]) == id) return &tx;
  return nullptr;
}

}  // namespace

TEST_CASE("a station offering both versions gets the configured preference", "[e2e][ocpp201]") {
  TempDir dir;
  SECTION("2.0.1 first by default") {
    Csms csms(dir);
    REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
    WsClient ws(csms.ocpp_port(), "/ocpp/CS1", offering({"ocpp1.6", "ocpp2.0.1"}));
    REQUIRE(ws.open());
    CHECK(ws.subprotocol() == "ocpp2.0.1");
  }
  SECTION("1.6 first when configured") {
    Csms csms(dir, {"--ocpp-versions", "1.6,2.0.1"});
    REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
    WsClient ws(csms.ocpp_port(), "/ocpp/CS1", offering({"ocpp2.0.1", "ocpp1.6"}));
    REQUIRE(ws.open());
    CHECK(ws.subprotocol() == "ocpp1.6");
  }
  SECTION("a version not configured is refused with 1002") {
    Csms csms(dir, {"--ocpp-versions", "1.6"});
    REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
    WsClient ws(csms.ocpp_port(), "/ocpp/CS1", offering({"ocpp2.0.1"}));
    CHECK(ws.wait_closed() == 1002);
  }
}

TEST_CASE("2.0.1 boot, status and authorize land in the shared station and token model",
          "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1", "--parent", "GROUP1"}).code == 0);
  Station201 st(csms);

  auto status = st.call(
      R"([2,"s1","StatusNotification",{"timestamp":"2026-01-01T10:00:00Z","connectorStatus":"Occupied","evseId":2,"connectorId":1}])");
  CHECK(status[0].GetInt() == 3);
  auto hb = st.call(R"([2,"h1","Heartbeat",{}])");
  CHECK(hb[2].HasMember("currentTime"));

  auto known = st.call(R"([2,"a1","Authorize",{"idToken":{"idToken":"TAG1","type":"ISO14443"}}])");
  CHECK(str(known[2]["idTokenInfo"]["status"]) == "Accepted");
  CHECK(str(known[2]["idTokenInfo"]["groupIdToken"]["idToken"]) == "GROUP1");
  auto unknown =
      st.call(R"([2,"a2","Authorize",{"idToken":{"idToken":"NOPE","type":"ISO14443"}}])");
  CHECK(str(unknown[2]["idTokenInfo"]["status"]) == "Unknown");

  auto shown = csms.ctl_json({"station", "show", "CS1"});
  CHECK(str(shown["ocppVersion"]) == "2.0.1");
  CHECK(str(shown["vendor"]) == "V");
  CHECK(str(shown["firmwareVersion"]) == "1.2");
  bool found = false;
  for (const auto& c : shown["connectors"].GetArray()) {
    if (c["evseId"].GetInt() == 2 && c["connectorId"].GetInt() == 1) {
      found = true;
      CHECK(str(c["status"]) == "Occupied");
    }
  }
  CHECK(found);
}

TEST_CASE("2.0.1 errors use the 2.0.1 spellings and RPC framework codes", "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Station201 st(csms);
  auto missing = st.call(R"([2,"m1","StatusNotification",{"evseId":1,"connectorId":1}])");
  CHECK(str(missing[2]) == "OccurrenceConstraintViolation");
  auto unknown = st.call(R"([2,"m2","NoSuchAction",{}])");
  CHECK(str(unknown[2]) == "NotImplemented");
  auto type = st.call(R"([7,"m3","Heartbeat",{}])");
  CHECK(str(type[2]) == "MessageTypeNotSupported");
  st.ws.send("not json");
  auto broken = st.ws.receive();
  REQUIRE(broken);
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(*broken, doc).IsError());
  CHECK(str(doc[1]) == "-1");
  CHECK(str(doc[2]) == "RpcFrameworkError");
}

TEST_CASE("TransactionEvents that arrive late, twice and out of order make one transaction",
          "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  Station201 st(csms);
  const std::string evse = R"(,"evse":{"id":1,"connectorId":1})";
  const std::string token = R"(,"idToken":{"idToken":"TAG1","type":"ISO14443"})";

  // Offline: the Updated arrives before its Started, and is retried.
  auto updated =
      tx_event("u1", "Updated", 1, "2026-01-01T10:05:00Z",
               R"(,"offline":true,"meterValue":[)" + energy("2026-01-01T10:05:00Z", 1500) + "]",
               R"(,"chargingState":"Charging")");
  CHECK(st.call(updated)[0].GetInt() == 3);
  CHECK(st.call(updated)[0].GetInt() == 3);

  auto started = st.call(
      tx_event("s0", "Started", 0, "2026-01-01T10:00:00Z",
               evse + token + R"(,"meterValue":[)" + energy("2026-01-01T10:00:00Z", 1000) + "]"));
  CHECK(str(started[2]["idTokenInfo"]["status"]) == "Accepted");

  auto ended =
      st.call(tx_event("e3", "Ended", 3, "2026-01-01T10:30:00Z",
                       R"(,"meterValue":[)" + energy("2026-01-01T10:30:00Z", 4500) + "]",
                       R"(,"stoppedReason":"EVDisconnected","chargingState":"EVConnected")"));
  CHECK(ended[0].GetInt() == 3);
  auto shown = csms.ctl_json({"tx", "show", "TX-9"});
  REQUIRE(shown["seqNoGaps"].IsArray());
  REQUIRE(shown["seqNoGaps"].Size() == 1);
  CHECK(shown["seqNoGaps"][0].GetInt() == 2);
  REQUIRE(shown["events"].Size() == 3);
  CHECK(shown["events"][0]["seqNo"].GetInt() == 0);
  CHECK(str(shown["events"][0]["triggerReason"]) == "Authorized");
  CHECK(shown["events"][1]["offline"].GetBool());
  CHECK(str(shown["events"][2]["stoppedReason"]) == "EVDisconnected");
  // A late Updated after Ended must not reopen the transaction.
  // ... nor its charging state overwrite the newer one.
  CHECK(st.call(tx_event("u2", "Updated", 2, "2026-01-01T10:20:00Z",
                         R"(,"meterValue":[)" + energy("2026-01-01T10:20:00Z", 4000) + "]",
                         R"(,"chargingState":"SuspendedEV")"))[0]
            .GetInt() == 3);

  auto list = csms.ctl_json({"tx", "list", "--station", "CS1"});
  REQUIRE(list.IsArray());
  CHECK(list.Size() == 1);
  const auto* tx = find_tx(list, "TX-9");
  REQUIRE(tx != nullptr);
  CHECK((*tx)["evseId"].GetInt() == 1);
  CHECK(str((*tx)["idTag"]) == "TAG1");
  CHECK(str((*tx)["startTime"]) == "2026-01-01T10:00:00Z");
  CHECK(str((*tx)["stopTime"]) == "2026-01-01T10:30:00Z");
  CHECK(str((*tx)["stopReason"]) == "EVDisconnected");
  REQUIRE((*tx)["energyWh"].IsNumber());
  CHECK((*tx)["energyWh"].GetDouble() == Approx(3500.0));
  CHECK_FALSE((*tx)["authRejected"].GetBool());
  CHECK((*tx)["offline"].GetBool());
  CHECK(str((*tx)["chargingState"]) == "EVConnected");
  CHECK(csms.ctl_json({"tx", "show", "TX-9"})["seqNoGaps"].Size() == 0);
}

TEST_CASE("a TransactionEvent with an unknown token is answered, stored and flagged",
          "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Station201 st(csms);
  auto started = st.call(tx_event(
      "s0", "Started", 0, "2026-01-01T10:00:00Z",
      R"(,"evse":{"id":1,"connectorId":1},"idToken":{"idToken":"STRANGER","type":"ISO14443"})"));
  CHECK(started[0].GetInt() == 3);
  CHECK(str(started[2]["idTokenInfo"]["status"]) == "Unknown");
  auto list = csms.ctl_json({"tx", "list"});
  const auto* tx = find_tx(list, "TX-9");
  REQUIRE(tx != nullptr);
  CHECK((*tx)["authRejected"].GetBool());
  CHECK((*tx)["stopTime"].IsNull());
}

TEST_CASE("certificate requests are answered that no certificate service is configured",
          "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Station201 st(csms);
  auto sign =
      st.call(R"([2,"c1","SignCertificate",{"csr":"-----BEGIN CERTIFICATE REQUEST-----"}])");
  CHECK(str(sign[2]["status"]) == "Rejected");
  CHECK(str(sign[2]["statusInfo"]["reasonCode"]) == "NoCertificateService");
  auto ev = st.call(
      R"([2,"c2","Get15118EVCertificate",{"iso15118SchemaVersion":"urn:iso:15118:2:2013:MsgDef","action":"Install","exiRequest":"AAAA"}])");
  CHECK(str(ev[2]["status"]) == "Failed");
  auto status = st.call(
      R"([2,"c3","GetCertificateStatus",{"ocspRequestData":{"hashAlgorithm":"SHA256","issuerNameHash":"a","issuerKeyHash":"b","serialNumber":"c","responderURL":"http://ocsp.example"}}])");
  CHECK(str(status[2]["status"]) == "Failed");
}

TEST_CASE("2.0.1 notifications are stored and answered", "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Station201 st(csms);
  CHECK(
      st.call(R"([2,"n1","FirmwareStatusNotification",{"status":"Downloading","requestId":7}])")[0]
          .GetInt() == 3);
  CHECK(st.call(R"([2,"n2","LogStatusNotification",{"status":"Uploading","requestId":8}])")[0]
            .GetInt() == 3);
  CHECK(
      st.call(
            R"([2,"n3","NotifyEvent",{"generatedAt":"2026-01-01T10:00:00Z","seqNo":0,"eventData":[{"eventId":1,"timestamp":"2026-01-01T10:00:00Z","trigger":"Alerting","actualValue":"true","eventNotificationType":"HardWiredNotification","component":{"name":"Door"},"variable":{"name":"Problem"}}]}])")
          [0]
              .GetInt() == 3);
  auto needs = st.call(
      R"([2,"n4","NotifyEVChargingNeeds",{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_single_phase"}}])");
  CHECK(str(needs[2]["status"]) == "Rejected");
  CHECK(
      st.call(
            R"([2,"n5","ReservationStatusUpdate",{"reservationId":3,"reservationUpdateStatus":"Expired"}])")
          [0]
              .GetInt() == 3);
  auto sec = st.call(
      R"([2,"n6","SecurityEventNotification",{"type":"TamperDetectionActivated","timestamp":"2026-01-01T10:00:00Z"}])");
  CHECK(sec[0].GetInt() == 3);
  auto notes = csms.ctl_json({"notifications", "--station", "CS1"});
  std::set<std::string> actions;
  for (const auto& n : notes.GetArray()) actions.insert(str(n["action"]));
  CHECK(actions == std::set<std::string>{"FirmwareStatusNotification", "LogStatusNotification",
                                         "NotifyEvent", "NotifyEVChargingNeeds",
                                         "ReservationStatusUpdate"});
  auto firmware = csms.ctl_json(
      {"notifications", "--station", "CS1", "--action", "FirmwareStatusNotification"});
  REQUIRE(firmware.Size() == 1);
  CHECK(str(firmware[0]["payload"]["status"]) == "Downloading");
  auto events = csms.ctl_json({"events", "--station", "CS1"});
  bool tamper = false;
  for (const auto& e : events.GetArray())
    tamper = tamper || str(e["type"]) == "TamperDetectionActivated";
  CHECK(tamper);
}

TEST_CASE("NotifyReport parts are assembled by requestId whatever their order", "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Station201 st(csms);
  const std::string hb =
      R"({"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},"variableAttribute":[{"value":"300","mutability":"ReadWrite"}],"variableCharacteristics":{"dataType":"integer","unit":"s","supportsMonitoring":false}})";
  const std::string avail =
      R"({"component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"AvailabilityState"},"variableAttribute":[{"value":"Available","mutability":"ReadOnly"}]})";
  CHECK(
      st.call(
            R"([2,"r1","NotifyReport",{"requestId":42,"generatedAt":"2026-01-01T10:00:00Z","seqNo":1,"reportData":[)" +
            avail + "]}]")[0]
          .GetInt() == 3);
  CHECK(
      st.call(
            R"([2,"r0","NotifyReport",{"requestId":42,"generatedAt":"2026-01-01T10:00:00Z","seqNo":0,"tbc":true,"reportData":[)" +
            hb + "]}]")[0]
          .GetInt() == 3);
  auto shown = csms.ctl_json({"station", "show", "CS1"});
  REQUIRE(shown.HasMember("deviceModel"));
  const auto& model = shown["deviceModel"];
  bool complete = false;
  for (const auto& r : model["reports"].GetArray())
    if (r["requestId"].GetInt64() == 42) complete = r["complete"].GetBool();
  CHECK(complete);
  bool heartbeat = false;
  for (const auto& v : model["variables"].GetArray())
    if (str(v["variable"]) == "HeartbeatInterval") heartbeat = str(v["value"]) == "300";
  CHECK(heartbeat);
}

TEST_CASE("1.6 and 2.0.1 stations charge side by side on one server", "[e2e][ocpp201]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP16"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  WsClient old(csms.ocpp_port(), "/ocpp/CP16");
  REQUIRE(old.open());
  REQUIRE(old.subprotocol() == "ocpp1.6");
  auto boot =
      old.call(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  Station201 st(csms);
  auto start = old.call(
      R"([2,"st","StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":100,"timestamp":"2026-01-01T09:00:00Z"}])");
  REQUIRE(start);
  const auto id16 = (*start)[2]["transactionId"].GetInt64();
  st.call(tx_event(
      "s0", "Started", 0, "2026-01-01T10:00:00Z",
      R"(,"evse":{"id":1,"connectorId":1},"idToken":{"idToken":"TAG1","type":"ISO14443"})"));

  auto list = csms.ctl_json({"tx", "list", "--active"});
  CHECK(list.Size() == 2);
  CHECK(find_tx(list, "TX-9") != nullptr);
  bool found16 = false;
  for (const auto& tx : list.GetArray())
    found16 = found16 || (tx["id"].IsInt64() && tx["id"].GetInt64() == id16);
  CHECK(found16);
  auto stations = csms.ctl_json({"station", "list"});
  int v16 = 0;
  int v201 = 0;
  for (const auto& s : stations.GetArray()) {
    v16 += str(s["ocppVersion"]) == "1.6";
    v201 += str(s["ocppVersion"]) == "2.0.1";
  }
  CHECK(v16 == 1);
  CHECK(v201 == 1);
}
