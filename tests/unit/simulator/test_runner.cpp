// The scenario runner driving a 1.6 charge point on virtual time.
#include <catch2/catch.hpp>

#include "simulator/scenario_runner.hpp"
#include "support.hpp"

using namespace simulator;
using simtest::Rig;

namespace {

struct RunnerRig {
  explicit RunnerRig(const std::string& json) {
    std::string error;
    auto scenario = parse_scenario(json, error);
    INFO(error);
    REQUIRE(scenario);
    runner =
        std::make_unique<ScenarioRunner>(*rig.station, rig.sched, rig.hub, Logger(), *scenario);
    rig.hub.listen([this](const Event& e) { runner->on_event(e); });
  }
  /// Runs until the runner calls back (or a virtual-time limit).
  std::optional<int> run(Duration limit = Duration(120000)) {
    runner->start([this](int code) { exit_code = code; });
    rig.boot();
    for (Duration t{0}; !exit_code && t < limit; t += Duration(100)) {
      rig.sched.advance(Duration(100));
      rig.answer();
    }
    return exit_code;
  }

  Rig rig;
  std::unique_ptr<ScenarioRunner> runner;
  std::optional<int> exit_code;
};

}  // namespace

TEST_CASE("runner: a session scenario runs to scenario_done and exit code 0") {
  RunnerRig r(R"({"steps":[
    {"do":"authorize","idTag":"T"},
    {"do":"start","connector":1,"idTag":"T"},
    {"do":"charge","connector":1,"seconds":25},
    {"do":"stop","connector":1},
    {"do":"heartbeat"}]})");
  REQUIRE(r.run() == 0);
  CHECK(r.rig.events.count("scenario_done") == 1);
  CHECK(r.rig.calls("MeterValues").size() == 2);
  CHECK(r.rig.calls("StopTransaction").size() == 1);
  CHECK(r.rig.link.shutdowns == 1);
}

TEST_CASE("runner: a failing step prints an error naming it and exits 1") {
  RunnerRig r(R"({"steps":[{"do":"start","idTag":"BAD"},{"do":"heartbeat"}]})");
  REQUIRE(r.run() == 1);
  const Event* error = r.rig.events.last("error");
  REQUIRE(error);
  CHECK(error->string("message")->find("step 1 (start)") == 0);
  CHECK(*error->raw("step") == "1");
  CHECK(r.rig.events.count("scenario_done") == 0);
  CHECK(r.rig.calls("Heartbeat").empty());
}

TEST_CASE("runner: offline steps queue, online delivers, wait_for sees queue_flushed") {
  RunnerRig r(R"({"steps":[
    {"do":"offline"},
    {"do":"start","connector":1},
    {"do":"charge","connector":1,"seconds":12},
    {"do":"stop","connector":1},
    {"do":"online"},
    {"do":"wait_for","event":"queue_flushed"},
    {"do":"heartbeat"}]})");
  // The fake link does not reconnect by itself: connect when asked.
  int onlines = 0;
  r.runner->start([&r](int code) { r.exit_code = code; });
  r.rig.boot();
  for (int i = 0; i < 1000 && !r.exit_code; ++i) {
    if (r.rig.link.online_requests > onlines) {
      onlines = r.rig.link.online_requests;
      r.rig.link.connect();
    }
    r.rig.sched.advance(Duration(100));
    r.rig.answer();
  }
  REQUIRE(r.exit_code == 0);
  CHECK(r.rig.events.count("queued") == 3);  // Start, MeterValues, Stop
  CHECK(*r.rig.events.last("queue_flushed")->raw("count") == "3");
  CHECK(r.rig.calls("StopTransaction").at(0).num("transactionId") == 101);
}

TEST_CASE("runner: wait_for times out with an error") {
  RunnerRig r(R"({"steps":[{"do":"wait_for","event":"never","timeout":2}]})");
  REQUIRE(r.run() == 1);
  CHECK(r.rig.events.last("error")->string("message")->find("no \"never\" event within 2 s") !=
        std::string::npos);
}

TEST_CASE("runner: wait_for counts events since the steps began, one per wait") {
  RunnerRig r(R"({"steps":[
    {"do":"heartbeat"},
    {"do":"wait_for","event":"acked"},
    {"do":"wait_for","event":"acked"},
    {"do":"wait","seconds":1}]})");
  REQUIRE(r.run() == 0);
}

TEST_CASE("runner: exit stops at once without the remaining steps") {
  RunnerRig r(R"({"steps":[{"do":"exit"},{"do":"heartbeat"}]})");
  REQUIRE(r.run() == 0);
  CHECK(r.rig.events.count("scenario_done") == 1);
  CHECK(r.rig.calls("Heartbeat").empty());
}

TEST_CASE("runner: validate reports the first step the station cannot play") {
  RunnerRig r(R"({"steps":[{"do":"heartbeat"},{"do":"start","connector":4}]})");
  auto problem = r.runner->validate();
  REQUIRE(problem);
  CHECK(*problem == "step 2 (start): connector 4 does not exist (1..1)");
}

TEST_CASE("runner: at the end, queued messages are delivered before closing") {
  RunnerRig r(R"({"steps":[
    {"do":"offline","seconds":2},
    {"do":"start","connector":1},
    {"do":"stop","connector":1}]})");
  r.runner->start([&r](int code) { r.exit_code = code; });
  r.rig.boot();
  for (int i = 0; i < 1000 && !r.exit_code; ++i) {
    // The fake link reconnects when the offline period is over.
    if (i == 20) r.rig.link.connect();
    r.rig.sched.advance(Duration(100));
    r.rig.answer();
  }
  REQUIRE(r.exit_code == 0);
  CHECK(r.rig.calls("StartTransaction").size() == 1);
  CHECK(r.rig.calls("StopTransaction").size() == 1);
  CHECK(r.rig.events.count("transaction_stopped") == 1);
  CHECK(r.rig.link.shutdowns == 1);
}

TEST_CASE("runner: at the end, a CSMS that never comes back delays the exit by the call timeout") {
  RunnerRig r(R"({"steps":[{"do":"offline"},{"do":"start","connector":1}]})");
  REQUIRE(r.run(Duration(60000)) == 0);
  CHECK(r.rig.calls("StartTransaction").empty());
  CHECK(r.rig.sched.pending() == 0);
}

TEST_CASE("runner: a Reset from the CSMS in the middle of a charge step does not stall it") {
  RunnerRig r(R"({"steps":[
    {"do":"start","connector":1},
    {"do":"charge","connector":1,"seconds":5},
    {"do":"wait","seconds":1}]})");
  r.runner->start([&r](int code) { r.exit_code = code; });
  r.rig.boot();
  for (int i = 0; i < 1000 && !r.exit_code; ++i) {
    if (i == 20) CHECK(r.rig.csms_call("Reset", R"({"type":"Soft"})").str("status") == "Accepted");
    if (i == 35) r.rig.link.connect();  // the reboot's reconnection
    r.rig.sched.advance(Duration(100));
    r.rig.answer();
  }
  REQUIRE(r.exit_code == 0);
  CHECK(r.rig.calls("BootNotification").size() == 2);
  CHECK(r.rig.calls("StopTransaction").at(0).str("reason") == "SoftReset");
}
