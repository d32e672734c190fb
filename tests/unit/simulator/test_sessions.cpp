// Charging sessions of the 1.6 charge point: authorization, meter values,
// stop data, the offline queue with transaction id patch-up, repeats.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace simulator;
using simtest::Rig;
using simtest::Sent;

namespace {

Step start_step(int connector = 1, const std::string& tag = "TAG", int repeat = 1) {
  Step s = simtest::make_step(StepKind::Start, connector);
  s.id_tag = tag;
  s.repeat = repeat;
  return s;
}

Step stop_step(int connector = 1, const std::string& reason = "Local", int repeat = 1) {
  Step s = simtest::make_step(StepKind::Stop, connector);
  s.reason = reason;
  s.repeat = repeat;
  return s;
}

std::string sampled(const Sent& meter_values, const std::string& measurand) {
  for (const auto& v : meter_values.payload()["meterValue"][0]["sampledValue"].GetArray()) {
    if (measurand == v["measurand"].GetString()) return v["value"].GetString();
  }
  return "";
}

}  // namespace

TEST_CASE("session: Authorize, Preparing, StartTransaction, Charging, in that order") {
  Rig rig;
  rig.boot();
  rig.skip();
  auto before = rig.link.sent.size();
  REQUIRE(rig.run(start_step()).ok);
  std::vector<std::string> order;
  for (auto i = before; i < rig.link.sent.size(); ++i) {
    auto s = simtest::parse_sent(rig.link.sent[i]);
    if (s.type == 2) order.push_back(s.action == "StatusNotification" ? s.str("status") : s.action);
  }
  CHECK(order ==
        std::vector<std::string>{"Authorize", "Preparing", "StartTransaction", "Charging"});
  auto start = rig.calls("StartTransaction").at(0);
  CHECK(start.num("meterStart") == 0);
  CHECK(start.str("idTag") == "TAG");
  const Event* started = rig.events.last("transaction_started");
  REQUIRE(started);
  CHECK(*started->raw("connectorId") == "1");
  CHECK(*started->raw("transactionId") == "101");
}

TEST_CASE("session: a refused Authorize starts nothing and fails the step") {
  Rig rig;
  rig.boot();
  auto result = rig.run(start_step(1, "BAD"));
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("Invalid") != std::string::npos);
  CHECK(rig.calls("StartTransaction").empty());
  CHECK_FALSE(rig.station->has_session(1));
  CHECK(rig.statuses(1) == std::vector<std::string>{"Available"});
  Step expect_invalid = start_step(1, "BAD");
  expect_invalid.expect = "Invalid";
  CHECK(rig.run(expect_invalid).ok);
}

TEST_CASE("session: MeterValues every sample interval with energy rising at the set power") {
  Rig rig(1, [](StationSettings& s) {
    s.meter_interval_s = 10;
    s.power_w = 3600.0;
  });
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  rig.advance(Duration(35000));
  auto samples = rig.calls("MeterValues");
  REQUIRE(samples.size() == 3);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    CHECK(s.num("transactionId") == 101);
    CHECK(sampled(s, "Energy.Active.Import.Register") == std::to_string(10 * (i + 1)));
    CHECK(sampled(s, "Power.Active.Import") == "3600.0");
    CHECK(sampled(s, "Current.Import") == "15.65");
    CHECK(std::string(s.payload()["meterValue"][0]["sampledValue"][0]["context"].GetString()) ==
          "Sample.Periodic");
  }
  CHECK(rig.station->energy_wh(1) == Approx(35.0));
}

TEST_CASE("session: SoC is sampled when MeterValuesSampledData asks for it") {
  Rig rig;
  rig.boot();
  rig.csms_call("ChangeConfiguration",
                R"({"key":"MeterValuesSampledData","value":"Energy.Active.Import.Register,SoC"})");
  REQUIRE(rig.run(start_step()).ok);
  rig.advance(Duration(10000));
  auto s = rig.calls("MeterValues").at(0);
  CHECK_FALSE(sampled(s, "SoC").empty());
  CHECK(sampled(s, "Power.Active.Import").empty());
}

TEST_CASE("session: a changed MeterValueSampleInterval changes the sampling") {
  Rig rig;
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  rig.csms_call("ChangeConfiguration", R"({"key":"MeterValueSampleInterval","value":"2"})");
  rig.advance(Duration(10000));
  CHECK(rig.calls("MeterValues").size() == 5);
}

TEST_CASE("session: StopTransaction carries meterStop, reason and a final reading") {
  Rig rig(1, [](StationSettings& s) { s.power_w = 7200.0; });
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  rig.advance(Duration(60000));
  REQUIRE(rig.run(stop_step(1, "EVDisconnected")).ok);
  auto stop = rig.calls("StopTransaction").at(0);
  CHECK(stop.num("meterStop") == 120);
  CHECK(stop.num("transactionId") == 101);
  CHECK(stop.str("reason") == "EVDisconnected");
  CHECK(stop.str("idTag") == "TAG");
  const auto& reading = stop.payload()["transactionData"][0]["sampledValue"][0];
  CHECK(std::string(reading["value"].GetString()) == "120");
  CHECK(std::string(reading["context"].GetString()) == "Transaction.End");
  CHECK(rig.statuses(1) ==
        std::vector<std::string>{"Available", "Preparing", "Charging", "Finishing", "Available"});
  const Event* stopped = rig.events.last("transaction_stopped");
  REQUIRE(stopped);
  CHECK(*stopped->raw("meterStop") == "120");
  // The next session starts where the register stands.
  REQUIRE(rig.run(start_step()).ok);
  CHECK(rig.calls("StartTransaction").back().num("meterStart") == 120);
}

TEST_CASE("session: stop on a connector without a session fails") {
  Rig rig;
  rig.boot();
  auto result = rig.run(stop_step());
  CHECK_FALSE(result.ok);
  CHECK(result.error == "no transaction on connector 1");
}

TEST_CASE("session: repeat sends identical Start/Stop payloads under new message ids") {
  Rig rig;
  rig.responses["StartTransaction"] = [](const Sent&) {
    return std::string(R"({"idTagInfo":{"status":"Accepted"},"transactionId":55})");
  };
  rig.boot();
  REQUIRE(rig.run(start_step(1, "TAG", 2)).ok);
  auto starts = rig.calls("StartTransaction");
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].id != starts[1].id);
  auto payload = [](const std::string& frame) { return frame.substr(frame.find('{')); };
  std::vector<std::string> start_frames;
  for (const auto& f : rig.link.sent) {
    if (f.find("\"StartTransaction\"") != std::string::npos) start_frames.push_back(payload(f));
  }
  CHECK(start_frames[0] == start_frames[1]);
  CHECK(rig.events.count("transaction_started") == 1);
  REQUIRE(rig.run(stop_step(1, "Local", 2)).ok);
  auto stops = rig.calls("StopTransaction");
  REQUIRE(stops.size() == 2);
  CHECK(stops[0].num("transactionId") == 55);
  CHECK(stops[1].num("transactionId") == 55);
  CHECK(rig.events.count("transaction_stopped") == 1);
}

TEST_CASE("session: a start refused by StartTransaction is stopped with reason DeAuthorized") {
  Rig rig;
  rig.responses["StartTransaction"] = [](const Sent&) {
    return std::string(R"({"idTagInfo":{"status":"Blocked"},"transactionId":9})");
  };
  rig.boot();
  auto result = rig.run(start_step());
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("Blocked") != std::string::npos);
  rig.answer();
  auto stops = rig.calls("StopTransaction");
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].str("reason") == "DeAuthorized");
  CHECK(stops[0].num("transactionId") == 9);
}

TEST_CASE("session: offline, the whole session queues and is delivered with the real id") {
  Rig rig;
  rig.boot();
  rig.link.drop();
  REQUIRE(rig.run(start_step()).ok);  // AllowOfflineTxForUnknownId
  rig.advance(Duration(25000));
  REQUIRE(rig.run(stop_step()).ok);
  CHECK(rig.events.count("queued") == 4);  // Start, 2 x MeterValues, Stop
  CHECK(rig.calls("StartTransaction").empty());
  rig.responses["StartTransaction"] = [](const Sent&) {
    return std::string(R"({"idTagInfo":{"status":"Accepted"},"transactionId":4711})");
  };
  rig.link.connect();
  rig.answer();
  auto start = rig.calls("StartTransaction");
  auto meters = rig.calls("MeterValues");
  auto stops = rig.calls("StopTransaction");
  REQUIRE(start.size() == 1);
  REQUIRE(meters.size() == 2);
  REQUIRE(stops.size() == 1);
  for (const auto& m : meters) CHECK(m.num("transactionId") == 4711);
  CHECK(stops[0].num("transactionId") == 4711);
  // In order, and with the timestamps of when they happened.
  std::vector<std::string> order;
  for (const auto& f : rig.link.sent) {
    auto s = simtest::parse_sent(f);
    if (s.type == 2 && s.action != "StatusNotification") order.push_back(s.action);
  }
  CHECK(order == std::vector<std::string>{"BootNotification", "StartTransaction", "MeterValues",
                                          "MeterValues", "StopTransaction"});
  CHECK(start[0].str("timestamp") < meters[0].payload()["meterValue"][0]["timestamp"].GetString());
  CHECK(*rig.events.last("queue_flushed")->raw("count") == "4");
  CHECK(*rig.events.last("transaction_stopped")->raw("transactionId") == "4711");
  // Statuses are reported once, as they are now.
  CHECK(rig.statuses(1).back() == "Available");
}

TEST_CASE("session: offline without AllowOfflineTxForUnknownId an unknown tag cannot start") {
  Rig rig;
  rig.boot();
  rig.csms_call("ChangeConfiguration", R"({"key":"AllowOfflineTxForUnknownId","value":"false"})");
  REQUIRE(rig.run(start_step(1, "KNOWN")).ok);  // caches KNOWN
  REQUIRE(rig.run(stop_step()).ok);
  rig.link.drop();
  CHECK_FALSE(rig.run(start_step(1, "STRANGER")).ok);
  CHECK(rig.run(start_step(1, "KNOWN")).ok);  // LocalAuthorizeOffline with the cache
}

TEST_CASE("session: a StartTransaction lost with the connection is re-sent after reconnecting") {
  Rig rig;
  rig.boot();
  rig.responses.erase("StartTransaction");  // the CSMS goes quiet
  std::optional<StepResult> result;
  rig.station->run_step(start_step(), [&](StepResult r) { result = r; });
  rig.answer();
  REQUIRE(rig.calls("StartTransaction").size() == 1);
  rig.sched.advance(Duration(30000));  // call timeout: reconnect
  CHECK(rig.link.reconnects == 1);
  CHECK(rig.events.count("timeout") == 1);
  REQUIRE(result);  // offline now: the step does not wait
  CHECK(result->ok);
  rig.responses["StartTransaction"] = [](const Sent&) {
    return std::string(R"({"idTagInfo":{"status":"Accepted"},"transactionId":8})");
  };
  rig.link.connect();
  rig.answer();
  auto starts = rig.calls("StartTransaction");
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].id != starts[1].id);
  CHECK(starts[0].str("timestamp") == starts[1].str("timestamp"));
  CHECK(rig.station->transaction_id(1) == 8);
}

TEST_CASE("session: charge needs a session and lasts the given time") {
  Rig rig;
  rig.boot();
  Step charge = simtest::make_step(StepKind::Charge);
  charge.seconds = 3.0;
  CHECK_FALSE(rig.run(charge).ok);
  REQUIRE(rig.run(start_step()).ok);
  const auto t0 = rig.sched.now();
  CHECK(rig.run(charge).ok);
  CHECK(rig.sched.now() - t0 >= Duration(3000));
}

TEST_CASE("session: heartbeat, authorize and data_transfer steps need a connection") {
  Rig rig;
  rig.boot();
  CHECK(rig.run(simtest::make_step(StepKind::Heartbeat)).ok);
  Step dt = simtest::make_step(StepKind::DataTransfer);
  dt.vendor_id = "v";
  dt.expect = "Accepted";
  CHECK(rig.run(dt).ok);
  dt.expect = "Rejected";
  CHECK_FALSE(rig.run(dt).ok);
  Step auth = simtest::make_step(StepKind::Authorize);
  auth.id_tag = "BAD";
  CHECK(rig.run(auth).ok);  // no expectation: any answer will do
  auth.expect = "Accepted";
  CHECK_FALSE(rig.run(auth).ok);
  rig.link.drop();
  CHECK_FALSE(rig.run(simtest::make_step(StepKind::Heartbeat)).ok);
}
