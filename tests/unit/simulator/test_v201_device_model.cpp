// The 2.0.1 device model: validation, GetBaseReport/GetReport and their
// NotifyReport parts, GetVariables, SetVariables and their effects.
#include <catch2/catch.hpp>

#include <set>

#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig201;
using simtest::Sent;
using simtest::text_at;
using simulator::v201::ComponentRef;
using simulator::v201::DeviceModel;
using simulator::v201::DeviceVariable;

namespace {

/// The NotifyReport parts sent for `request_id`.
std::vector<Sent> report_parts(const Rig201& rig, std::int64_t request_id) {
  std::vector<Sent> out;
  for (const auto& s : rig.calls("NotifyReport")) {
    if (s.num("requestId") == request_id) out.push_back(s);
  }
  return out;
}

/// "Component[/evse[/connector]].Variable[instance]" for every variable reported.
std::vector<std::string> reported(const std::vector<Sent>& parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) {
    if (!p.has("reportData")) continue;
    for (const auto& d : p.payload()["reportData"].GetArray()) {
      std::string name = text_at(d["component"]["name"]);
      if (d["component"].HasMember("evse")) {
        name += "/" + std::to_string(d["component"]["evse"]["id"].GetInt());
        if (d["component"]["evse"].HasMember("connectorId")) {
          name += "/" + std::to_string(d["component"]["evse"]["connectorId"].GetInt());
        }
      }
      name += "." + text_at(d["variable"]["name"]);
      if (d["variable"].HasMember("instance")) {
        name += "[" + text_at(d["variable"]["instance"]) + "]";
      }
      out.push_back(name);
    }
  }
  return out;
}

std::string get_variables(const std::string& items) {
  return R"({"getVariableData":[)" + items + "]}";
}

std::string set_variable(const std::string& component, const std::string& variable,
                         const std::string& value, const std::string& extra = {}) {
  return R"({"setVariableData":[{"component":{"name":")" + component +
         R"("},"variable":{"name":")" + variable + R"("},"attributeValue":")" + value + "\"" +
         extra + "}]}";
}

}  // namespace

TEST_CASE("v201 device model: values are checked against their data type and limits") {
  auto check = [](ocpp::v201::DataEnumType type, const std::string& value,
                  std::optional<double> min = std::nullopt,
                  std::optional<double> max = std::nullopt, std::vector<std::string> values = {}) {
    DeviceVariable v;
    v.data_type = type;
    v.min_limit = min;
    v.max_limit = max;
    v.values_list = std::move(values);
    std::string normalized, why;
    return DeviceModel::validate(v, value, normalized, why) ? normalized : "<" + why + ">";
  };
  using D = ocpp::v201::DataEnumType;
  CHECK(check(D::integer, "42") == "42");
  CHECK(check(D::integer, "4.2").front() == '<');
  CHECK(check(D::integer, "soon").front() == '<');
  CHECK(check(D::integer, "0", 1.0).front() == '<');
  CHECK(check(D::integer, "11", std::nullopt, 10.0).front() == '<');
  CHECK(check(D::decimal, "7.5", 0.0, 10.0) == "7.5");
  CHECK(check(D::decimal, "11", 0.0, 10.0).front() == '<');
  CHECK(check(D::decimal, "1e400").front() == '<');
  CHECK(check(D::boolean, "TRUE") == "true");
  CHECK(check(D::boolean, "yes").front() == '<');
  CHECK(check(D::string, "abcd", std::nullopt, 4.0) == "abcd");
  CHECK(check(D::string, "abcde", std::nullopt, 4.0).front() == '<');
  CHECK(check(D::dateTime, "2024-01-01T00:00:00Z") == "2024-01-01T00:00:00Z");
  CHECK(check(D::dateTime, "yesterday").front() == '<');
  CHECK(check(D::OptionList, "B", std::nullopt, std::nullopt, {"A", "B"}) == "B");
  CHECK(check(D::OptionList, "A,B", std::nullopt, std::nullopt, {"A", "B"}).front() == '<');
  CHECK(check(D::MemberList, "B, A", std::nullopt, std::nullopt, {"A", "B"}) == "B,A");
  CHECK(check(D::MemberList, "A,C", std::nullopt, std::nullopt, {"A", "B"}).front() == '<');
  CHECK(check(D::SequenceList, "", std::nullopt, std::nullopt, {"A"}).empty());
}

TEST_CASE("v201 device model: the required variables exist with their attributes") {
  auto model = v201::default_device_model([] {
    StationSettings s;
    s.id = "CS9";
    s.connectors = 2;
    s.meter_interval_s = 15;
    s.power_w = 22000;
    return s;
  }());
  using M = ocpp::v201::MutabilityEnumType;
  struct Expect {
    ComponentRef component;
    const char* name;
    const char* instance;
    M mutability;
  };
  const std::vector<Expect> expected = {
      {{"OCPPCommCtrlr"}, "HeartbeatInterval", "", M::ReadWrite},
      {{"OCPPCommCtrlr"}, "MessageTimeout", "Default", M::ReadWrite},
      {{"OCPPCommCtrlr"}, "NetworkConfigurationPriority", "", M::ReadWrite},
      {{"SampledDataCtrlr"}, "TxUpdatedInterval", "", M::ReadWrite},
      {{"SampledDataCtrlr"}, "TxUpdatedMeasurands", "", M::ReadWrite},
      {{"AuthCtrlr"}, "AuthorizeRemoteStart", "", M::ReadWrite},
      {{"AuthCtrlr"}, "Enabled", "", M::ReadWrite},
      {{"TxCtrlr"}, "EVConnectionTimeOut", "", M::ReadWrite},
      {{"DeviceDataCtrlr"}, "ItemsPerMessage", "GetReport", M::ReadOnly},
      {{"DeviceDataCtrlr"}, "ItemsPerMessage", "GetVariables", M::ReadOnly},
      {{"DeviceDataCtrlr"}, "BytesPerMessage", "GetReport", M::ReadOnly},
      {{"DeviceDataCtrlr"}, "BytesPerMessage", "GetVariables", M::ReadOnly},
      {{"SecurityCtrlr"}, "Identity", "", M::ReadOnly},
      {{"ChargingStation"}, "Available", "", M::ReadOnly},
      {{"ChargingStation"}, "AvailabilityState", "", M::ReadOnly},
      {{"ChargingStation"}, "Model", "", M::ReadOnly},
      {{"ChargingStation"}, "VendorName", "", M::ReadOnly},
      {{"EVSE", "", 2, 0}, "AvailabilityState", "", M::ReadOnly},
      {{"EVSE", "", 2, 0}, "Power", "", M::ReadOnly},
      {{"Connector", "", 2, 1}, "ConnectorType", "", M::ReadOnly},
      {{"Connector", "", 2, 1}, "AvailabilityState", "", M::ReadOnly},
  };
  for (const auto& e : expected) {
    INFO(e.component.name << "." << e.name << "[" << e.instance << "]");
    const DeviceVariable* v = model.find(e.component, e.name, e.instance);
    REQUIRE(v);
    CHECK(v->mutability == e.mutability);
  }
  CHECK(model.find({"OCPPCommCtrlr"}, "HeartbeatInterval")->unit == "s");
  CHECK(model.find({"SampledDataCtrlr"}, "TxUpdatedInterval")->value == "15");
  CHECK(model.find({"SecurityCtrlr"}, "Identity")->value == "CS9");
  CHECK(model.find({"EVSE", "", 2, 0}, "Power")->max_limit == Approx(22000));
  CHECK(model.find({"EVSE", "", 3, 0}, "Power") == nullptr);
  // Names match case-insensitively.
  CHECK(model.find({"ocppcommctrlr"}, "heartbeatinterval"));
}

TEST_CASE("v201 reports: GetBaseReport is Accepted, then NotifyReport parts by ItemsPerMessage") {
  Rig201 rig(2);
  rig.boot();
  const std::size_t total = rig.station->device_model().variables().size();
  auto answer = rig.csms_call("GetBaseReport", R"({"requestId":7,"reportBase":"FullInventory"})");
  CHECK(answer.str("status") == "Accepted");
  // The answer goes before the first part.
  CHECK(rig.answered_before(answer, "NotifyReport"));
  rig.answer();
  auto parts = report_parts(rig, 7);
  REQUIRE(parts.size() == (total + 9) / 10);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i].num("seqNo") == static_cast<std::int64_t>(i));
    CHECK(parts[i].payload()["tbc"].GetBool() == (i + 1 < parts.size()));
    CHECK(parts[i].str("generatedAt") == parts[0].str("generatedAt"));
    CHECK(parts[i].payload()["reportData"].Size() == (i + 1 < parts.size() ? 10 : total % 10));
  }
  auto names = reported(parts);
  CHECK(names.size() == total);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == total);
  const Event* sent = rig.events.last("report_sent");
  REQUIRE(sent);
  CHECK(*sent->raw("requestId") == "7");
  CHECK(*sent->raw("parts") == std::to_string(parts.size()));

  // One reported variable in full.
  const rapidjson::Value* heartbeat = nullptr;
  for (const auto& p : parts) {
    for (const auto& d : p.payload()["reportData"].GetArray()) {
      if (text_at(d["variable"]["name"]) == "HeartbeatInterval") heartbeat = &d;
    }
  }
  REQUIRE(heartbeat);
  const auto& attribute = (*heartbeat)["variableAttribute"][0];
  CHECK(text_at(attribute["type"]) == "Actual");
  CHECK(text_at(attribute["value"]) == "300");
  CHECK(text_at(attribute["mutability"]) == "ReadWrite");
  CHECK(attribute["persistent"].GetBool());
  CHECK_FALSE(attribute["constant"].GetBool());
  const auto& characteristics = (*heartbeat)["variableCharacteristics"];
  CHECK(text_at(characteristics["dataType"]) == "integer");
  CHECK(text_at(characteristics["unit"]) == "s");
  CHECK_FALSE(characteristics["supportsMonitoring"].GetBool());
}

TEST_CASE("v201 reports: a smaller ItemsPerMessage makes more parts") {
  Rig201 rig;
  REQUIRE(
      rig.station->device_model().force({"DeviceDataCtrlr"}, "ItemsPerMessage", "3", "GetReport"));
  rig.boot();
  rig.csms_call("GetBaseReport", R"({"requestId":1,"reportBase":"FullInventory"})");
  rig.answer();
  const std::size_t total = rig.station->device_model().variables().size();
  auto parts = report_parts(rig, 1);
  CHECK(parts.size() == (total + 2) / 3);
  CHECK(reported(parts).size() == total);
  CHECK_FALSE(parts.back().payload()["tbc"].GetBool());
}

TEST_CASE("v201 reports: ConfigurationInventory holds writable variables, Summary a few") {
  Rig201 rig;
  rig.boot();
  rig.csms_call("GetBaseReport", R"({"requestId":2,"reportBase":"ConfigurationInventory"})");
  rig.csms_call("GetBaseReport", R"({"requestId":3,"reportBase":"SummaryInventory"})");
  rig.answer();
  auto configuration = reported(report_parts(rig, 2));
  CHECK(std::find(configuration.begin(), configuration.end(), "OCPPCommCtrlr.HeartbeatInterval") !=
        configuration.end());
  for (const auto& p : report_parts(rig, 2)) {
    for (const auto& d : p.payload()["reportData"].GetArray()) {
      CHECK(text_at(d["variableAttribute"][0]["mutability"]) != "ReadOnly");
    }
  }
  auto summary = reported(report_parts(rig, 3));
  CHECK(std::find(summary.begin(), summary.end(), "ChargingStation.AvailabilityState") !=
        summary.end());
  CHECK(std::find(summary.begin(), summary.end(), "Connector/1/1.AvailabilityState") !=
        summary.end());
  CHECK(std::find(summary.begin(), summary.end(), "ChargingStation.VendorName") != summary.end());
  CHECK(summary.size() == 9);  // the station's 5, and availability of the EVSE and connector
  CHECK(std::find(summary.begin(), summary.end(), "OCPPCommCtrlr.HeartbeatInterval") ==
        summary.end());
}

TEST_CASE("v201 reports: GetReport filters by componentVariable and componentCriteria") {
  Rig201 rig(2);
  rig.boot();
  auto answer = rig.csms_call("GetReport", R"({"requestId":4,"componentVariable":[
      {"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},
      {"component":{"name":"EVSE","evse":{"id":2}}},
      {"component":{"name":"DeviceDataCtrlr"},"variable":{"name":"ItemsPerMessage"}}]})");
  CHECK(answer.str("status") == "Accepted");
  rig.answer();
  auto names = reported(report_parts(rig, 4));
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"DeviceDataCtrlr.ItemsPerMessage[GetReport]",
                                          "DeviceDataCtrlr.ItemsPerMessage[GetVariables]",
                                          "DeviceDataCtrlr.ItemsPerMessage[SetVariables]",
                                          "EVSE/2.AvailabilityState", "EVSE/2.Available",
                                          "EVSE/2.Power", "EVSE/2.SupplyPhases",
                                          "OCPPCommCtrlr.HeartbeatInterval"});

  // Components that are Enabled: AuthCtrlr, AuthCacheCtrlr, LocalAuthListCtrlr, ReservationCtrlr.
  CHECK(rig.csms_call("GetReport", R"({"requestId":5,"componentCriteria":["Enabled"]})")
            .str("status") == "Accepted");
  rig.answer();
  std::set<std::string> components;
  for (const auto& name : reported(report_parts(rig, 5))) {
    components.insert(name.substr(0, name.find('.')));
  }
  CHECK(components == std::set<std::string>{"AuthCacheCtrlr", "AuthCtrlr", "LocalAuthListCtrlr",
                                            "ReservationCtrlr"});

  CHECK(rig.csms_call("GetReport", R"({"requestId":6,"componentCriteria":["Problem"]})")
            .str("status") == "EmptyResultSet");
  CHECK(rig.csms_call("GetReport",
                      R"({"requestId":7,"componentVariable":[{"component":{"name":"Nope"}}]})")
            .str("status") == "EmptyResultSet");
  rig.answer();
  CHECK(report_parts(rig, 6).empty());
  CHECK(report_parts(rig, 7).empty());
}

TEST_CASE("v201 reports: a GetBaseReport while the boot is Pending is answered and reported") {
  Rig201 rig;
  rig.responses["BootNotification"] = [](const Sent&) {
    return std::string(
        R"({"status":"Pending","currentTime":"2024-01-01T00:00:00Z","interval":60})");
  };
  rig.boot();
  CHECK_FALSE(rig.station->booted());
  CHECK(rig.csms_call("GetBaseReport", R"({"requestId":9,"reportBase":"SummaryInventory"})")
            .str("status") == "Accepted");
  rig.answer();
  CHECK_FALSE(report_parts(rig, 9).empty());
  CHECK(rig.events.count("report_sent") == 1);
}

TEST_CASE("v201 variables: GetVariables answers each item on its own") {
  Rig201 rig(2);
  rig.boot();
  auto answer = rig.csms_call(
      "GetVariables",
      get_variables(
          R"({"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}},
             {"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"MessageTimeout","instance":"Default"}},
             {"component":{"name":"EVSE","evse":{"id":2}},"variable":{"name":"AvailabilityState"}},
             {"component":{"name":"Connector","evse":{"id":1,"connectorId":1}},"variable":{"name":"ConnectorType"}},
             {"component":{"name":"Nope"},"variable":{"name":"HeartbeatInterval"}},
             {"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"Nope"}},
             {"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},"attributeType":"Target"},
             {"component":{"name":"EVSE","evse":{"id":3}},"variable":{"name":"AvailabilityState"}},
             {"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"MessageTimeout"}})"));
  REQUIRE(answer.type == 3);
  const auto& results = answer.payload()["getVariableResult"];
  REQUIRE(results.Size() == 9);
  auto status = [&results](rapidjson::SizeType i) {
    return text_at(results[i]["attributeStatus"]);
  };
  auto value = [&results](rapidjson::SizeType i) {
    return results[i].HasMember("attributeValue") ? text_at(results[i]["attributeValue"])
                                                  : std::string("<none>");
  };
  CHECK(status(0) == "Accepted");
  CHECK(value(0) == "300");
  CHECK(text_at(results[0]["component"]["name"]) == "OCPPCommCtrlr");
  CHECK(status(1) == "Accepted");
  CHECK(value(1) == "30");
  CHECK(status(2) == "Accepted");
  CHECK(value(2) == "Available");
  CHECK(value(3) == "cType2");
  CHECK(status(4) == "UnknownComponent");
  CHECK(value(4) == "<none>");
  CHECK(status(5) == "UnknownVariable");
  CHECK(status(6) == "NotSupportedAttributeType");
  CHECK(text_at(results[6]["attributeType"]) == "Target");
  CHECK(status(7) == "UnknownComponent");
  CHECK(status(8) == "UnknownVariable");  // the instance is part of the address
}

TEST_CASE("v201 variables: GetVariables refuses more items than ItemsPerMessage allows") {
  Rig201 rig;
  REQUIRE(rig.station->device_model().force({"DeviceDataCtrlr"}, "ItemsPerMessage", "2",
                                            "GetVariables"));
  rig.boot();
  const std::string item =
      R"({"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}})";
  CHECK(rig.csms_call("GetVariables", get_variables(item + "," + item)).type == 3);
  auto refused = rig.csms_call("GetVariables", get_variables(item + "," + item + "," + item));
  CHECK(refused.type == 4);
  CHECK(refused.code == "OccurrenceConstraintViolation");
}

TEST_CASE("v201 variables: SetVariables checks mutability and values, item by item") {
  Rig201 rig;
  rig.boot();
  auto status = [&rig](const std::string& payload) {
    auto answer = rig.csms_call("SetVariables", payload);
    REQUIRE(answer.type == 3);
    return text_at(answer.payload()["setVariableResult"][0]["attributeStatus"]);
  };
  CHECK(status(set_variable("SampledDataCtrlr", "TxUpdatedInterval", "5")) == "Accepted");
  CHECK(rig.station->device_model().get_int("SampledDataCtrlr", "TxUpdatedInterval", 0) == 5);
  CHECK(status(set_variable("OCPPCommCtrlr", "HeartbeatInterval", "soon")) == "Rejected");
  CHECK(status(set_variable("OCPPCommCtrlr", "HeartbeatInterval", "-1")) == "Rejected");
  CHECK(status(set_variable("AuthCtrlr", "AuthorizeRemoteStart", "maybe")) == "Rejected");
  CHECK(status(set_variable("AuthCtrlr", "AuthorizeRemoteStart", "True")) == "Accepted");
  CHECK(rig.station->device_model().get_bool("AuthCtrlr", "AuthorizeRemoteStart", false));
  CHECK(status(set_variable("SampledDataCtrlr", "TxUpdatedMeasurands",
                            "Energy.Active.Import.Register,Bogus")) == "Rejected");
  CHECK(status(set_variable("SecurityCtrlr", "Identity", "other")) == "Rejected");
  CHECK(status(set_variable("ChargingStation", "Model", "X")) == "Rejected");
  CHECK(status(set_variable("Nope", "HeartbeatInterval", "1")) == "UnknownComponent");
  CHECK(status(set_variable("OCPPCommCtrlr", "Nope", "1")) == "UnknownVariable");
  CHECK(status(set_variable("OCPPCommCtrlr", "HeartbeatInterval", "10",
                            R"(,"attributeType":"MaxSet")")) == "NotSupportedAttributeType");
  CHECK(rig.station->device_model().get_int("OCPPCommCtrlr", "HeartbeatInterval", 0) == 300);

  auto answer = rig.csms_call("SetVariables", set_variable("SecurityCtrlr", "Identity", "x"));
  const auto& info = answer.payload()["setVariableResult"][0]["attributeStatusInfo"];
  CHECK(text_at(info["reasonCode"]) == "ReadOnly");
  auto bad = rig.csms_call("SetVariables", set_variable("OCPPCommCtrlr", "HeartbeatInterval", "x"));
  CHECK(text_at(bad.payload()["setVariableResult"][0]["attributeStatusInfo"]["reasonCode"]) ==
        "InvalidValue");

  // Several items: each answered, in order.
  auto many = rig.csms_call("SetVariables", R"({"setVariableData":[
      {"component":{"name":"TxCtrlr"},"variable":{"name":"EVConnectionTimeOut"},"attributeValue":"90"},
      {"component":{"name":"TxCtrlr"},"variable":{"name":"EVConnectionTimeOut"},"attributeValue":"x"}]})");
  const auto& results = many.payload()["setVariableResult"];
  REQUIRE(results.Size() == 2);
  CHECK(text_at(results[0]["attributeStatus"]) == "Accepted");
  CHECK(text_at(results[1]["attributeStatus"]) == "Rejected");
  CHECK(rig.station->device_model().get_int("TxCtrlr", "EVConnectionTimeOut", 0) == 90);
}

TEST_CASE("v201 variables: a new HeartbeatInterval changes the heartbeat at once") {
  Rig201 rig;
  rig.responses["BootNotification"] = [](const Sent&) {
    return std::string(
        R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":100})");
  };
  rig.boot();
  rig.advance(Duration(50000));
  CHECK(rig.calls("Heartbeat").empty());
  auto answer =
      rig.csms_call("SetVariables", set_variable("OCPPCommCtrlr", "HeartbeatInterval", "2"));
  CHECK(text_at(answer.payload()["setVariableResult"][0]["attributeStatus"]) == "Accepted");
  rig.advance(Duration(10000));
  CHECK(rig.calls("Heartbeat").size() == 5);
  auto read = rig.csms_call(
      "GetVariables",
      get_variables(
          R"({"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}})"));
  CHECK(text_at(read.payload()["getVariableResult"][0]["attributeValue"]) == "2");
}

TEST_CASE("v201 variables: a new TxUpdatedInterval changes the sampling of a transaction") {
  Rig201 rig;
  rig.boot();
  REQUIRE(rig.run(simtest::start_step()).ok);
  rig.csms_call("SetVariables", set_variable("SampledDataCtrlr", "TxUpdatedInterval", "2"));
  rig.advance(Duration(10000));
  CHECK(rig.tx_events().size() == 1 + 5);
  rig.csms_call("SetVariables", set_variable("SampledDataCtrlr", "TxUpdatedMeasurands",
                                             "Energy.Active.Import.Register"));
  rig.advance(Duration(2000));
  const Sent last = rig.tx_events().back();
  const auto& values = last.payload()["meterValue"][0]["sampledValue"];
  REQUIRE(values.Size() == 1);
  CHECK(text_at(values[0]["measurand"]) == "Energy.Active.Import.Register");
}

TEST_CASE("v201 variables: a new MessageTimeout applies to the next CALLs") {
  Rig201 rig;
  rig.boot();
  rig.csms_call("SetVariables", R"({"setVariableData":[{"component":{"name":"OCPPCommCtrlr"},
      "variable":{"name":"MessageTimeout","instance":"Default"},"attributeValue":"5"}]})");
  CHECK(rig.station->messenger().call_timeout() == Duration(5000));
}
