// The 1.6 charge point answering the CSMS, driven through its Link with no
// sockets: boot, statuses, and every Core command.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace simulator;
using ocpp::v16::ChargePointStatus;
using simtest::Rig;
using simtest::Sent;

TEST_CASE("charge point: boots, then reports every connector Available") {
  Rig rig(2);
  rig.station->start();
  CHECK(rig.link.starts == 1);
  rig.link.connect();
  REQUIRE(rig.link.sent.size() == 1);
  auto boot = simtest::parse_sent(rig.link.sent[0]);
  CHECK(boot.action == "BootNotification");
  CHECK(boot.str("chargePointVendor") == "ocpp-sim");
  CHECK(boot.str("chargePointModel") == "SIM-1");
  CHECK(boot.str("chargePointSerialNumber") == "CP1");
  rig.answer();
  CHECK(rig.station->booted());
  CHECK(rig.events.count("connected") == 1);
  CHECK(*rig.events.last("boot")->string("status") == "Accepted");
  for (int n = 0; n <= 2; ++n) CHECK(rig.statuses(n) == std::vector<std::string>{"Available"});
  CHECK(rig.station->configuration().get("HeartbeatInterval") == "300");
}

TEST_CASE("charge point: Pending and Rejected boots are retried after the interval") {
  Rig rig;
  int boots = 0;
  rig.responses["BootNotification"] = [&boots](const Sent&) {
    ++boots;
    return std::string(R"({"status":")") +
           (boots < 3 ? (boots == 1 ? "Pending" : "Rejected") : "Accepted") +
           R"(","currentTime":"2024-01-01T00:00:00Z","interval":20})";
  };
  rig.boot();
  CHECK(boots == 1);
  CHECK_FALSE(rig.station->booted());
  CHECK(rig.calls("StatusNotification").empty());
  rig.advance(Duration(19000));
  CHECK(boots == 1);
  rig.advance(Duration(1000));
  CHECK(boots == 2);
  rig.advance(Duration(20000));
  CHECK(boots == 3);
  CHECK(rig.station->booted());
  CHECK(rig.calls("StatusNotification").size() == 2);
}

TEST_CASE("charge point: heartbeats follow the boot interval, or HeartbeatInterval once changed") {
  Rig rig;
  rig.responses["BootNotification"] = [](const Sent&) {
    return std::string(
        R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":10})");
  };
  rig.boot();
  rig.advance(Duration(30000));
  CHECK(rig.calls("Heartbeat").size() == 3);
  auto answer = rig.csms_call("ChangeConfiguration", R"({"key":"HeartbeatInterval","value":"2"})");
  CHECK(answer.str("status") == "Accepted");
  rig.advance(Duration(10000));
  CHECK(rig.calls("Heartbeat").size() == 8);
}

TEST_CASE("charge point: --heartbeat overrides the CSMS's interval") {
  Rig rig(1, [](StationSettings& s) { s.heartbeat_s = 5; });
  rig.boot();
  CHECK(rig.station->configuration().get("HeartbeatInterval") == "5");
  rig.advance(Duration(10000));
  CHECK(rig.calls("Heartbeat").size() == 2);
}

TEST_CASE("charge point: a plain reconnect does not boot again but reports changed statuses") {
  Rig rig;
  rig.boot();
  rig.link.drop();
  CHECK(rig.events.count("disconnected") == 1);
  Step faulted = simtest::make_step(StepKind::Status);
  faulted.status = "Faulted";
  faulted.error_code = "GroundFailure";
  CHECK(rig.run(faulted).ok);  // offline: reported later
  rig.link.connect();
  rig.answer();
  CHECK(rig.calls("BootNotification").size() == 1);
  CHECK(rig.statuses(1) == std::vector<std::string>{"Available", "Faulted"});
  CHECK(rig.calls("StatusNotification").back().str("errorCode") == "GroundFailure");
  CHECK(rig.statuses(0).size() == 1);  // unchanged: not repeated
}

TEST_CASE("charge point: RemoteStartTransaction on a free connector starts a session") {
  Rig rig(2);
  rig.boot();
  auto answer = rig.csms_call("RemoteStartTransaction", R"({"connectorId":2,"idTag":"REMOTE"})");
  CHECK(answer.type == 3);
  CHECK(answer.str("status") == "Accepted");
  rig.answer();
  CHECK(rig.calls("Authorize").empty());  // AuthorizeRemoteTxRequests is false
  auto starts = rig.calls("StartTransaction");
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].num("connectorId") == 2);
  CHECK(starts[0].str("idTag") == "REMOTE");
  CHECK(rig.station->transaction_id(2) == 101);
  CHECK(rig.station->status(2) == ChargePointStatus::Charging);
  // The CALLRESULT went out before anything the start caused.
  CHECK(rig.answered_before(answer, "StartTransaction"));
}

TEST_CASE(
    "charge point: RemoteStartTransaction without connector picks a free one, busy ones refuse") {
  Rig rig(1);
  rig.boot();
  CHECK(rig.csms_call("RemoteStartTransaction", R"({"idTag":"A"})").str("status") == "Accepted");
  rig.answer();
  CHECK(rig.station->has_session(1));
  CHECK(rig.csms_call("RemoteStartTransaction", R"({"idTag":"B"})").str("status") == "Rejected");
  CHECK(rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"B"})").str("status") ==
        "Rejected");
  CHECK(rig.csms_call("RemoteStartTransaction", R"({"connectorId":7,"idTag":"B"})").str("status") ==
        "Rejected");
}

TEST_CASE("charge point: with AuthorizeRemoteTxRequests a remote start authorizes first") {
  Rig rig;
  rig.boot();
  CHECK(
      rig.csms_call("ChangeConfiguration", R"({"key":"AuthorizeRemoteTxRequests","value":"true"})")
          .str("status") == "Accepted");
  CHECK(
      rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"BAD"})").str("status") ==
      "Accepted");
  rig.answer();
  CHECK(rig.calls("Authorize").size() == 1);
  CHECK(rig.calls("StartTransaction").empty());
  CHECK_FALSE(rig.station->has_session(1));
  rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"GOOD"})");
  rig.answer();
  CHECK(rig.calls("Authorize").size() == 2);
  CHECK(rig.calls("StartTransaction").size() == 1);
}

TEST_CASE("charge point: RemoteStopTransaction stops a running transaction with reason Remote") {
  Rig rig;
  rig.boot();
  rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"A"})");
  rig.answer();
  CHECK(rig.csms_call("RemoteStopTransaction", R"({"transactionId":999})").str("status") ==
        "Rejected");
  CHECK(rig.csms_call("RemoteStopTransaction", R"({"transactionId":101})").str("status") ==
        "Accepted");
  rig.answer();
  auto stops = rig.calls("StopTransaction");
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].num("transactionId") == 101);
  CHECK(stops[0].str("reason") == "Remote");
  CHECK(rig.statuses(1).back() == "Available");
  CHECK(*rig.events.last("transaction_stopped")->raw("transactionId") == "101");
}

TEST_CASE("charge point: Reset stops sessions, closes, and boots again after reconnecting") {
  for (const char* type : {"Soft", "Hard"}) {
    INFO(type);
    Rig rig;
    rig.boot();
    rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"A"})");
    rig.answer();
    auto answer = rig.csms_call("Reset", std::string(R"({"type":")") + type + "\"}");
    CHECK(answer.str("status") == "Accepted");
    rig.answer();  // the StopTransaction is delivered, then the link goes down
    auto stops = rig.calls("StopTransaction");
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].str("reason") == std::string(type) + "Reset");
    CHECK_FALSE(rig.link.is_up());
    REQUIRE(rig.link.offline_requests.size() == 1);
    CHECK(rig.link.offline_requests[0] == Duration(1000));
    CHECK_FALSE(rig.station->booted());
    rig.link.connect();
    rig.answer();
    CHECK(rig.calls("BootNotification").size() == 2);
    CHECK(rig.station->booted());
  }
}

TEST_CASE("charge point: UnlockConnector unlocks, stopping a session with reason UnlockCommand") {
  Rig rig(2);
  rig.boot();
  CHECK(rig.csms_call("UnlockConnector", R"({"connectorId":2})").str("status") == "Unlocked");
  CHECK(rig.csms_call("UnlockConnector", R"({"connectorId":3})").str("status") == "NotSupported");
  rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"A"})");
  rig.answer();
  CHECK(rig.csms_call("UnlockConnector", R"({"connectorId":1})").str("status") == "Unlocked");
  rig.answer();
  REQUIRE(rig.calls("StopTransaction").size() == 1);
  CHECK(rig.calls("StopTransaction")[0].str("reason") == "UnlockCommand");
}

TEST_CASE("charge point: ChangeAvailability is Accepted at once, or Scheduled while charging") {
  Rig rig(2);
  rig.boot();
  CHECK(rig.csms_call("ChangeAvailability", R"({"connectorId":2,"type":"Inoperative"})")
            .str("status") == "Accepted");
  rig.answer();
  CHECK(rig.station->status(2) == ChargePointStatus::Unavailable);
  CHECK(rig.statuses(2).back() == "Unavailable");
  CHECK(rig.csms_call("RemoteStartTransaction", R"({"connectorId":2,"idTag":"A"})").str("status") ==
        "Rejected");
  CHECK(rig.csms_call("ChangeAvailability", R"({"connectorId":2,"type":"Operative"})")
            .str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(2).back() == "Available");

  rig.csms_call("RemoteStartTransaction", R"({"connectorId":1,"idTag":"A"})");
  rig.answer();
  CHECK(rig.csms_call("ChangeAvailability", R"({"connectorId":1,"type":"Inoperative"})")
            .str("status") == "Scheduled");
  rig.answer();
  CHECK(rig.station->status(1) == ChargePointStatus::Charging);
  rig.csms_call("RemoteStopTransaction", R"({"transactionId":101})");
  rig.answer();
  CHECK(rig.statuses(1).back() == "Unavailable");
  CHECK(rig.csms_call("ChangeAvailability", R"({"connectorId":5,"type":"Inoperative"})")
            .str("status") == "Rejected");
}

TEST_CASE("charge point: ChangeAvailability on connector 0 covers the whole charge point") {
  Rig rig(2);
  rig.boot();
  CHECK(rig.csms_call("ChangeAvailability", R"({"connectorId":0,"type":"Inoperative"})")
            .str("status") == "Accepted");
  rig.answer();
  for (int n = 0; n <= 2; ++n) CHECK(rig.statuses(n).back() == "Unavailable");
}

TEST_CASE("charge point: ChangeConfiguration follows the store's rules and applies changes") {
  Rig rig;
  rig.boot();
  CHECK(rig.csms_call("ChangeConfiguration", R"({"key":"MeterValueSampleInterval","value":"5"})")
            .str("status") == "Accepted");
  CHECK(rig.station->configuration().get("MeterValueSampleInterval") == "5");
  CHECK(rig.csms_call("ChangeConfiguration", R"({"key":"NumberOfConnectors","value":"4"})")
            .str("status") == "Rejected");
  CHECK(rig.csms_call("ChangeConfiguration", R"({"key":"HeartbeatInterval","value":"soon"})")
            .str("status") == "Rejected");
  CHECK(rig.csms_call("ChangeConfiguration", R"({"key":"MadeUpKey","value":"1"})").str("status") ==
        "NotSupported");
}

TEST_CASE("charge point: GetConfiguration lists all keys, or the asked ones plus unknownKey") {
  Rig rig;
  rig.boot();
  auto all = rig.csms_call("GetConfiguration", "{}");
  const auto& keys = all.payload()["configurationKey"];
  REQUIRE(keys.IsArray());
  CHECK(keys.Size() == rig.station->configuration().keys().size());
  auto some = rig.csms_call("GetConfiguration", R"({"key":["NumberOfConnectors","Nope"]})");
  const auto& found = some.payload()["configurationKey"];
  REQUIRE(found.Size() == 1);
  CHECK(std::string(found[0]["key"].GetString()) == "NumberOfConnectors");
  CHECK(found[0]["readonly"].GetBool());
  CHECK(std::string(found[0]["value"].GetString()) == "1");
  CHECK(std::string(some.payload()["unknownKey"][0].GetString()) == "Nope");
}

TEST_CASE("charge point: ClearCache is Accepted and DataTransfer knows its vendor") {
  Rig rig;
  rig.boot();
  CHECK(rig.csms_call("ClearCache", "{}").str("status") == "Accepted");
  auto ours =
      rig.csms_call("DataTransfer", R"({"vendorId":"ocpp-sim","messageId":"m","data":"hello"})");
  CHECK(ours.str("status") == "Accepted");
  CHECK(ours.str("data") == "hello");
  CHECK(rig.csms_call("DataTransfer", R"({"vendorId":"acme"})").str("status") == "UnknownVendorId");
}

TEST_CASE("charge point: TriggerMessage sends the requested message after answering") {
  Rig rig(2);
  rig.boot();
  const auto heartbeats = rig.calls("Heartbeat").size();
  CHECK(rig.csms_call("TriggerMessage", R"({"requestedMessage":"Heartbeat"})").str("status") ==
        "Accepted");
  rig.answer();
  CHECK(rig.calls("Heartbeat").size() == heartbeats + 1);
  CHECK(rig.csms_call("TriggerMessage",
                      R"({"requestedMessage":"StatusNotification","connectorId":2})")
            .str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(2).size() == 2);
  CHECK(rig.statuses(1).size() == 1);
  CHECK(rig.csms_call("TriggerMessage", R"({"requestedMessage":"Heartbeat","connectorId":9})")
            .str("status") == "Rejected");
}

TEST_CASE("charge point: unknown actions are NotImplemented, unplayed 1.6 ones NotSupported") {
  Rig rig;
  rig.boot();
  auto unknown = rig.csms_call("FlyToTheMoon", "{}");
  CHECK(unknown.type == 4);
  CHECK(unknown.code == "NotImplemented");
  // Every CSMS-initiated 1.6 action is played; a station-initiated one sent by
  // the CSMS is known to 1.6 but not something a charge point answers.
  auto unsupported = rig.csms_call("Heartbeat", "{}");
  CHECK(unsupported.type == 4);
  CHECK(unsupported.code == "NotSupported");
  CHECK(rig.events.count("received") == 2);
}

TEST_CASE("charge point: an invalid payload gets the decoder's CALLERROR code") {
  Rig rig;
  rig.boot();
  CHECK(rig.csms_call("Reset", R"({})").code == "OccurenceConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":"Gentle"})").code == "PropertyConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":1})").code == "TypeConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":"Soft","extra":1})").code == "FormationViolation");
  CHECK(rig.csms_call("ChangeConfiguration", R"({"key":"HeartbeatInterval"})").code ==
        "OccurenceConstraintViolation");
}

TEST_CASE("charge point: an HTTP rejection is reported, and fatal ones reach the fatal handler") {
  Rig rig;
  std::string fatal;
  rig.station->set_fatal_handler([&fatal](const std::string& why) { fatal = why; });
  rig.link.fail({503, "busy", false});
  CHECK(*rig.events.last("rejected")->raw("status") == "503");
  CHECK(fatal.empty());
  rig.link.fail({401, "no", true});
  CHECK(rig.events.count("rejected") == 2);
  CHECK(fatal.find("401") != std::string::npos);
}
