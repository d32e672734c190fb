// Fleet mode: the latency histogram, the command line, the station plan and
// the hand-built payloads (checked against the OCPP schemas).
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "ocpp/common/json.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"
#include "simulator/fleet.hpp"

using namespace simulator::fleet;

namespace {

std::optional<FleetOptions> parse(std::vector<std::string> args, std::string* error = nullptr) {
  std::string ignored;
  return parse_fleet_options(args, error ? *error : ignored);
}

// Within the histogram's resolution (~2% buckets, the middle is returned).
bool near(double actual, double expected) {
  return std::abs(actual - expected) <= expected * 0.02;
}

// Decodes `payload` as the request of `action` with the generated schema checks.
std::string schema_problem(const ocpp::ActionInfo* info, const std::string& payload) {
  if (!info) return "unknown action";
  rapidjson::Document doc;
  if (ocpp::parse_json(payload, doc).IsError()) return "not JSON: " + payload;
  ocpp::DecodeContext ctx;
  if (!info->check_request(doc, ctx, nullptr)) return ctx.description() + " in " + payload;
  return "";
}

std::string built(const std::function<void(std::string&)>& build) {
  std::string out = "garbage to be kept:";
  build(out);
  REQUIRE(out.rfind("garbage to be kept:", 0) == 0);  // the builders append
  return out.substr(19);
}

}  // namespace

TEST_CASE("fleet histogram: percentiles of a uniform spread are within 2 percent") {
  LatencyHistogram h;
  for (int ms = 1; ms <= 1000; ++ms) h.record_us(ms * 1000.0);
  CHECK(h.count() == 1000);
  CHECK(near(h.percentile_ms(0.50), 500));
  CHECK(near(h.percentile_ms(0.95), 950));
  CHECK(near(h.percentile_ms(0.99), 990));
  CHECK(h.max_ms() == 1000.0);
  CHECK(h.min_ms() == 1.0);
  CHECK(h.percentile_ms(1.0) == 1000.0);
  CHECK(h.percentile_ms(0.0) == 1.0);
}

TEST_CASE("fleet histogram: an empty histogram reports zeros") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile_ms(0.99) == 0.0);
  CHECK(h.max_ms() == 0.0);
}

TEST_CASE("fleet histogram: a single value is reported exactly at every percentile") {
  LatencyHistogram h;
  h.record_us(1234.5);
  CHECK(h.percentile_ms(0.5) == Approx(1.2345));
  CHECK(h.percentile_ms(0.99) == Approx(1.2345));
  CHECK(h.max_ms() == Approx(1.2345));
}

TEST_CASE("fleet histogram: a rare slow outlier shows in p99 and max but not p50") {
  LatencyHistogram h;
  for (int i = 0; i < 980; ++i) h.record_us(200);   // 0.2 ms
  for (int i = 0; i < 20; ++i) h.record_us(50000);  // 50 ms
  CHECK(near(h.percentile_ms(0.50), 0.2));
  CHECK(near(h.percentile_ms(0.95), 0.2));
  CHECK(near(h.percentile_ms(0.99), 50));
  CHECK(h.max_ms() == 50.0);
}

TEST_CASE("fleet histogram: values outside 1 us to 60 s clamp into the end buckets") {
  LatencyHistogram h;
  h.record_us(0);
  h.record_us(-5);
  h.record_us(120e6);  // two minutes
  CHECK(h.count() == 3);
  CHECK(h.percentile_ms(0.01) <= 0.001);  // below 1 us is one bucket
  CHECK(h.max_ms() == 120000.0);
  CHECK(h.percentile_ms(0.99) <= 120000.0);
  CHECK(h.percentile_ms(0.99) >= 59000.0);
}

TEST_CASE("fleet histogram: merging equals recording everything in one") {
  LatencyHistogram a, b, all;
  for (int i = 1; i <= 500; ++i) {
    a.record_us(i * 10.0);
    all.record_us(i * 10.0);
  }
  for (int i = 1; i <= 300; ++i) {
    b.record_us(i * 1000.0);
    all.record_us(i * 1000.0);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  for (double p : {0.1, 0.5, 0.9, 0.99}) CHECK(a.percentile_ms(p) == all.percentile_ms(p));
  CHECK(a.max_ms() == all.max_ms());
  CHECK(a.min_ms() == all.min_ms());
}

TEST_CASE("fleet options: defaults follow the documented contract") {
  auto o = parse({"--url", "ws://127.0.0.1:8180/ocpp"});
  REQUIRE(o);
  CHECK(o->url == "ws://127.0.0.1:8180/ocpp");
  CHECK(o->stations == 100);
  CHECK(o->id_prefix == "FLEET-");
  CHECK(o->v201_share == 0);
  CHECK(o->charging_share == 0.5);
  CHECK(o->meter_interval_s == 10);
  CHECK_FALSE(o->meter_rate);
  CHECK_FALSE(o->heartbeat_s);
  CHECK(o->ramp == 1000);
  CHECK(o->duration_s == 30);
  CHECK(o->warmup_s == 2);
  CHECK(o->source_addresses == 1);
  CHECK_FALSE(o->storm_at_s);
  CHECK(o->storm_share == 1.0);
  CHECK_FALSE(o->password);
  CHECK(o->call_timeout_ms == 10000);
  CHECK(o->connect_timeout_ms == 10000);
  CHECK_FALSE(o->stop_transactions);
  CHECK_FALSE(o->json);
  CHECK(o->progress_s == 0);
}

TEST_CASE("fleet options: every option is read") {
  auto o = parse({"--url",
                  "ws://h:1/p",
                  "--stations",
                  "5000",
                  "--id-prefix",
                  "B-",
                  "--v201-share",
                  "0.25",
                  "--charging-share",
                  "1",
                  "--meter-interval",
                  "0.2",
                  "--heartbeat",
                  "60",
                  "--ramp",
                  "0",
                  "--duration",
                  "12.5",
                  "--warmup",
                  "1",
                  "--source-addresses",
                  "4",
                  "--storm-at",
                  "3",
                  "--storm-share",
                  "0.5",
                  "--password",
                  "pw",
                  "--call-timeout-ms",
                  "500",
                  "--connect-timeout-ms",
                  "700",
                  "--stop-transactions",
                  "--json",
                  "--progress",
                  "1",
                  "--idtag",
                  "TAG1",
                  "--seed",
                  "42"});
  REQUIRE(o);
  CHECK(o->stations == 5000);
  CHECK(o->id_prefix == "B-");
  CHECK(o->v201_share == 0.25);
  CHECK(o->charging_share == 1);
  CHECK(o->meter_interval_s == 0.2);
  CHECK(*o->heartbeat_s == 60);
  CHECK(o->ramp == 0);
  CHECK(o->duration_s == 12.5);
  CHECK(o->warmup_s == 1);
  CHECK(o->source_addresses == 4);
  CHECK(*o->storm_at_s == 3);
  CHECK(o->storm_share == 0.5);
  CHECK(*o->password == "pw");
  CHECK(o->call_timeout_ms == 500);
  CHECK(o->connect_timeout_ms == 700);
  CHECK(o->stop_transactions);
  CHECK(o->json);
  CHECK(o->progress_s == 1);
  CHECK(o->id_tag == "TAG1");
  CHECK(o->seed == 42);
}

TEST_CASE("fleet options: the fault test's logs and behaviours are read and default off") {
  auto o = parse({"--url", "ws://h:1/p"});
  REQUIRE(o);
  CHECK(o->acked_log.empty());
  CHECK(o->commands_log.empty());
  CHECK(o->timeline.empty());
  CHECK_FALSE(o->resend_unconfirmed);
  CHECK_FALSE(o->drop_on_timeout);
  o = parse({"--url", "ws://h:1/p", "--acked-log", "a.tsv", "--commands-log", "c.tsv", "--timeline",
             "t.jsonl", "--resend-unconfirmed", "--drop-on-timeout"});
  REQUIRE(o);
  CHECK(o->acked_log == "a.tsv");
  CHECK(o->commands_log == "c.tsv");
  CHECK(o->timeline == "t.jsonl");
  CHECK(o->resend_unconfirmed);
  CHECK(o->drop_on_timeout);
  std::string error;
  CHECK_FALSE(parse({"--url", "ws://h:1/p", "--acked-log"}, &error));
  CHECK(error == "--acked-log needs a value");
}

TEST_CASE("fleet options: usage errors name the option") {
  std::string error;
  CHECK_FALSE(parse({"--stations", "10"}, &error));
  CHECK(error == "--url is required");
  CHECK_FALSE(parse({"--url", "ws://h/p", "--stations", "0"}, &error));
  CHECK(error.find("--stations") != std::string::npos);
  CHECK_FALSE(parse({"--url", "ws://h/p", "--v201-share", "1.5"}, &error));
  CHECK(error.find("--v201-share") != std::string::npos);
  CHECK_FALSE(parse({"--url", "ws://h/p", "--ramp", "fast"}, &error));
  CHECK(error.find("--ramp") != std::string::npos);
  CHECK_FALSE(parse({"--url", "ws://h/p", "--source-addresses", "300"}, &error));
  CHECK_FALSE(parse({"--url", "ws://h/p", "--id-prefix", "A\"B"}, &error));
  CHECK_FALSE(parse({"--url", "ws://h/p", "--bogus"}, &error));
  CHECK(error == "unknown option --bogus");
  CHECK_FALSE(parse({"--url"}, &error));
  CHECK(error == "--url needs a value");
}

TEST_CASE("fleet options: help needs no url") {
  auto o = parse({"--help"});
  REQUIRE(o);
  CHECK(o->help);
  CHECK(fleet_usage().find("--storm-at") != std::string::npos);
}

TEST_CASE("fleet plan: ids count from 1 with six digits") {
  FleetOptions o;
  CHECK(plan_station(o, 0).id == "FLEET-000001");
  CHECK(plan_station(o, 41).id == "FLEET-000042");
  o.id_prefix = "X";
  CHECK(plan_station(o, 999998).id == "X999999");
}

TEST_CASE("fleet plan: version and charging shares are exact and independent") {
  FleetOptions o;
  o.stations = 1000;
  o.v201_share = 0.3;
  o.charging_share = 0.5;
  int v201 = 0, charging = 0, v201_charging = 0;
  for (int i = 0; i < o.stations; ++i) {
    auto p = plan_station(o, i);
    v201 += p.v201;
    charging += p.charging;
    v201_charging += p.v201 && p.charging;
  }
  CHECK(v201 == 300);
  CHECK(charging == 500);
  CHECK(v201_charging == 150);  // both versions charge in the same proportion
  CHECK(charging_stations(o) == 500);
}

TEST_CASE("fleet plan: the meter rate sets the interval from the charging stations") {
  FleetOptions o;
  o.stations = 1000;
  o.charging_share = 0.5;
  CHECK(meter_interval(o) == 10);
  o.meter_rate = 250;
  CHECK(meter_interval(o) == Approx(2.0));
  o.charging_share = 0;
  CHECK(meter_interval(o) == 10);  // nobody charges: the rate cannot apply
}

TEST_CASE("fleet payloads: every OCPP 1.6 message is schema-valid") {
  auto find = &ocpp::v16::find_action;
  const std::string ts = "2025-01-02T03:04:05.678Z";
  CHECK(schema_problem(find("BootNotification"),
                       built([](auto& s) { payload::boot_v16(s, "FLEET-000001"); })) == "");
  CHECK(schema_problem(find("BootNotification"), built([](auto& s) {
                         payload::boot_v16(s, "A-VERY-LONG-PREFIX-FOR-IDS-000001");
                       })) == "");
  CHECK(schema_problem(find("StatusNotification"),
                       built([&](auto& s) { payload::status_v16(s, "Charging", ts); })) == "");
  CHECK(schema_problem(find("Authorize"),
                       built([](auto& s) { payload::authorize_v16(s, "FLEET-TAG"); })) == "");
  CHECK(schema_problem(find("StartTransaction"), built([&](auto& s) {
                         payload::start_v16(s, "FLEET-TAG", 1000, ts);
                       })) == "");
  CHECK(schema_problem(find("MeterValues"),
                       built([&](auto& s) { payload::meter_v16(s, 42, 1234, 7400, ts); })) == "");
  CHECK(schema_problem(find("StopTransaction"), built([&](auto& s) {
                         payload::stop_v16(s, 42, "FLEET-TAG", 2000, ts);
                       })) == "");
}

TEST_CASE("fleet payloads: every OCPP 2.0.1 message is schema-valid") {
  auto find = &ocpp::v201::find_action;
  const std::string ts = "2025-01-02T03:04:05.678Z";
  const std::string tx = "0f8fad5b-d9cb-469f-a165-70867728950e";
  CHECK(schema_problem(find("BootNotification"),
                       built([](auto& s) { payload::boot_v201(s, "FLEET-000001"); })) == "");
  CHECK(schema_problem(find("StatusNotification"),
                       built([&](auto& s) { payload::status_v201(s, "Occupied", ts); })) == "");
  CHECK(schema_problem(find("Authorize"),
                       built([](auto& s) { payload::authorize_v201(s, "FLEET-TAG"); })) == "");
  for (const char* event : {"Started", "Updated", "Ended"}) {
    INFO(event);
    CHECK(schema_problem(find("TransactionEvent"), built([&](auto& s) {
                           payload::transaction_event_v201(s, event, tx, 3, "FLEET-TAG", 1234, 7400,
                                                           ts);
                         })) == "");
  }
}
