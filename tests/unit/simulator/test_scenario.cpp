// Scenario files: parsing, defaults and validation errors.
#include <catch2/catch.hpp>

#include "simulator/scenario.hpp"
#include "support.hpp"

using namespace simulator;

namespace {

std::string parse_error(const std::string& json) {
  std::string error;
  auto s = parse_scenario(json, error);
  if (s) return "(parsed)";
  return error;
}

}  // namespace

TEST_CASE("scenario: every step kind parses with its fields") {
  std::string error;
  auto s = parse_scenario(R"({"comment":"x","steps":[
    {"do":"authorize","idTag":"T"},
    {"do":"start","connector":2,"idTag":"T","repeat":2},
    {"do":"charge","connector":2,"seconds":3},
    {"do":"stop","connector":2,"reason":"Remote","repeat":2},
    {"do":"status","connector":0,"status":"Faulted","errorCode":"GroundFailure","info":"x"},
    {"do":"wait","seconds":1.5},
    {"do":"offline","seconds":2},
    {"do":"offline"},
    {"do":"online"},
    {"do":"wait_for","event":"queue_flushed","timeout":5},
    {"do":"heartbeat","comment":"ping"},
    {"do":"data_transfer","vendorId":"x","messageId":"y","data":"z"},
    {"do":"exit"}]})",
                          error);
  REQUIRE(s);
  INFO(error);
  REQUIRE(s->steps.size() == 13);
  CHECK(s->steps[0].kind == StepKind::Authorize);
  CHECK(s->steps[0].id_tag == "T");
  CHECK(s->steps[1].connector == 2);
  CHECK(s->steps[1].repeat == 2);
  CHECK(s->steps[2].seconds == 3.0);
  CHECK(s->steps[3].reason == "Remote");
  CHECK(s->steps[4].connector == 0);
  CHECK(s->steps[4].error_code == "GroundFailure");
  CHECK(s->steps[5].seconds == 1.5);
  CHECK(s->steps[6].seconds == 2.0);
  CHECK_FALSE(s->steps[7].seconds);
  CHECK(s->steps[9].event == "queue_flushed");
  CHECK(s->steps[9].timeout == 5.0);
  CHECK(s->steps[11].vendor_id == "x");
  CHECK(s->steps[11].data == "z");
  CHECK(s->steps[12].kind == StepKind::Exit);
  CHECK(describe(s->steps[1]) == "step 2 (start)");
}

TEST_CASE("scenario: defaults fill what a step leaves out") {
  std::string error;
  auto s = parse_scenario(
      R"({"steps":[{"do":"start"},{"do":"stop"},{"do":"status","status":"Available"},
                   {"do":"wait_for","event":"connected"}]})",
      error);
  REQUIRE(s);
  CHECK(s->steps[0].connector == 1);
  CHECK_FALSE(s->steps[0].id_tag);
  CHECK(s->steps[0].repeat == 1);
  CHECK(s->steps[1].reason == "Local");
  CHECK(s->steps[2].error_code == "NoError");
  CHECK(s->steps[3].timeout == 30.0);
}

TEST_CASE("scenario: structural errors name the path") {
  CHECK(parse_error("not json").find("not valid JSON") == 0);
  CHECK(parse_error("[]").find("must be an object") != std::string::npos);
  CHECK(parse_error("{}") == "steps: required, an array of step objects");
  CHECK(parse_error(R"({"steps":[],"extra":1})").find("extra") == 0);
  CHECK(parse_error(R"({"steps":[1]})") == "steps[0]: must be an object");
  CHECK(parse_error(R"({"steps":[{"connector":1}]})") ==
        "steps[0].do: required: the step's action");
  CHECK(parse_error(R"({"steps":[{"do":"fly"}]})").find("steps[0].do: unknown step \"fly\"") == 0);
}

TEST_CASE("scenario: field errors name the step and field") {
  CHECK(parse_error(R"({"steps":[{"do":"wait"},{"do":"start","conector":2}]})") ==
        "steps[0].seconds: required");
  CHECK(parse_error(R"({"steps":[{"do":"start","conector":2}]})") ==
        "steps[0].conector: not a member of a \"start\" step");
  CHECK(parse_error(R"({"steps":[{"do":"start","connector":0}]})") ==
        "steps[0].connector: must be an integer in 1..1000");
  CHECK(parse_error(R"({"steps":[{"do":"start","connector":"1"}]})") ==
        "steps[0].connector: must be an integer in 1..1000");
  CHECK(parse_error(R"({"steps":[{"do":"start","repeat":0}]})") ==
        "steps[0].repeat: must be an integer in 1..100");
  CHECK(parse_error(R"({"steps":[{"do":"charge","seconds":-1}]})") ==
        "steps[0].seconds: must be a number of seconds >= 0");
  CHECK(parse_error(R"({"steps":[{"do":"offline","seconds":0}]})") ==
        "steps[0].seconds: must be a number of seconds > 0");
  CHECK(parse_error(R"({"steps":[{"do":"status"}]})") == "steps[0].status: required");
  CHECK(parse_error(R"({"steps":[{"do":"authorize","idTag":""}]})") ==
        "steps[0].idTag: must be a non-empty string");
  CHECK(parse_error(R"({"steps":[{"do":"data_transfer"}]})") == "steps[0].vendorId: required");
  CHECK(parse_error(R"({"steps":[{"do":"wait_for"}]})") == "steps[0].event: required");
}

TEST_CASE("scenario: the 1.6 station checks values and connector ranges") {
  simtest::Rig rig(2);
  auto check = [&rig](const std::string& json) -> std::string {
    std::string error;
    auto s = parse_scenario(json, error);
    REQUIRE(s);
    auto problem = rig.station->check_step(s->steps.at(0));
    return problem.value_or("ok");
  };
  CHECK(check(R"({"steps":[{"do":"start","connector":2}]})") == "ok");
  CHECK(check(R"({"steps":[{"do":"start","connector":3}]})") ==
        "step 1 (start): connector 3 does not exist (1..2)");
  CHECK(check(R"({"steps":[{"do":"status","connector":0,"status":"Faulted"}]})") == "ok");
  CHECK(check(R"({"steps":[{"do":"status","status":"Broken"}]})") ==
        "step 1 (status): \"Broken\" is not a 1.6 ChargePointStatus");
  CHECK(check(R"({"steps":[{"do":"status","status":"Faulted","errorCode":"Oops"}]})") ==
        "step 1 (status): \"Oops\" is not a 1.6 ChargePointErrorCode");
  CHECK(check(R"({"steps":[{"do":"stop","reason":"Bored"}]})") ==
        "step 1 (stop): \"Bored\" is not a 1.6 stop Reason");
  CHECK(check(R"({"steps":[{"do":"start","idTag":"123456789012345678901"}]})")
            .find("longer than 20") != std::string::npos);
  CHECK(check(R"({"steps":[{"do":"authorize","expect":"Maybe"}]})").find("\"Maybe\"") !=
        std::string::npos);
  CHECK(check(R"({"steps":[{"do":"authorize","expect":"Invalid"}]})") == "ok");
}

TEST_CASE("scenario: the example files parse") {
  for (const char* name : {"session.json", "offline.json"}) {
    INFO(name);
    std::string error;
    // Found from this file's path: the test runs from anywhere.
    std::string here = __FILE__;
    here = here.substr(0, here.find_last_of('/'));
    auto s = load_scenario_file(here + "/../../../simulator/scenarios/" + name, error);
    INFO(error);
    REQUIRE(s);
    CHECK_FALSE(s->steps.empty());
  }
}
