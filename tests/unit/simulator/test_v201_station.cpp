// The 2.0.1 charging station's life without sessions: the command line that
// selects it, boot, status notifications, heartbeats, reconnecting.
#include <catch2/catch.hpp>

#include "simulator/options.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using ocpp::v201::ConnectorStatusEnumType;
using simtest::Rig201;
using simtest::Sent;
using simtest::text_at;

TEST_CASE("v201 options: --ocpp 2.0.1 selects 2.0.1 and its identity and field limits") {
  std::string error;
  for (const char* name : {"2.0.1", "ocpp2.0.1"}) {
    auto o = parse_options({"--url", "ws://h/x", "--id", "CS-1", "--ocpp", name}, error);
    INFO(error);
    REQUIRE(o);
    CHECK(o->version == ocpp::Version::v201);
  }
  auto v16 = parse_options({"--url", "ws://h/x", "--id", "CP-1"}, error);
  REQUIRE(v16);
  CHECK(v16->version == ocpp::Version::v16);
  CHECK(ocpp::subprotocol(ocpp::Version::v201) == "ocpp2.0.1");

  const std::vector<std::string> base = {"--url", "ws://h/x", "--ocpp", "2.0.1"};
  auto with = [&base](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return more;
  };
  CHECK_FALSE(parse_options(with({"--id", "CS:1"}), error));
  CHECK(error.find("':'") != std::string::npos);
  CHECK_FALSE(parse_options(with({"--id", std::string(49, 'x')}), error));
  CHECK(parse_options(with({"--id", std::string(48, 'x')}), error));
  // 2.0.1 allows longer vendor names and idTokens than 1.6.
  CHECK(parse_options(with({"--id", "C", "--vendor", std::string(50, 'v')}), error));
  CHECK_FALSE(parse_options(with({"--id", "C", "--vendor", std::string(51, 'v')}), error));
  CHECK(parse_options(with({"--id", "C", "--idtag", std::string(36, 't')}), error));
  CHECK_FALSE(parse_options(with({"--id", "C", "--idtag", std::string(37, 't')}), error));
  CHECK_FALSE(parse_options(with({"--id", "C", "--model", std::string(21, 'm')}), error));
  CHECK_FALSE(parse_options({"--url", "ws://h/x", "--id", "C", "--ocpp", "2.1"}, error));
  CHECK(usage().find("1.6J and 2.0.1") != std::string::npos);
}

TEST_CASE("v201 station: boots with reason PowerUp and its identity, then reports each EVSE") {
  Rig201 rig(2);
  rig.station->start();
  CHECK(rig.link.starts == 1);
  rig.link.connect();
  REQUIRE(rig.link.sent.size() == 1);
  auto boot = simtest::parse_sent(rig.link.sent[0]);
  CHECK(boot.action == "BootNotification");
  CHECK(boot.str("reason") == "PowerUp");
  const auto& station = boot.payload()["chargingStation"];
  CHECK(text_at(station["vendorName"]) == "ocpp-sim");
  CHECK(text_at(station["model"]) == "SIM-1");
  CHECK(text_at(station["serialNumber"]) == "CS1");
  CHECK(text_at(station["firmwareVersion"]) == "0.1.0");
  CHECK(rig.calls("StatusNotification").empty());  // nothing before the boot is accepted
  rig.answer();
  CHECK(rig.station->booted());
  CHECK(*rig.events.last("boot")->string("status") == "Accepted");
  auto statuses = rig.calls("StatusNotification");
  REQUIRE(statuses.size() == 2);
  for (int n = 1; n <= 2; ++n) {
    const auto& s = statuses[static_cast<std::size_t>(n - 1)];
    CHECK(s.num("evseId") == n);
    CHECK(s.num("connectorId") == 1);
    CHECK(s.str("connectorStatus") == "Available");
    CHECK(s.has("timestamp"));
  }
  CHECK(rig.station->device_model().get_int("OCPPCommCtrlr", "HeartbeatInterval", 0) == 300);
}

TEST_CASE("v201 station: Pending and Rejected boots are retried after the interval") {
  Rig201 rig;
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
  rig.advance(Duration(19000));
  CHECK(boots == 1);
  rig.advance(Duration(1000));
  CHECK(boots == 2);
  rig.advance(Duration(20000));
  CHECK(boots == 3);
  CHECK(rig.station->booted());
  CHECK(rig.calls("StatusNotification").size() == 1);
  // Every BootNotification of the power-up gives the same reason.
  for (const auto& b : rig.calls("BootNotification")) CHECK(b.str("reason") == "PowerUp");
}

TEST_CASE("v201 station: heartbeats follow the boot interval, or --heartbeat") {
  Rig201 rig;
  rig.responses["BootNotification"] = [](const Sent&) {
    return std::string(
        R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":10})");
  };
  rig.boot();
  rig.advance(Duration(30000));
  CHECK(rig.calls("Heartbeat").size() == 3);

  Rig201 fixed(1, [](StationSettings& s) { s.heartbeat_s = 5; });
  fixed.boot();
  CHECK(fixed.station->device_model().get_int("OCPPCommCtrlr", "HeartbeatInterval", 0) == 5);
  fixed.advance(Duration(10000));
  CHECK(fixed.calls("Heartbeat").size() == 2);
}

TEST_CASE("v201 station: a plain reconnect does not boot again but reports changed statuses") {
  Rig201 rig(2);
  rig.boot();
  rig.link.drop();
  CHECK(rig.events.count("disconnected") == 1);
  Step faulted = simtest::make_step(StepKind::Status, 2);
  faulted.status = "Faulted";
  CHECK(rig.run(faulted).ok);  // offline: reported later
  CHECK(rig.station->status(2) == ConnectorStatusEnumType::Faulted);
  rig.link.connect();
  rig.answer();
  CHECK(rig.calls("BootNotification").size() == 1);
  CHECK(rig.statuses(2) == std::vector<std::string>{"Available", "Faulted"});
  CHECK(rig.statuses(1).size() == 1);  // unchanged: not repeated
}

TEST_CASE("v201 station: status steps take 2.0.1 statuses on EVSEs 1..N only") {
  Rig201 rig(2);
  rig.boot();
  for (const char* status : {"Reserved", "Unavailable", "Occupied", "Available"}) {
    Step s = simtest::make_step(StepKind::Status, 1);
    s.status = status;
    CHECK(rig.run(s).ok);
  }
  CHECK(rig.statuses(1) ==
        std::vector<std::string>{"Available", "Reserved", "Unavailable", "Occupied", "Available"});
  Step bad = simtest::make_step(StepKind::Status, 1);
  bad.status = "Charging";  // 1.6 only
  CHECK(rig.station->check_step(bad));
  bad.status = "Faulted";
  bad.error_code = "GroundFailure";
  CHECK(rig.station->check_step(bad));
  Step station_wide = simtest::make_step(StepKind::Status, 0);
  station_wide.status = "Available";
  CHECK(rig.station->check_step(station_wide));
  Step too_far = simtest::make_step(StepKind::Start, 3);
  CHECK(rig.station->check_step(too_far)->find("EVSE 3") != std::string::npos);
  Step long_tag = simtest::start_step(1, std::string(37, 't'));
  CHECK(rig.station->check_step(long_tag));
  Step reason = simtest::stop_step(1, "SoftReset");  // a 1.6 reason
  CHECK(rig.station->check_step(reason));
}

TEST_CASE("v201 station: the device model follows availability and identity") {
  Rig201 rig(1, [](StationSettings& s) {
    s.vendor = "Acme Charging Solutions";
    s.power_w = 11000;
  });
  rig.boot();
  const auto& model = rig.station->device_model();
  auto value = [&model](const simulator::v201::ComponentRef& c, const char* name) {
    const auto* v = model.find(c, name);
    return v ? v->value : std::string("<none>");
  };
  CHECK(value({"ChargingStation"}, "VendorName") == "Acme Charging Solutions");
  CHECK(value({"SecurityCtrlr"}, "Identity") == "CS1");
  CHECK(value({"EVSE", "", 1, 0}, "AvailabilityState") == "Available");
  CHECK(model.find({"EVSE", "", 1, 0}, "Power")->max_limit == Approx(11000));
  Step faulted = simtest::make_step(StepKind::Status, 1);
  faulted.status = "Faulted";
  REQUIRE(rig.run(faulted).ok);
  CHECK(value({"Connector", "", 1, 1}, "AvailabilityState") == "Faulted");
  CHECK(value({"EVSE", "", 1, 0}, "AvailabilityState") == "Faulted");
}

TEST_CASE("v201 station: an HTTP rejection is reported, and fatal ones reach the fatal handler") {
  Rig201 rig;
  std::string fatal;
  rig.station->set_fatal_handler([&fatal](const std::string& why) { fatal = why; });
  rig.link.fail({404, "unknown", true});
  CHECK(*rig.events.last("rejected")->raw("status") == "404");
  CHECK(fatal.find("404") != std::string::npos);
}
