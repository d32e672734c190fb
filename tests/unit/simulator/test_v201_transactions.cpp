// Transactions of the 2.0.1 station: TransactionEvent Started/Updated/Ended,
// seqNo, trigger reasons, meter values, the offline queue, scenarios.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>

#include "simulator/scenario_runner.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig201;
using simtest::Sent;
using simtest::start_step;
using simtest::stop_step;
using simtest::text_at;

namespace {

std::string info(const Sent& event, const char* field) {
  const auto& t = event.payload()["transactionInfo"];
  return t.HasMember(field) ? text_at(t[field]) : std::string();
}

/// The value of `measurand` in the event's first meter value, or NaN.
double sampled(const Sent& event, const std::string& measurand) {
  if (!event.has("meterValue")) return std::nan("");
  for (const auto& v : event.payload()["meterValue"][0]["sampledValue"].GetArray()) {
    if (v.HasMember("measurand") && measurand == v["measurand"].GetString()) {
      return v["value"].GetDouble();
    }
  }
  return std::nan("");
}

}  // namespace

TEST_CASE("v201 transaction: Authorize, Occupied, then Started with seqNo 0 and Authorized") {
  Rig201 rig;
  rig.boot();
  rig.skip();
  const auto before = rig.link.sent.size();
  REQUIRE(rig.run(start_step(1, "TAG")).ok);
  std::vector<std::string> order;
  for (auto i = before; i < rig.link.sent.size(); ++i) {
    auto s = simtest::parse_sent(rig.link.sent[i]);
    if (s.type == 2) {
      order.push_back(s.action == "StatusNotification" ? s.str("connectorStatus") : s.action);
    }
  }
  CHECK(order == std::vector<std::string>{"Authorize", "Occupied", "TransactionEvent"});
  auto authorize = rig.calls("Authorize").at(0);
  CHECK(text_at(authorize.payload()["idToken"]["idToken"]) == "TAG");
  CHECK(text_at(authorize.payload()["idToken"]["type"]) == "ISO14443");

  auto started = rig.tx_events().at(0);
  CHECK(started.str("eventType") == "Started");
  CHECK(started.str("triggerReason") == "Authorized");
  CHECK(started.num("seqNo") == 0);
  CHECK_FALSE(started.has("offline"));
  CHECK(started.payload()["evse"]["id"].GetInt() == 1);
  CHECK(started.payload()["evse"]["connectorId"].GetInt() == 1);
  CHECK(text_at(started.payload()["idToken"]["idToken"]) == "TAG");
  CHECK(text_at(started.payload()["idToken"]["type"]) == "ISO14443");
  CHECK(info(started, "chargingState") == "Charging");
  const std::string id = info(started, "transactionId");
  CHECK_FALSE(id.empty());
  CHECK(id.size() <= 36);
  CHECK(id == rig.station->transaction_id(1));
  CHECK(sampled(started, "Energy.Active.Import.Register") == 0.0);
  const auto& reading = started.payload()["meterValue"][0]["sampledValue"][0];
  CHECK(text_at(reading["context"]) == "Transaction.Begin");
  CHECK(text_at(reading["unitOfMeasure"]["unit"]) == "Wh");

  const Event* e = rig.events.last("transaction_started");
  REQUIRE(e);
  CHECK(*e->string("transactionId") == id);
  CHECK(*e->raw("evseId") == "1");
  CHECK(*e->raw("connectorId") == "1");
  CHECK(*e->string("idToken") == "TAG");
  CHECK_FALSE(e->raw("remoteStartId"));
}

TEST_CASE("v201 transaction: Updated every TxUpdatedInterval, then Ended - seqNo 0,1,2,...") {
  Rig201 rig(1, [](StationSettings& s) {
    s.meter_interval_s = 10;
    s.power_w = 3600.0;
  });
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  const std::string id = *rig.station->transaction_id(1);
  rig.advance(Duration(35000));
  REQUIRE(rig.run(stop_step(1, "Local")).ok);
  auto events = rig.tx_events(id);
  REQUIRE(events.size() == 5);
  std::vector<std::string> types, triggers;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].num("seqNo") == static_cast<std::int64_t>(i));
    types.push_back(events[i].str("eventType"));
    triggers.push_back(events[i].str("triggerReason"));
  }
  CHECK(types == std::vector<std::string>{"Started", "Updated", "Updated", "Updated", "Ended"});
  CHECK(triggers == std::vector<std::string>{"Authorized", "MeterValuePeriodic",
                                             "MeterValuePeriodic", "MeterValuePeriodic",
                                             "StopAuthorized"});
  for (std::size_t i = 1; i <= 3; ++i) {
    const auto& u = events[i];
    CHECK(info(u, "chargingState") == "Charging");
    CHECK(sampled(u, "Energy.Active.Import.Register") == Approx(10.0 * static_cast<double>(i)));
    CHECK(sampled(u, "Power.Active.Import") == Approx(3600.0));
    CHECK(sampled(u, "Current.Import") == Approx(15.65));
    CHECK(sampled(u, "SoC") >= 20.0);  // the EV's battery: barely more after 30 Wh
    CHECK(text_at(u.payload()["meterValue"][0]["sampledValue"][0]["context"]) == "Sample.Periodic");
  }
  const auto& ended = events[4];
  CHECK(info(ended, "stoppedReason") == "Local");
  CHECK(text_at(ended.payload()["idToken"]["idToken"]) == "TAG");
  CHECK(sampled(ended, "Energy.Active.Import.Register") == Approx(35.0));
  CHECK(text_at(ended.payload()["meterValue"][0]["sampledValue"][0]["context"]) ==
        "Transaction.End");
  CHECK(rig.statuses(1) == std::vector<std::string>{"Available", "Occupied", "Available"});
  const Event* stopped = rig.events.last("transaction_stopped");
  REQUIRE(stopped);
  CHECK(*stopped->string("transactionId") == id);
  CHECK(*stopped->raw("meterStop") == "35");
  CHECK(*stopped->string("reason") == "Local");
  CHECK(*stopped->string("triggerReason") == "StopAuthorized");
  CHECK_FALSE(rig.station->has_transaction(1));

  // The next transaction has its own id and its own seqNo from 0.
  REQUIRE(rig.run(start_step()).ok);
  const std::string next = *rig.station->transaction_id(1);
  CHECK(next != id);
  CHECK(rig.tx_events(next).at(0).num("seqNo") == 0);
  CHECK(sampled(rig.tx_events(next).at(0), "Energy.Active.Import.Register") == Approx(35.0));
}

TEST_CASE("v201 transaction: stop reasons map to trigger reasons") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Local", "StopAuthorized"},
      {"EVDisconnected", "EVCommunicationLost"},
      {"EnergyLimitReached", "EnergyLimitReached"},
      {"Other", "AbnormalCondition"}};
  for (const auto& [reason, trigger] : cases) {
    INFO(reason);
    Rig201 rig;
    rig.boot();
    REQUIRE(rig.run(start_step()).ok);
    REQUIRE(rig.run(stop_step(1, reason)).ok);
    auto ended = rig.tx_events().back();
    CHECK(ended.str("triggerReason") == trigger);
    CHECK(info(ended, "stoppedReason") == reason);
    CHECK(ended.has("idToken") == (trigger == "StopAuthorized"));
  }
}

TEST_CASE("v201 transaction: ids are unique and the station's seed makes them reproducible") {
  Rig201 a;
  Rig201 b;
  std::set<std::string> ids;
  for (auto* rig : {&a, &b}) {
    rig->boot();
    for (int i = 0; i < 3; ++i) {
      REQUIRE(rig->run(start_step()).ok);
      ids.insert(*rig->station->transaction_id(1));
      REQUIRE(rig->run(stop_step()).ok);
    }
  }
  CHECK(ids.size() == 3);  // same seed (42): the same three ids
  Rig201 other(1, [](StationSettings& s) { s.seed = 7; });
  other.boot();
  REQUIRE(other.run(start_step()).ok);
  CHECK(ids.count(*other.station->transaction_id(1)) == 0);
}

TEST_CASE("v201 transaction: a refused Authorize starts nothing - expect can ask for it") {
  Rig201 rig;
  rig.boot();
  auto result = rig.run(start_step(1, "BAD"));
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("Invalid") != std::string::npos);
  CHECK(rig.tx_events().empty());
  CHECK_FALSE(rig.station->has_transaction(1));
  Step expect_invalid = start_step(1, "BAD");
  expect_invalid.expect = "Invalid";
  CHECK(rig.run(expect_invalid).ok);
}

TEST_CASE("v201 transaction: an idToken the CSMS refuses in the Started answer ends it") {
  Rig201 rig;
  rig.responses["TransactionEvent"] = [](const Sent& s) {
    return std::string(s.str("eventType") == "Started" ? R"({"idTokenInfo":{"status":"Blocked"}})"
                                                       : "{}");
  };
  rig.boot();
  auto result = rig.run(start_step());
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("Blocked") != std::string::npos);
  rig.answer();
  auto events = rig.tx_events();
  REQUIRE(events.size() == 2);
  CHECK(events[1].str("eventType") == "Ended");
  CHECK(events[1].str("triggerReason") == "Deauthorized");
  CHECK(info(events[1], "stoppedReason") == "DeAuthorized");
  CHECK(*rig.events.last("transaction_started")->string("idTokenStatus") == "Blocked");
}

TEST_CASE("v201 transaction: repeat sends the identical event again, seqNo and all") {
  Rig201 rig;
  rig.boot();
  REQUIRE(rig.run(start_step(1, "TAG", 2)).ok);
  auto payload = [](const std::string& frame) { return frame.substr(frame.find('{')); };
  std::vector<std::string> frames;
  for (const auto& f : rig.link.sent) {
    if (f.find("\"TransactionEvent\"") != std::string::npos) frames.push_back(payload(f));
  }
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == frames[1]);
  CHECK(rig.events.count("transaction_started") == 1);
  REQUIRE(rig.run(stop_step(1, "Local", 2)).ok);
  auto events = rig.tx_events();
  REQUIRE(events.size() == 4);
  CHECK(events[2].num("seqNo") == 1);
  CHECK(events[3].num("seqNo") == 1);
  CHECK(rig.events.count("transaction_stopped") == 1);
}

TEST_CASE("v201 transaction: while charging, a fault suspends it with ChargingStateChanged") {
  Rig201 rig;
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  Step faulted = simtest::make_step(StepKind::Status);
  faulted.status = "Faulted";
  REQUIRE(rig.run(faulted).ok);
  auto update = rig.tx_events().back();
  CHECK(update.str("eventType") == "Updated");
  CHECK(update.str("triggerReason") == "ChargingStateChanged");
  CHECK(info(update, "chargingState") == "SuspendedEVSE");
  const double energy = rig.station->energy_wh(1);
  rig.advance(Duration(5000));
  CHECK(rig.station->energy_wh(1) == Approx(energy));  // no power while faulted
  Step occupied = simtest::make_step(StepKind::Status);
  occupied.status = "Occupied";
  REQUIRE(rig.run(occupied).ok);
  CHECK(info(rig.tx_events().back(), "chargingState") == "Charging");
}

TEST_CASE("v201 transaction: offline events carry offline:true and go in order after reconnect") {
  Rig201 rig;
  rig.boot();
  rig.link.drop();
  REQUIRE(rig.run(start_step()).ok);  // OfflineTxForUnknownIdEnabled
  const std::string id = *rig.station->transaction_id(1);
  rig.advance(Duration(25000));
  REQUIRE(rig.run(stop_step()).ok);
  CHECK(rig.events.count("queued") == 4);  // Started, 2 x Updated, Ended
  CHECK(rig.station->pending_transaction_messages() == 4);
  CHECK(rig.tx_events().empty());
  rig.link.connect();
  rig.answer();
  auto events = rig.tx_events(id);
  REQUIRE(events.size() == 4);
  std::vector<std::string> order;
  for (const auto& f : rig.link.sent) {
    auto s = simtest::parse_sent(f);
    if (s.type == 2 && s.action != "StatusNotification") order.push_back(s.action);
  }
  CHECK(order == std::vector<std::string>{"BootNotification", "TransactionEvent",
                                          "TransactionEvent", "TransactionEvent",
                                          "TransactionEvent"});
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].num("seqNo") == static_cast<std::int64_t>(i));
    CHECK(events[i].payload()["offline"].GetBool());
  }
  // With the timestamps of when they happened, not of the delivery.
  CHECK(events[0].str("timestamp") < events[1].str("timestamp"));
  CHECK(*rig.events.last("queue_flushed")->raw("count") == "4");
  CHECK(*rig.events.last("transaction_stopped")->string("transactionId") == id);
  CHECK(rig.station->pending_transaction_messages() == 0);

  // Online again: no offline flag.
  REQUIRE(rig.run(start_step()).ok);
  CHECK_FALSE(rig.tx_events().back().has("offline"));
}

TEST_CASE("v201 transaction: a transaction going offline midway flags only the offline events") {
  Rig201 rig;
  rig.boot();
  REQUIRE(rig.run(start_step()).ok);
  rig.link.drop();
  rig.advance(Duration(10000));
  rig.link.connect();
  rig.answer();
  REQUIRE(rig.run(stop_step()).ok);
  auto events = rig.tx_events();
  REQUIRE(events.size() == 3);
  CHECK_FALSE(events[0].has("offline"));
  CHECK(events[1].payload()["offline"].GetBool());
  CHECK_FALSE(events[2].has("offline"));
}

TEST_CASE("v201 transaction: an unanswered event is re-sent after reconnecting, unchanged") {
  Rig201 rig;
  rig.boot();
  rig.responses.erase("TransactionEvent");  // the CSMS goes quiet
  std::optional<StepResult> result;
  rig.station->run_step(start_step(), [&](StepResult r) { result = r; });
  rig.answer();
  REQUIRE(rig.tx_events().size() == 1);
  rig.sched.advance(Duration(30000));  // call timeout: reconnect
  CHECK(rig.link.reconnects == 1);
  REQUIRE(result);
  CHECK(result->ok);
  rig.responses["TransactionEvent"] = [](const Sent&) { return std::string("{}"); };
  rig.link.connect();
  rig.answer();
  auto events = rig.tx_events();
  REQUIRE(events.size() == 5);  // Started twice, then the Updated queued meanwhile
  CHECK(events[0].id != events[1].id);
  auto payload = [](const Sent& s) { return ocpp::to_compact_json(s.payload()); };
  CHECK(payload(events[0]) == payload(events[1]));
  for (std::size_t i = 2; i < events.size(); ++i) {
    CHECK(events[i].num("seqNo") == static_cast<std::int64_t>(i - 1));
  }
}

TEST_CASE("v201 transaction: --queue-file keeps undelivered events for the next run") {
  const std::string path = "v201_queue_test.json";
  std::remove(path.c_str());
  std::string id;
  {
    Rig201 rig(1, [&path](StationSettings& s) { s.queue_file = path; });
    std::string error;
    REQUIRE(rig.station->open_queue_file(&error));
    rig.boot();
    rig.link.drop();
    REQUIRE(rig.run(start_step()).ok);
    id = *rig.station->transaction_id(1);
    REQUIRE(rig.run(stop_step()).ok);
  }
  Rig201 next(1, [&path](StationSettings& s) {
    s.queue_file = path;
    s.seed = 99;
  });
  std::string error;
  REQUIRE(next.station->open_queue_file(&error));
  CHECK(*next.events.last("queue_loaded")->raw("count") == "2");
  next.boot();
  auto events = next.tx_events(id);
  REQUIRE(events.size() == 2);
  CHECK(events[0].str("eventType") == "Started");
  CHECK(events[1].str("eventType") == "Ended");
  CHECK(*next.events.last("transaction_stopped")->string("transactionId") == id);
  std::remove(path.c_str());
}

TEST_CASE("v201 transaction: charge needs a transaction and lasts the given time") {
  Rig201 rig;
  rig.boot();
  Step charge = simtest::make_step(StepKind::Charge);
  charge.seconds = 3.0;
  CHECK_FALSE(rig.run(charge).ok);
  REQUIRE(rig.run(start_step()).ok);
  const auto t0 = rig.sched.now();
  CHECK(rig.run(charge).ok);
  CHECK(rig.sched.now() - t0 >= Duration(3000));
  CHECK_FALSE(rig.run(start_step()).ok);  // busy
  CHECK(rig.run(stop_step()).ok);
  CHECK_FALSE(rig.run(stop_step()).ok);  // nothing to stop
}

TEST_CASE("v201 transaction: heartbeat, authorize and data_transfer steps") {
  Rig201 rig;
  rig.boot();
  CHECK(rig.run(simtest::make_step(StepKind::Heartbeat)).ok);
  Step dt = simtest::make_step(StepKind::DataTransfer);
  dt.vendor_id = "v";
  dt.data = "hello";
  dt.expect = "Accepted";
  CHECK(rig.run(dt).ok);
  CHECK(text_at(rig.calls("DataTransfer").back().payload()["data"]) == "hello");
  dt.expect = "Rejected";
  CHECK_FALSE(rig.run(dt).ok);
  Step auth = simtest::make_step(StepKind::Authorize);
  auth.id_tag = "BAD";
  CHECK(rig.run(auth).ok);
  auth.expect = "Accepted";
  CHECK_FALSE(rig.run(auth).ok);
  rig.link.drop();
  CHECK_FALSE(rig.run(simtest::make_step(StepKind::Heartbeat)).ok);
}

TEST_CASE("v201 transaction: a scenario runs to scenario_done against a 2.0.1 station") {
  Rig201 rig;
  std::string error;
  auto scenario = parse_scenario(R"({"steps":[
    {"do":"authorize","idTag":"T"},
    {"do":"start","connector":1,"idTag":"T"},
    {"do":"charge","connector":1,"seconds":25},
    {"do":"offline"},
    {"do":"stop","connector":1,"reason":"EVDisconnected"},
    {"do":"online"},
    {"do":"wait_for","event":"queue_flushed"},
    {"do":"heartbeat"}]})",
                                 error);
  REQUIRE(scenario);
  ScenarioRunner runner(*rig.station, rig.sched, rig.hub, Logger(), *scenario);
  REQUIRE_FALSE(runner.validate());
  rig.hub.listen([&runner](const Event& e) { runner.on_event(e); });
  std::optional<int> exit_code;
  runner.start([&exit_code](int code) { exit_code = code; });
  rig.boot();
  for (Duration t{0}; !exit_code && t < Duration(120000); t += Duration(100)) {
    rig.sched.advance(Duration(100));
    if (rig.link.online_requests > 0 && !rig.link.is_up()) rig.link.connect();
    rig.answer();
  }
  REQUIRE(exit_code == 0);
  CHECK(rig.events.count("scenario_done") == 1);
  auto events = rig.tx_events();
  REQUIRE(events.size() == 4);  // Started, 2 x Updated, Ended
  CHECK(events.back().str("triggerReason") == "EVCommunicationLost");
  CHECK(events.back().payload()["offline"].GetBool());
}
