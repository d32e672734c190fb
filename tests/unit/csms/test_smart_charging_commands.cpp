// Smart charging commands per OCPP version: the CALL set-profile, clear-profile,
// composite-schedule and get-profiles produce, what is refused before sending,
// and what an answer stores; ReportChargingProfiles stored.
#include <catch2/catch.hpp>

#include <optional>

#include "unit/csms/session_rig.hpp"

namespace {

using namespace csms_test;

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

struct ProfileRig : Rig {
  using Rig::Rig;

  void execute(const std::string& name, const std::string& params,
               std::function<void(csms::CommandResult)> done) {
    csms::Command command{name, params};
    if (session->version() == ocpp::Version::v201)
      csms::v201::execute_command(*services, *session, command, std::move(done));
    else
      csms::v16::execute_command(*services, *session, command, std::move(done));
  }

  /// Runs a command whose CALL is answered with `answer`; returns the CALL.
  rapidjson::Document call(const std::string& name, const std::string& params,
                           const std::string& answer, csms::CommandResult& result) {
    std::optional<csms::CommandResult> got;
    const auto before = conn->sent.size();
    execute(name, params, [&got](csms::CommandResult r) { got = std::move(r); });
    pump_until([&] { return conn->sent.size() > before || got.has_value(); });
    REQUIRE(conn->sent.size() > before);
    auto sent = last_sent();
    session->handle_text("[3,\"" + str(sent[1]) + "\"," + answer + "]");
    pump_until([&] { return got.has_value(); });
    result = *got;
    return sent;
  }

  /// A command refused before anything is sent: its message.
  std::string refused(const std::string& name, const std::string& params) {
    std::optional<csms::CommandResult> got;
    const auto before = conn->sent.size();
    execute(name, params, [&got](csms::CommandResult r) { got = std::move(r); });
    pump_until([&] { return got.has_value(); });
    CHECK(got->error == csms::CommandError::InvalidArgument);
    CHECK(conn->sent.size() == before);
    return got->message;
  }

  std::vector<storage::ChargingProfile> stored() {
    std::vector<storage::ChargingProfile> out;
    bool done = false;
    db->read([&out](storage::Session& s) { out = s.charging_profiles.profiles("CP1"); },
             [&done](std::exception_ptr) { done = true; });
    pump_until([&] { return done; });
    return out;
  }
};

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("1.6 set-profile sends SetChargingProfile and stores what the station accepted",
          "[commands][smart-charging]") {
  ProfileRig rig(ocpp::Version::v16);
  csms::CommandResult r;
  auto sent = rig.call("set-profile",
                       R"({"connector":1,"limit":"10.5","unit":"A","id":5,"stackLevel":3,
                           "kind":"Recurring","recurrency":"Daily","start":"2026-01-01T06:00:00Z",
                           "duration":3600,"minRate":"2.5"})",
                       R"({"status":"Accepted"})", r);
  REQUIRE(r.error == csms::CommandError::None);
  CHECK(str(sent[2]) == "SetChargingProfile");
  const auto& p = sent[3];
  CHECK(p["connectorId"].GetInt() == 1);
  const auto& cp = p["csChargingProfiles"];
  CHECK(cp["chargingProfileId"].GetInt() == 5);
  CHECK(cp["stackLevel"].GetInt() == 3);
  CHECK(str(cp["chargingProfilePurpose"]) == "TxDefaultProfile");
  CHECK(str(cp["chargingProfileKind"]) == "Recurring");
  CHECK(str(cp["recurrencyKind"]) == "Daily");
  CHECK(str(cp["chargingSchedule"]["chargingRateUnit"]) == "A");
  CHECK(cp["chargingSchedule"]["duration"].GetInt() == 3600);
  CHECK(cp["chargingSchedule"]["minChargingRate"].GetDouble() == Approx(2.5));
  CHECK(cp["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"].GetDouble() == Approx(10.5));
  CHECK(has(r.response_json, "\"chargingProfileId\":5"));
  auto stored = rig.stored();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].profile_id == 5);
  CHECK(stored[0].accepted);
  CHECK(stored[0].recurrency == "Daily");

  // A rejected profile in the same slot leaves the accepted one.
  rig.call("set-profile", R"({"connector":1,"limit":8,"unit":"A","id":6,"stackLevel":3})",
           R"({"status":"Rejected"})", r);
  stored = rig.stored();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].profile_id == 5);
}

TEST_CASE("1.6 smart charging commands refuse what a station could not take, naming it",
          "[commands][smart-charging]") {
  ProfileRig rig(ocpp::Version::v16);
  CHECK(has(rig.refused("set-profile", R"({"connector":1,"limit":10.55,"unit":"A"})"),
            "one decimal"));
  CHECK(has(rig.refused("set-profile", R"({"evse":1,"limit":10,"unit":"A"})"), "'evse'"));
  CHECK(has(rig.refused("set-profile", R"({"connector":1,"limit":-1,"unit":"A"})"),
            "greater than 0"));
  CHECK(has(rig.refused("set-profile",
                        R"({"connector":1,"limit":10,"unit":"A","kind":"Relative",
                            "start":"2026-01-01T00:00:00Z"})"),
            "Relative"));
  CHECK(has(
      rig.refused("set-profile", R"({"connector":1,"limit":10,"unit":"A","recurrency":"Daily"})"),
      "Recurring"));
  CHECK(has(rig.refused("set-profile",
                        R"({"connector":1,"limit":10,"unit":"A","transactionId":"abc",
                            "purpose":"TxProfile"})"),
            "integer"));
  CHECK(has(rig.refused("set-profile", R"({"connector":1,"limit":"lots","unit":"A"})"),
            "'limit' must be a number"));
  CHECK(
      has(rig.refused("composite-schedule", R"({"connector":1,"duration":0})"), "greater than 0"));
  CHECK(has(rig.refused("composite-schedule", R"({"connector":1})"), "'duration'"));
  CHECK(has(rig.refused("clear-profile", R"({"purpose":"Nope"})"), "'purpose'"));
}

TEST_CASE(
    "1.6 clear-profile and composite-schedule send their CALLs - an accepted clear removes the "
    "stored profiles",
    "[commands][smart-charging]") {
  ProfileRig rig(ocpp::Version::v16);
  csms::CommandResult r;
  rig.call("set-profile", R"({"connector":0,"limit":11000,"unit":"W","purpose":
           "ChargingStationMaxProfile","id":9})",
           R"({"status":"Accepted"})", r);
  REQUIRE(rig.stored().size() == 1);
  CHECK(rig.stored()[0].purpose == "ChargePointMaxProfile");
  auto sent = rig.call("composite-schedule", R"({"connector":1,"duration":60,"unit":"A"})",
                       R"({"status":"Rejected"})", r);
  CHECK(str(sent[2]) == "GetCompositeSchedule");
  CHECK(sent[3]["duration"].GetInt() == 60);
  CHECK(str(sent[3]["chargingRateUnit"]) == "A");
  sent = rig.call("clear-profile", R"({"purpose":"ChargePointMaxProfile","stackLevel":0})",
                  R"({"status":"Unknown"})", r);
  CHECK(str(sent[3]["chargingProfilePurpose"]) == "ChargePointMaxProfile");
  CHECK(rig.stored().size() == 1);  // Unknown: nothing removed
  rig.call("clear-profile", R"({"id":9})", R"({"status":"Accepted"})", r);
  CHECK(rig.stored().empty());
}

TEST_CASE(
    "2.0.1 set-profile names the EVSE, get-profiles adds its requestId, and "
    "ReportChargingProfiles is stored",
    "[commands][smart-charging]") {
  ProfileRig rig(ocpp::Version::v201);
  csms::CommandResult r;
  auto sent = rig.call("set-profile",
                       R"({"connector":0,"limit":22000,"unit":"W",
                           "purpose":"ChargePointMaxProfile","id":4})",
                       R"({"status":"Accepted"})", r);
  REQUIRE(r.error == csms::CommandError::None);
  CHECK(sent[3]["evseId"].GetInt() == 0);
  const auto& cp = sent[3]["chargingProfile"];
  CHECK(str(cp["chargingProfilePurpose"]) == "ChargingStationMaxProfile");
  REQUIRE(cp["chargingSchedule"].IsArray());
  CHECK(cp["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"].GetDouble() ==
        Approx(22000));
  CHECK(has(rig.refused("set-profile", R"({"connector":0,"limit":1,"unit":"W","purpose":
                          "ChargingStationMaxProfile","kind":"Relative"})"),
            "Relative"));
  CHECK(has(rig.refused("clear-profile", R"({"id":4,"evse":1})"), "not both"));

  sent = rig.call("get-profiles", R"({"evse":1,"source":"CSO"})", R"({"status":"Accepted"})", r);
  CHECK(str(sent[2]) == "GetChargingProfiles");
  CHECK(sent[3]["evseId"].GetInt() == 1);
  const auto request_id = sent[3]["requestId"].GetInt64();
  CHECK(has(r.response_json, "\"requestId\":" + std::to_string(request_id)));

  rig.exchange(
      R"([2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}])");
  auto answer = rig.exchange(
      "[2,\"r1\",\"ReportChargingProfiles\",{\"requestId\":" + std::to_string(request_id) +
      ",\"chargingLimitSource\":\"EMS\",\"evseId\":1,\"chargingProfile\":[{\"id\":12,"
      "\"stackLevel\":1,\"chargingProfilePurpose\":\"TxDefaultProfile\","
      "\"chargingProfileKind\":\"Absolute\",\"chargingSchedule\":[{\"id\":1,"
      "\"startSchedule\":\"2026-01-01T00:00:00Z\",\"chargingRateUnit\":\"A\","
      "\"chargingSchedulePeriod\":[{\"startPeriod\":0,\"limit\":20}]}]}]}]");
  CHECK(answer[0].GetInt() == 3);
  auto stored = rig.stored();
  REQUIRE(stored.size() == 2);
  CHECK(stored[1].profile_id == 12);
  CHECK(stored[1].connector_id == 1);
  CHECK(stored[1].source == "EMS");
  CHECK(has(stored[1].schedule, "\"limit\":20"));
}
