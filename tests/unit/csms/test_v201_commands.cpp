// Operator commands per OCPP version: the CALL each produces, parameters checked
// before anything is sent, answers validated and (2.0.1) stored.
#include <catch2/catch.hpp>

#include <optional>

#include "cli.hpp"
#include "unit/csms/session_rig.hpp"

namespace {

using namespace csms_test;

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

struct CommandRig : Rig {
  using Rig::Rig;

  /// Runs a command; returns the CALL sent (if any) after answering it with
  /// `answer` (a CALLRESULT payload), and the command's result.
  std::optional<rapidjson::Document> run(const std::string& name, const std::string& params,
                                         const std::string& answer, csms::CommandResult& result) {
    std::optional<csms::CommandResult> got;
    auto done = [&got](csms::CommandResult r) { got = std::move(r); };
    const auto before = conn->sent.size();
    csms::Command command{name, params};
    if (session->version() == ocpp::Version::v201)
      csms::v201::execute_command(*services, *session, command, done);
    else
      csms::v16::execute_command(*services, *session, command, done);
    std::optional<rapidjson::Document> call;
    if (!got) {
      pump_until([&] { return conn->sent.size() > before; });
      call = last_sent();
      session->handle_text("[3,\"" + str((*call)[1]) + "\"," + answer + "]");
      pump_until([&] { return got.has_value(); });
    }
    result = *got;
    return call;
  }

  /// Runs a command that must fail before anything is sent; returns its message.
  std::string refused(const std::string& name, const std::string& params,
                      csms::CommandError error = csms::CommandError::InvalidArgument) {
    const auto before = conn->sent.size();
    csms::CommandResult r;
    INFO(name << " " << params);
    CHECK_FALSE(run(name, params, "", r));
    CHECK(r.error == error);
    CHECK(conn->sent.size() == before);
    return r.message;
  }

  /// The payload of the CALL a command sends, after an answer of `answer`.
  rapidjson::Document payload(const std::string& name, const std::string& params,
                              const std::string& action,
                              const std::string& answer = R"({"status":"Accepted"})") {
    csms::CommandResult r;
    INFO(name << " " << params);
    auto call = run(name, params, answer, r);
    REQUIRE(call);
    CHECK(str((*call)[2]) == action);
    CHECK(r.error == csms::CommandError::None);
    CHECK(r.action == action);
    rapidjson::Document out;
    out.CopyFrom((*call)[3], out.GetAllocator());
    return out;
  }
};

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

std::string json(const rapidjson::Value& v) {
  return ocpp::to_compact_json(v);
}

}  // namespace

TEST_CASE("2.0.1 remote-start sends RequestStartTransaction with a Central token and a fresh id",
          "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  auto call =
      rig.run("remote-start", R"({"evse":2,"idTag":"TAG1"})", R"({"status":"Accepted"})", r);
  REQUIRE(call);
  CHECK(str((*call)[2]) == "RequestStartTransaction");
  const auto& payload = (*call)[3];
  CHECK(payload["evseId"].GetInt() == 2);
  CHECK(str(payload["idToken"]["idToken"]) == "TAG1");
  CHECK(str(payload["idToken"]["type"]) == "Central");
  const auto first_id = payload["remoteStartId"].GetInt64();
  CHECK(r.error == csms::CommandError::None);
  CHECK(r.response_json == R"({"status":"Accepted"})");
  auto again = rig.run("remote-start", R"({"idTag":"TAG1","tokenType":"ISO14443"})",
                       R"({"status":"Rejected"})", r);
  CHECK((*again)[3]["remoteStartId"].GetInt64() > first_id);
  CHECK(str((*again)[3]["idToken"]["type"]) == "ISO14443");
}

TEST_CASE("options a station's version cannot express are refused before sending", "[commands]") {
  CommandRig v201(ocpp::Version::v201);
  csms::CommandResult r;
  CHECK_FALSE(v201.run("remote-start", R"({"connector":1,"idTag":"T"})", "", r));
  CHECK(r.error == csms::CommandError::InvalidArgument);
  CHECK(r.message.find("'evse'") != std::string::npos);
  CHECK_FALSE(v201.run("reset", R"({"type":"Soft"})", "", r));
  CHECK(r.message.find("Immediate or OnIdle") != std::string::npos);
  CHECK_FALSE(v201.run("get-config", "{}", "", r));
  CHECK(r.error == csms::CommandError::Unsupported);
  CHECK(r.message.find("get-variables") != std::string::npos);
  CHECK_FALSE(v201.run("get-variables", R"({"keys":["NoVariable"]})", "", r));
  CHECK(r.message.find("Component[#instance]") != std::string::npos);
  CHECK(v201.conn->sent.empty());

  CommandRig v16;
  CHECK_FALSE(v16.run("get-variables", R"({"keys":["A.B"]})", "", r));
  CHECK(r.error == csms::CommandError::Unsupported);
  CHECK(r.message.find("get-config") != std::string::npos);
  CHECK_FALSE(v16.run("remote-start", R"({"evse":1,"idTag":"T"})", "", r));
  CHECK(r.message.find("2.0.1") != std::string::npos);
  CHECK(v16.conn->sent.empty());
}

TEST_CASE("2.0.1 get-variables and set-variables store what the station accepted", "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  auto get = rig.run(
      "get-variables", R"({"keys":["OCPPCommCtrlr.HeartbeatInterval","EVSE@1.Power/MaxSet"]})",
      R"({"getVariableResult":[{"attributeStatus":"Accepted","attributeValue":"300","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},{"attributeStatus":"UnknownVariable","attributeType":"MaxSet","component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"}}]})",
      r);
  REQUIRE(get);
  const auto& data = (*get)[3]["getVariableData"];
  REQUIRE(data.Size() == 2);
  CHECK(data[1]["component"]["evse"]["id"].GetInt() == 1);
  CHECK(str(data[1]["attributeType"]) == "MaxSet");
  CHECK(r.error == csms::CommandError::None);

  auto set = rig.run(
      "set-variables", R"({"keys":["SampledDataCtrlr.TxUpdatedInterval=15"]})",
      R"({"setVariableResult":[{"attributeStatus":"Accepted","component":{"name":"SampledDataCtrlr"},"variable":{"name":"TxUpdatedInterval"}}]})",
      r);
  REQUIRE(set);
  CHECK(str((*set)[3]["setVariableData"][0]["attributeValue"]) == "15");

  std::vector<storage::DeviceVariable> vars;
  // The values are stored after the answer is reported: wait for the write.
  rig.pump_until([&] {
    storage::read_and_wait(
        *rig.db, [&vars](storage::Session& s) { vars = s.device_model.variables("CP1"); });
    return vars.size() == 2;
  });
  CHECK(vars[0].variable == "HeartbeatInterval");
  CHECK(vars[0].value == std::optional<std::string>("300"));
  CHECK(vars[1].variable == "TxUpdatedInterval");
  CHECK(vars[1].value == std::optional<std::string>("15"));
}

TEST_CASE("2.0.1 report asks for a base report or named components and returns the requestId",
          "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  auto base =
      rig.run("report", R"({"base":"ConfigurationInventory"})", R"({"status":"Accepted"})", r);
  REQUIRE(base);
  CHECK(str((*base)[2]) == "GetBaseReport");
  CHECK(str((*base)[3]["reportBase"]) == "ConfigurationInventory");
  CHECK(r.response_json == R"({"status":"Accepted","requestId":)" +
                               std::to_string((*base)[3]["requestId"].GetInt64()) + "}");
  auto some = rig.run("report", R"({"keys":["OCPPCommCtrlr","EVSE@1.AvailabilityState"]})",
                      R"({"status":"EmptyResultSet"})", r);
  REQUIRE(some);
  CHECK(str((*some)[2]) == "GetReport");
  CHECK((*some)[3]["componentVariable"].Size() == 2);
  CHECK(str((*some)[3]["componentVariable"][1]["variable"]["name"]) == "AvailabilityState");
}

TEST_CASE("an answer that violates the schema is reported as the station's fault", "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  rig.run("clear-cache", "{}", R"({"status":"Maybe"})", r);
  CHECK(r.error == csms::CommandError::Internal);
  CHECK(r.message.find("2.0.1 schema") != std::string::npos);
}

TEST_CASE("trigger takes the message as a word in both versions", "[commands]") {
  CommandRig v16;
  csms::CommandResult r;
  auto call = v16.run("trigger", R"({"keys":["StatusNotification"],"connector":1})",
                      R"({"status":"Accepted"})", r);
  REQUIRE(call);
  CHECK(str((*call)[2]) == "TriggerMessage");
  CHECK(str((*call)[3]["requestedMessage"]) == "StatusNotification");
  CHECK((*call)[3]["connectorId"].GetInt() == 1);

  CommandRig v201(ocpp::Version::v201);
  auto call201 = v201.run("trigger", R"({"keys":["TransactionEvent"],"evse":1})",
                          R"({"status":"Accepted"})", r);
  REQUIRE(call201);
  CHECK(str((*call201)[3]["requestedMessage"]) == "TransactionEvent");
  CHECK((*call201)[3]["evse"]["id"].GetInt() == 1);
  CHECK_FALSE(v201.run("trigger", R"({"keys":["DiagnosticsStatusNotification"]})", "", r));
  CHECK(r.message.find("cannot trigger") != std::string::npos);
}

TEST_CASE("every 2.0.1 command sends the CALL its parameters describe", "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  CHECK(json(rig.payload("remote-stop", R"({"transactionId":"TX-1"})", "RequestStopTransaction")) ==
        R"({"transactionId":"TX-1"})");
  // An integer (csmsctl --transaction 42) is the station's id as text.
  CHECK(json(rig.payload("remote-stop", R"({"transactionId":42})", "RequestStopTransaction")) ==
        R"({"transactionId":"42"})");
  CHECK(json(rig.payload("reset", "{}", "Reset")) == R"({"type":"OnIdle"})");
  CHECK(json(rig.payload("reset", R"({"type":"Immediate","evse":2})", "Reset")) ==
        R"({"type":"Immediate","evseId":2})");
  CHECK(json(rig.payload("unlock", R"({"evse":1})", "UnlockConnector",
                         R"({"status":"Unlocked"})")) == R"({"evseId":1,"connectorId":1})");
  CHECK(json(rig.payload("unlock", R"({"evse":2,"connector":3})", "UnlockConnector",
                         R"({"status":"Unlocked"})")) == R"({"evseId":2,"connectorId":3})");
  CHECK(json(rig.payload("availability", R"({"type":"Inoperative"})", "ChangeAvailability")) ==
        R"({"operationalStatus":"Inoperative"})");
  CHECK(json(rig.payload("availability", R"({"type":"Operative","evse":1,"connector":2})",
                         "ChangeAvailability")) ==
        R"({"evse":{"id":1,"connectorId":2},"operationalStatus":"Operative"})");
  CHECK(json(rig.payload("trigger", R"({"message":"Heartbeat"})", "TriggerMessage")) ==
        R"({"requestedMessage":"Heartbeat"})");
  CHECK(json(rig.payload("clear-cache", "{}", "ClearCache")) == "{}");
  CHECK(json(rig.payload("data-transfer", R"({"vendorId":"ACME","messageId":"M","data":"x y"})",
                         "DataTransfer")) == R"({"messageId":"M","data":"x y","vendorId":"ACME"})");
  CHECK(json(rig.payload("tx-status", "{}", "GetTransactionStatus",
                         R"({"messagesInQueue":false})")) == "{}");
  CHECK(json(rig.payload("tx-status", R"({"transactionId":"TX-1"})", "GetTransactionStatus",
                         R"({"ongoingIndicator":true,"messagesInQueue":false})")) ==
        R"({"transactionId":"TX-1"})");
  // The reference syntax: instances, EVSE and connector, attribute type.
  auto get = rig.payload(
      "get-variables", R"({"keys":["Connector#a@1:2.Power#b/Target"]})", "GetVariables",
      R"({"getVariableResult":[{"attributeStatus":"UnknownComponent","component":{"name":"Connector"},"variable":{"name":"Power"}}]})");
  CHECK(
      json(get["getVariableData"][0]) ==
      R"({"attributeType":"Target","component":{"evse":{"id":1,"connectorId":2},"name":"Connector","instance":"a"},"variable":{"name":"Power","instance":"b"}})");
}

TEST_CASE("2.0.1 parameters are checked before sending, naming the problem", "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  CHECK(has(rig.refused("remote-start", R"({"connector":1,"idTag":"T"})"),
            "use 'evse' on OCPP 2.0.1 stations"));
  CHECK(has(rig.refused("remote-start", R"({"evse":1})"), "needs 'idTag'"));
  CHECK(has(rig.refused("remote-start", R"({"idTag":"T","tokenType":"Magic"})"),
            "'tokenType' must be one of Central"));
  CHECK(has(rig.refused("remote-start", R"({"idTag":"T","colour":"red"})"),
            "unknown parameter 'colour'"));
  CHECK(has(rig.refused("remote-start", R"({"idTag":"T","evse":"one"})"),
            "'evse' must be an integer"));
  CHECK(has(rig.refused("remote-stop", "{}"), "needs 'transactionId'"));
  CHECK(has(rig.refused("reset", R"({"type":"Hard"})"), "'Hard' is an OCPP 1.6 reset type"));
  CHECK(has(rig.refused("reset", R"({"type":"Later"})"), "Immediate, OnIdle"));
  CHECK(has(rig.refused("reset", R"({"connector":1})"), "use 'evse'"));
  CHECK(has(rig.refused("reset", R"({"keys":["now"]})"), "reset takes no words"));
  CHECK(has(rig.refused("unlock", R"({"connector":1})"), "needs 'evse'"));
  CHECK(has(rig.refused("availability", R"({"type":"Operative","connector":1})"),
            "'connector' needs 'evse'"));
  CHECK(has(rig.refused("availability", "{}"), "needs 'type'"));
  CHECK(has(rig.refused("trigger", "{}"), "trigger needs the message"));
  CHECK(has(rig.refused("data-transfer", R"({"data":"x"})"), "needs 'vendorId'"));
  CHECK(has(rig.refused("get-variables", "{}"), "at least one"));
  CHECK(has(rig.refused("get-variables", R"({"keys":["EVSE@x.Power"]})"),
            "the EVSE must be a number"));
  CHECK(has(rig.refused("get-variables", R"({"keys":["EVSE@1:2z.Power"]})"),
            "the connector must be a number"));
  CHECK(has(rig.refused("get-variables", R"({"keys":["A.B/Biggest"]})"), "unknown attribute type"));
  CHECK(has(rig.refused("set-variables", R"({"keys":["A.B"]})"), "expected REFERENCE=VALUE"));
  CHECK(has(rig.refused("report", R"({"base":"Everything"})"), "FullInventory"));
  CHECK(has(rig.refused("report", R"({"base":"FullInventory","keys":["A"]})"), "without words"));
  CHECK(
      has(rig.refused("set-config", R"({"key":"A","value":"1"})", csms::CommandError::Unsupported),
          "use set-variables"));
  const auto unknown = rig.refused("frobnicate", "{}", csms::CommandError::Unsupported);
  CHECK(has(unknown, "known: "));
  CHECK(has(unknown, "remote-start"));
  CHECK(has(rig.refused("reset", "[1]"), "must be a JSON object"));
}

TEST_CASE("1.6 commands keep their forms and point 2.0.1 options elsewhere", "[commands]") {
  CommandRig rig;
  CHECK(json(rig.payload("remote-start", R"({"connector":1,"idTag":"T"})",
                         "RemoteStartTransaction")) == R"({"connectorId":1,"idTag":"T"})");
  CHECK(json(rig.payload("reset", R"({"type":"Hard"})", "Reset")) == R"({"type":"Hard"})");
  CHECK(json(rig.payload("trigger", R"({"message":"Heartbeat"})", "TriggerMessage")) ==
        R"({"requestedMessage":"Heartbeat"})");
  CHECK(has(rig.refused("reset", R"({"type":"Immediate"})"),
            "'Immediate' is an OCPP 2.0.1 reset type; OCPP 1.6 stations take Soft or Hard"));
  CHECK(has(rig.refused("unlock", R"({"evse":1})"),
            "'evse' is an OCPP 2.0.1 parameter; use 'connector' on OCPP 1.6 stations"));
  CHECK(has(rig.refused("remote-start", R"({"idTag":"T","tokenType":"Central"})"), "have no type"));
  CHECK(has(rig.refused("trigger", R"({"keys":["TransactionEvent"]})"), "not 'TransactionEvent'"));
  CHECK(has(rig.refused("trigger", "{}"), "trigger needs the message"));
  CHECK(has(rig.refused("set-variables", R"({"keys":["A.B=1"]})", csms::CommandError::Unsupported),
            "OCPP 2.0.1 command; this station speaks 1.6: use set-config"));
  CHECK(has(rig.refused("report", "{}", csms::CommandError::Unsupported), "OCPP 2.0.1 command"));
  csms::CommandResult r;
  rig.run("reset", "{}", R"({"status":"Sometimes"})", r);
  CHECK(r.error == csms::CommandError::Internal);
  CHECK(has(r.message, "1.6 schema"));
}

TEST_CASE("only what a 2.0.1 station accepted is stored", "[commands]") {
  CommandRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  rig.run(
      "set-variables", R"({"keys":["A.X=1","A.Y=2","A.Z=3"]})",
      R"({"setVariableResult":[{"attributeStatus":"Rejected","component":{"name":"A"},"variable":{"name":"X"}},{"attributeStatus":"RebootRequired","component":{"name":"A"},"variable":{"name":"Y"}},{"attributeStatus":"Accepted","component":{"name":"A"},"variable":{"name":"Z"}}]})",
      r);
  CHECK(r.error == csms::CommandError::None);
  std::vector<storage::DeviceVariable> vars;
  rig.pump_until([&] {
    storage::read_and_wait(
        *rig.db, [&vars](storage::Session& s) { vars = s.device_model.variables("CP1"); });
    return !vars.empty();
  });
  REQUIRE(vars.size() == 1);
  CHECK(vars[0].variable == "Z");
  CHECK(vars[0].value == std::optional<std::string>("3"));
}

TEST_CASE("csmsctl's 2.0.1 and 1.6 command lines become the right CALLs", "[commands][csmsctl]") {
  auto params = [](std::vector<std::string> args) {
    return csms::cli::parse_command_line(args, "", "").body;
  };
  CommandRig v201(ocpp::Version::v201);
  auto start = v201.payload("remote-start",
                            params({"cmd", "CS1", "remote-start", "--evse", "1", "--idtag", "TAG"}),
                            "RequestStartTransaction");
  CHECK(start["evseId"].GetInt() == 1);
  CHECK(str(start["idToken"]["idToken"]) == "TAG");
  CHECK(str(start["idToken"]["type"]) == "Central");
  CHECK(str(v201.payload(
            "remote-start",
            params({"cmd", "CS1", "remote-start", "--idtag", "TAG", "--token-type", "KeyCode"}),
            "RequestStartTransaction")["idToken"]["type"]) == "KeyCode");
  CHECK(json(v201.payload("reset", params({"cmd", "CS1", "reset", "--type", "Immediate"}),
                          "Reset")) == R"({"type":"Immediate"})");
  CHECK(json(v201.payload("reset", params({"cmd", "CS1", "reset", "--type", "OnIdle"}), "Reset")) ==
        R"({"type":"OnIdle"})");
  CHECK(
      json(v201.payload(
          "set-variables",
          params({"cmd", "CS1", "set-variables", "OCPPCommCtrlr.HeartbeatInterval=30"}),
          "SetVariables",
          R"({"setVariableResult":[{"attributeStatus":"Rejected","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]})")) ==
      R"({"setVariableData":[{"attributeValue":"30","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}]})");
  CHECK(str(v201.payload("report", params({"cmd", "CS1", "report"}),
                         "GetBaseReport")["reportBase"]) == "FullInventory");
  CHECK(str(v201.payload("trigger", params({"cmd", "CS1", "trigger", "--message", "Heartbeat"}),
                         "TriggerMessage")["requestedMessage"]) == "Heartbeat");
  CHECK(has(v201.refused("remote-start", params({"cmd", "CS1", "remote-start", "--connector", "1",
                                                 "--idtag", "TAG"})),
            "use 'evse'"));
  CHECK(has(v201.refused("reset", params({"cmd", "CS1", "reset", "--type", "Soft"})),
            "OCPP 1.6 reset type"));

  CommandRig v16;
  CHECK(
      json(v16.payload("remote-start",
                       params({"cmd", "CP1", "remote-start", "--connector", "2", "--idtag", "TAG"}),
                       "RemoteStartTransaction")) == R"({"connectorId":2,"idTag":"TAG"})");
  CHECK(json(v16.payload("reset", params({"cmd", "CP1", "reset", "--type", "Soft"}), "Reset")) ==
        R"({"type":"Soft"})");
  CHECK(json(v16.payload(
            "trigger", params({"cmd", "CP1", "trigger", "StatusNotification", "--connector", "1"}),
            "TriggerMessage")) == R"({"requestedMessage":"StatusNotification","connectorId":1})");
  CHECK(has(v16.refused("remote-start",
                        params({"cmd", "CP1", "remote-start", "--evse", "1", "--idtag", "TAG"})),
            "use 'connector'"));
  CHECK(has(v16.refused("reset", params({"cmd", "CP1", "reset", "--type", "Immediate"})),
            "OCPP 2.0.1 reset type"));
}
