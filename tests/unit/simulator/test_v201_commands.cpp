// The 2.0.1 station answering the CSMS's remote-control, availability and
// other commands, and the CALLERRORs for what it does not play.
#include <catch2/catch.hpp>

#include "test_v201_support.hpp"

using namespace simulator;
using ocpp::v201::BootReasonEnumType;
using ocpp::v201::ConnectorStatusEnumType;
using simtest::Rig201;
using simtest::Sent;
using simtest::text_at;

namespace {

std::string request_start(int remote_start_id, const std::string& token, int evse = 0) {
  std::string payload = R"({"remoteStartId":)" + std::to_string(remote_start_id) +
                        R"(,"idToken":{"idToken":")" + token + R"(","type":"Central"})";
  if (evse != 0) payload += R"(,"evseId":)" + std::to_string(evse);
  return payload + "}";
}

/// AuthCtrlr.AuthorizeRemoteStart on: remote starts authorize first.
void authorize_remote_starts(Rig201& rig) {
  rig.csms_call("SetVariables", R"({"setVariableData":[{"component":{"name":"AuthCtrlr"},
      "variable":{"name":"AuthorizeRemoteStart"},"attributeValue":"true"}]})");
}

std::string tx_info(const Sent& event, const char* field) {
  const auto& t = event.payload()["transactionInfo"];
  return t.HasMember(field) ? text_at(t[field]) : std::string();
}

}  // namespace

TEST_CASE("v201 commands: RequestStartTransaction starts with RemoteStart and remoteStartId") {
  Rig201 rig(2);
  rig.boot();
  auto answer = rig.csms_call("RequestStartTransaction", request_start(77, "REMOTE", 2));
  CHECK(answer.type == 3);
  CHECK(answer.str("status") == "Accepted");
  rig.answer();
  CHECK(rig.calls("Authorize").empty());  // AuthorizeRemoteStart is false
  REQUIRE(rig.station->has_transaction(2));
  auto started = rig.tx_events().at(0);
  CHECK(started.str("eventType") == "Started");
  CHECK(started.str("triggerReason") == "RemoteStart");
  CHECK(started.payload()["transactionInfo"]["remoteStartId"].GetInt() == 77);
  CHECK(started.payload()["evse"]["id"].GetInt() == 2);
  CHECK(text_at(started.payload()["idToken"]["idToken"]) == "REMOTE");
  CHECK(text_at(started.payload()["idToken"]["type"]) == "Central");
  CHECK(*rig.events.last("transaction_started")->raw("remoteStartId") == "77");
  // The CALLRESULT went out before anything the start caused.
  CHECK(rig.answered_before(answer, "TransactionEvent"));
  const Event* answered = rig.events.last("answered");
  REQUIRE(answered);
  CHECK(*answered->string("action") == "RequestStartTransaction");
  CHECK(*answered->raw("response") == R"({"status":"Accepted"})");
}

TEST_CASE("v201 commands: RequestStartTransaction picks a free EVSE - busy or unknown refuse") {
  Rig201 rig(1);
  rig.boot();
  CHECK(rig.csms_call("RequestStartTransaction", request_start(1, "A")).str("status") ==
        "Accepted");
  rig.answer();
  CHECK(rig.station->has_transaction(1));
  CHECK(rig.csms_call("RequestStartTransaction", request_start(2, "B")).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("RequestStartTransaction", request_start(3, "B", 1)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("RequestStartTransaction", request_start(4, "B", 7)).str("status") ==
        "Rejected");
  CHECK(rig.tx_events().size() == 1);
}

TEST_CASE("v201 commands: with AuthorizeRemoteStart a remote start authorizes first") {
  Rig201 rig;
  rig.boot();
  authorize_remote_starts(rig);
  CHECK(rig.csms_call("RequestStartTransaction", request_start(1, "BAD", 1)).str("status") ==
        "Accepted");
  rig.answer();
  CHECK(rig.calls("Authorize").size() == 1);
  CHECK(rig.tx_events().empty());
  rig.csms_call("RequestStartTransaction", request_start(2, "GOOD", 1));
  rig.answer();
  CHECK(rig.calls("Authorize").size() == 2);
  CHECK(rig.tx_events().size() == 1);
}

TEST_CASE("v201 commands: RequestStopTransaction ends it with RemoteStop, reason Remote") {
  Rig201 rig;
  rig.boot();
  rig.csms_call("RequestStartTransaction", request_start(5, "A"));
  rig.answer();
  const std::string id = *rig.station->transaction_id(1);
  CHECK(rig.csms_call("RequestStopTransaction", R"({"transactionId":"nope"})").str("status") ==
        "Rejected");
  CHECK(
      rig.csms_call("RequestStopTransaction", R"({"transactionId":")" + id + "\"}").str("status") ==
      "Accepted");
  rig.answer();
  auto ended = rig.tx_events().back();
  CHECK(ended.str("eventType") == "Ended");
  CHECK(ended.str("triggerReason") == "RemoteStop");
  CHECK(tx_info(ended, "stoppedReason") == "Remote");
  CHECK(rig.statuses(1).back() == "Available");
  CHECK(*rig.events.last("transaction_stopped")->string("reason") == "Remote");
  CHECK(
      rig.csms_call("RequestStopTransaction", R"({"transactionId":")" + id + "\"}").str("status") ==
      "Rejected");
}

TEST_CASE("v201 commands: Reset Immediate ends transactions, goes offline, boots RemoteReset") {
  Rig201 rig;
  rig.boot();
  rig.csms_call("RequestStartTransaction", request_start(1, "A"));
  rig.answer();
  auto answer = rig.csms_call("Reset", R"({"type":"Immediate"})");
  CHECK(answer.str("status") == "Accepted");
  CHECK(*rig.events.last("reset")->string("type") == "Immediate");
  rig.answer();  // the Ended is delivered, then the link goes down
  auto ended = rig.tx_events().back();
  CHECK(ended.str("eventType") == "Ended");
  CHECK(tx_info(ended, "stoppedReason") == "ImmediateReset");
  CHECK(ended.str("triggerReason") == "ResetCommand");
  CHECK_FALSE(rig.link.is_up());
  REQUIRE(rig.link.offline_requests.size() == 1);
  CHECK(rig.link.offline_requests[0] == Duration(1000));
  CHECK_FALSE(rig.station->booted());
  rig.link.connect();
  rig.answer();
  auto boots = rig.calls("BootNotification");
  REQUIRE(boots.size() == 2);
  CHECK(boots[1].str("reason") == "RemoteReset");
  CHECK(rig.station->booted());
  CHECK(rig.statuses(1).back() == "Available");
}

TEST_CASE("v201 commands: Reset OnIdle waits for the running transaction to end") {
  Rig201 rig;
  rig.boot();
  CHECK(rig.run(simtest::start_step()).ok);
  CHECK(rig.csms_call("Reset", R"({"type":"OnIdle"})").str("status") == "Scheduled");
  rig.advance(Duration(5000));
  CHECK(rig.link.is_up());
  CHECK(rig.link.offline_requests.empty());
  CHECK(rig.csms_call("RequestStartTransaction", request_start(9, "B")).str("status") ==
        "Rejected");  // no new transaction before the reset
  CHECK(rig.run(simtest::stop_step()).ok);
  rig.advance(Duration(1000));
  CHECK(*rig.events.last("reset")->string("type") == "OnIdle");
  CHECK_FALSE(rig.link.is_up());
  CHECK(rig.station->boot_reason() == BootReasonEnumType::RemoteReset);
  // The transaction ended as the driver ended it, not by the reset.
  CHECK(tx_info(rig.tx_events().back(), "stoppedReason") == "Local");
}

TEST_CASE("v201 commands: Reset OnIdle when idle resets at once - per-EVSE resets are refused") {
  Rig201 rig(2);
  rig.boot();
  auto evse = rig.csms_call("Reset", R"({"type":"Immediate","evseId":1})");
  CHECK(evse.str("status") == "Rejected");
  CHECK(text_at(evse.payload()["statusInfo"]["reasonCode"]) == "UnsupportedRequest");
  CHECK(rig.link.is_up());
  CHECK(rig.csms_call("Reset", R"({"type":"OnIdle"})").str("status") == "Accepted");
  CHECK_FALSE(rig.link.is_up());
  rig.link.connect();
  rig.answer();
  CHECK(rig.calls("BootNotification").back().str("reason") == "RemoteReset");
}

TEST_CASE("v201 commands: ChangeAvailability of an EVSE: Accepted at once, or Scheduled") {
  Rig201 rig(2);
  rig.boot();
  CHECK(
      rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Inoperative","evse":{"id":2}})")
          .str("status") == "Accepted");
  rig.answer();
  CHECK(rig.station->status(2) == ConnectorStatusEnumType::Unavailable);
  CHECK(rig.statuses(2).back() == "Unavailable");
  CHECK(rig.station->device_model().find({"EVSE", "", 2, 0}, "Available")->value == "false");
  CHECK(rig.csms_call("RequestStartTransaction", request_start(1, "A", 2)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Operative","evse":{"id":2}})")
            .str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(2).back() == "Available");

  rig.csms_call("RequestStartTransaction", request_start(2, "A", 1));
  rig.answer();
  CHECK(rig.csms_call("ChangeAvailability",
                      R"({"operationalStatus":"Inoperative","evse":{"id":1,"connectorId":1}})")
            .str("status") == "Scheduled");
  rig.answer();
  CHECK(rig.station->status(1) == ConnectorStatusEnumType::Occupied);
  rig.csms_call("RequestStopTransaction",
                R"({"transactionId":")" + *rig.station->transaction_id(1) + "\"}");
  rig.answer();
  CHECK(rig.statuses(1).back() == "Unavailable");
  CHECK(
      rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Inoperative","evse":{"id":5}})")
          .str("status") == "Rejected");
  CHECK(rig.csms_call("ChangeAvailability",
                      R"({"operationalStatus":"Inoperative","evse":{"id":1,"connectorId":2}})")
            .str("status") == "Rejected");
}

TEST_CASE("v201 commands: ChangeAvailability of the station covers every EVSE") {
  Rig201 rig(2);
  rig.boot();
  CHECK(
      rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Inoperative"})").str("status") ==
      "Accepted");
  rig.answer();
  for (int n = 1; n <= 2; ++n) CHECK(rig.statuses(n).back() == "Unavailable");
  CHECK(rig.station->device_model().find({"ChargingStation"}, "AvailabilityState")->value ==
        "Unavailable");
  CHECK(rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Operative"})").str("status") ==
        "Accepted");
  rig.answer();
  for (int n = 1; n <= 2; ++n) CHECK(rig.statuses(n).back() == "Available");

  // Busy: scheduled until the transaction ends, then all at once.
  rig.csms_call("RequestStartTransaction", request_start(1, "A", 1));
  rig.answer();
  CHECK(
      rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Inoperative"})").str("status") ==
      "Scheduled");
  CHECK(rig.statuses(2).back() == "Available");
  REQUIRE(rig.run(simtest::stop_step()).ok);
  for (int n = 1; n <= 2; ++n) CHECK(rig.statuses(n).back() == "Unavailable");
}

TEST_CASE("v201 commands: UnlockConnector answers per connector") {
  Rig201 rig(2);
  rig.boot();
  CHECK(rig.csms_call("UnlockConnector", R"({"evseId":2,"connectorId":1})").str("status") ==
        "Unlocked");
  CHECK(rig.csms_call("UnlockConnector", R"({"evseId":3,"connectorId":1})").str("status") ==
        "UnknownConnector");
  CHECK(rig.csms_call("UnlockConnector", R"({"evseId":1,"connectorId":2})").str("status") ==
        "UnknownConnector");
  REQUIRE(rig.run(simtest::start_step()).ok);
  CHECK(rig.csms_call("UnlockConnector", R"({"evseId":1,"connectorId":1})").str("status") ==
        "OngoingAuthorizedTransaction");
  CHECK(rig.station->has_transaction(1));
}

TEST_CASE("v201 commands: TriggerMessage sends what it accepts after answering") {
  Rig201 rig(2);
  rig.boot();
  auto trigger = [&rig](const std::string& payload) {
    return rig.csms_call("TriggerMessage", payload).str("status");
  };
  const auto heartbeats = rig.calls("Heartbeat").size();
  CHECK(trigger(R"({"requestedMessage":"Heartbeat"})") == "Accepted");
  rig.answer();
  CHECK(rig.calls("Heartbeat").size() == heartbeats + 1);

  CHECK(trigger(R"({"requestedMessage":"StatusNotification","evse":{"id":2,"connectorId":1}})") ==
        "Accepted");
  rig.answer();
  CHECK(rig.statuses(2).size() == 2);
  CHECK(rig.statuses(1).size() == 1);
  CHECK(trigger(R"({"requestedMessage":"StatusNotification","evse":{"id":9}})") == "Rejected");

  CHECK(trigger(R"({"requestedMessage":"TransactionEvent"})") == "Rejected");  // none running
  REQUIRE(rig.run(simtest::start_step(1)).ok);
  CHECK(trigger(R"({"requestedMessage":"TransactionEvent","evse":{"id":1}})") == "Accepted");
  rig.answer();
  auto triggered = rig.tx_events().back();
  CHECK(triggered.str("eventType") == "Updated");
  CHECK(triggered.str("triggerReason") == "Trigger");
  CHECK(triggered.num("seqNo") == 1);

  CHECK(trigger(R"({"requestedMessage":"MeterValues","evse":{"id":1}})") == "Accepted");
  rig.answer();
  auto meter = rig.calls("MeterValues").at(0);
  CHECK(meter.num("evseId") == 1);
  CHECK(text_at(meter.payload()["meterValue"][0]["sampledValue"][0]["context"]) == "Trigger");

  CHECK(trigger(R"({"requestedMessage":"FirmwareStatusNotification"})") == "Accepted");
  CHECK(trigger(R"({"requestedMessage":"LogStatusNotification"})") == "Accepted");
  rig.answer();
  CHECK(rig.calls("FirmwareStatusNotification").at(0).str("status") == "Idle");
  CHECK(rig.calls("LogStatusNotification").at(0).str("status") == "Idle");

  // F06.FR.17: once accepted, a station does not boot on request.
  CHECK(trigger(R"({"requestedMessage":"BootNotification"})") == "Rejected");
  // A certificate to sign: a real CSR, of the type asked for.
  CHECK(trigger(R"({"requestedMessage":"SignV2GCertificate"})") == "Accepted");
  REQUIRE(rig.calls("SignCertificate").size() == 1);
  CHECK(rig.calls("SignCertificate").at(0).str("certificateType") == "V2GCertificate");
  CHECK(rig.calls("SignCertificate").at(0).str("csr").rfind("-----BEGIN CERTIFICATE REQUEST", 0) ==
        0);
}

TEST_CASE("v201 commands: while Pending a triggered BootNotification goes at once") {
  Rig201 rig;
  int boots = 0;
  rig.responses["BootNotification"] = [&boots](const Sent&) {
    return std::string(R"({"status":")") + (++boots == 1 ? "Pending" : "Accepted") +
           R"(","currentTime":"2024-01-01T00:00:00Z","interval":300})";
  };
  rig.boot();
  CHECK_FALSE(rig.station->booted());
  CHECK(
      rig.csms_call("TriggerMessage", R"({"requestedMessage":"BootNotification"})").str("status") ==
      "Accepted");
  rig.answer();
  auto all = rig.calls("BootNotification");
  REQUIRE(all.size() == 2);
  CHECK(all[1].str("reason") == "Triggered");
  CHECK(rig.station->booted());
}

TEST_CASE("v201 commands: GetTransactionStatus tells ongoing and queued") {
  Rig201 rig;
  rig.boot();
  auto none = rig.csms_call("GetTransactionStatus", "{}");
  CHECK_FALSE(none.payload()["messagesInQueue"].GetBool());
  CHECK_FALSE(none.has("ongoingIndicator"));
  REQUIRE(rig.run(simtest::start_step()).ok);
  const std::string id = *rig.station->transaction_id(1);
  auto ongoing = rig.csms_call("GetTransactionStatus", R"({"transactionId":")" + id + "\"}");
  CHECK(ongoing.payload()["ongoingIndicator"].GetBool());
  CHECK_FALSE(ongoing.payload()["messagesInQueue"].GetBool());
  auto unknown = rig.csms_call("GetTransactionStatus", R"({"transactionId":"other"})");
  CHECK_FALSE(unknown.payload()["ongoingIndicator"].GetBool());

  // An Updated waits in the queue while the CSMS stays silent.
  rig.responses.erase("TransactionEvent");
  rig.advance(Duration(10000));
  auto queued = rig.csms_call("GetTransactionStatus", R"({"transactionId":")" + id + "\"}");
  CHECK(queued.payload()["messagesInQueue"].GetBool());
  CHECK(rig.csms_call("GetTransactionStatus", "{}").payload()["messagesInQueue"].GetBool());
}

TEST_CASE("v201 commands: ClearCache and DataTransfer") {
  Rig201 rig;
  rig.boot();
  CHECK(rig.csms_call("ClearCache", "{}").str("status") == "Accepted");
  CHECK(rig.csms_call("DataTransfer", R"({"vendorId":"acme"})").str("status") == "UnknownVendorId");
  auto ours =
      rig.csms_call("DataTransfer", R"({"vendorId":"ocpp-sim","messageId":"m","data":{"x":1}})");
  CHECK(ours.str("status") == "Accepted");
  CHECK(ocpp::to_compact_json(ours.payload()["data"]) == R"({"x":1})");
  rig.csms_call("SetVariables", R"({"setVariableData":[{"component":{"name":"AuthCacheCtrlr"},
      "variable":{"name":"Enabled"},"attributeValue":"false"}]})");
  CHECK(rig.csms_call("ClearCache", "{}").str("status") == "Rejected");
}

TEST_CASE("v201 commands: unknown actions are NotImplemented, unplayed 2.0.1 ones NotSupported") {
  Rig201 rig;
  rig.boot();
  auto unknown = rig.csms_call("FlyToTheMoon", "{}");
  CHECK(unknown.type == 4);
  CHECK(unknown.code == "NotImplemented");
  auto v16_only = rig.csms_call("RemoteStartTransaction", R"({"idTag":"A"})");
  CHECK(v16_only.code == "NotImplemented");
  // A message only a station sends: known to 2.0.1, never played by a station.
  auto unsupported = rig.csms_call("Heartbeat", "{}");
  CHECK(unsupported.type == 4);
  CHECK(unsupported.code == "NotSupported");
  CHECK(rig.events.count("received") == 3);
  CHECK(*rig.events.last("answered")->string("code") == "NotSupported");
}

TEST_CASE("v201 commands: an invalid payload gets the decoder's 2.0.1 CALLERROR code") {
  Rig201 rig;
  rig.boot();
  CHECK(rig.csms_call("Reset", R"({})").code == "OccurrenceConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":"Gentle"})").code == "PropertyConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":1})").code == "TypeConstraintViolation");
  CHECK(rig.csms_call("Reset", R"({"type":"OnIdle","extra":1})").code == "FormatViolation");
  CHECK(rig.csms_call("RequestStopTransaction",
                      R"({"transactionId":")" + std::string(37, 'x') + "\"}")
            .code == "PropertyConstraintViolation");  // over maxLength 36
  CHECK(rig.link.is_up());
}

TEST_CASE("v201 commands: a change Scheduled during a start that is then refused applies") {
  Rig201 rig;
  rig.boot();
  authorize_remote_starts(rig);
  CHECK(rig.csms_call("RequestStartTransaction", request_start(1, "BAD", 1)).str("status") ==
        "Accepted");
  // Authorizing: the EVSE is busy, so going inoperative waits.
  CHECK(
      rig.csms_call("ChangeAvailability", R"({"operationalStatus":"Inoperative","evse":{"id":1}})")
          .str("status") == "Scheduled");
  rig.answer();  // Authorize: Invalid
  CHECK_FALSE(rig.station->has_transaction(1));
  CHECK(rig.statuses(1).back() == "Unavailable");
}
