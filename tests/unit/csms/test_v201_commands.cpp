// Operator commands per OCPP version: the CALL each produces, parameters checked
// before anything is sent, answers validated and (2.0.1) stored.
#include <catch2/catch.hpp>

#include <optional>

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
      csms::v16::execute_command(*session, command, done);
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
};

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
  CHECK(r.message.find("Immediate, OnIdle") != std::string::npos);
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
