// `ocpp-sim fleet` against the real csms: a small mixed fleet boots, charges and
// reports, and a connection storm is survived. Latencies are not asserted (the
// machine may be busy); counts are.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

// csms registering and accepting whoever connects, as the benchmark runs it.
std::vector<std::string> open_registration() {
  return {"--accept-unknown", "--unknown-boot-status", "Accepted"};
}

rapidjson::Document run_fleet(const Csms& csms, std::vector<std::string> more) {
  std::vector<std::string> argv = {OCPP_SIM_BIN, "fleet", "--url", csms.ws_url(), "--json"};
  argv.insert(argv.end(), more.begin(), more.end());
  auto result = run(argv, {}, 60s);
  INFO(result.err);
  REQUIRE(result.code == 0);
  rapidjson::Document report;
  report.Parse(result.out.c_str());
  INFO(result.out);
  REQUIRE(!report.HasParseError());
  REQUIRE(report.IsObject());
  return report;
}

std::uint64_t count(const rapidjson::Value& v, const char* a, const char* b = nullptr) {
  const rapidjson::Value& x = b ? v[a][b] : v[a];
  return x.GetUint64();
}

}  // namespace

TEST_CASE("fleet: a mixed 1.6 and 2.0.1 fleet connects, boots and charges without errors",
          "[e2e][fleet]") {
  TempDir dir;
  Csms csms(dir, open_registration());
  auto r = run_fleet(csms, {"--stations", "50", "--v201-share", "0.4", "--charging-share", "0.5",
                            "--meter-interval", "0.2", "--ramp", "200", "--duration", "3",
                            "--warmup", "0.5", "--stop-transactions"});
  INFO(ocpp::to_compact_json(r));
  CHECK(count(r, "stations") == 50);
  CHECK(count(r, "v201") == 20);
  CHECK(count(r, "connected_peak") == 50);
  CHECK(count(r, "connected_end") == 50);
  CHECK(count(r, "connect", "ok") == 50);
  CHECK(count(r, "connect", "failed") == 0);
  CHECK(count(r, "connect", "timeouts") == 0);
  CHECK(count(r, "connect", "rejected_503") == 0);
  const auto& actions = r["actions"];
  CHECK(count(actions, "BootNotification", "ok") == 50);
  // Available for everyone, then Charging / Occupied for the 25 that charge.
  CHECK(count(actions, "StatusNotification", "ok") == 75);
  CHECK(count(actions, "Authorize", "ok") == 25);
  CHECK(count(actions, "StartTransaction", "ok") == 15);
  CHECK(count(actions, "StopTransaction", "ok") == 15);
  for (auto it = actions.MemberBegin(); it != actions.MemberEnd(); ++it) {
    INFO(it->name.GetString());
    CHECK(count(it->value, "errors") == 0);
    CHECK(count(it->value, "timeouts") == 0);
    CHECK(count(it->value, "ok") == count(it->value, "sent"));
  }
  CHECK(count(r, "meter_values", "acknowledged") > 0);
  CHECK(count(r, "meter_values", "unconfirmed") == 0);
  CHECK(count(r, "boot_pending") == 0);
  CHECK(r["storm"].IsNull());

  // What the fleet counted is what csms stored: every transaction, ended.
  auto txs = csms.ctl_json({"tx", "list"});
  CHECK(txs.Size() == 25);
  CHECK(csms.ctl_json({"tx", "list", "--active"}).Size() == 0);
}

TEST_CASE("fleet: after a connection storm every dropped station is back", "[e2e][fleet]") {
  TempDir dir;
  Csms csms(dir, open_registration());
  auto r = run_fleet(
      csms, {"--stations", "40", "--v201-share", "0.5", "--meter-interval", "0.2", "--ramp", "0",
             "--duration", "4", "--warmup", "0.5", "--storm-at", "1", "--storm-share", "0.5"});
  INFO(ocpp::to_compact_json(r));
  REQUIRE(r["storm"].IsObject());
  const auto& storm = r["storm"];
  CHECK(count(storm, "dropped") == 20);
  CHECK(count(storm, "reconnected") == 20);
  CHECK(storm["settle_s"].IsNumber());
  CHECK(count(storm, "steady_stations") == 20);
  CHECK(count(r, "connected_end") == 40);
  // The dropped stations booted again.
  CHECK(count(r["actions"], "BootNotification", "ok") == 60);
  CHECK(count(r, "meter_values", "acknowledged") > 0);
}

TEST_CASE("fleet: unregistered stations are refused with the reason and a failing exit",
          "[e2e][fleet]") {
  TempDir dir;
  Csms csms(dir);  // registration closed: every station gets 404
  auto result = run({OCPP_SIM_BIN, "fleet", "--url", csms.ws_url(), "--json", "--stations", "3",
                     "--duration", "1", "--warmup", "0"},
                    {}, 60s);
  INFO(result.err);
  CHECK(result.code == 1);
  CHECK(result.err.find("HTTP 404 (stations not registered") != std::string::npos);
  CHECK(result.err.find("no station connected") != std::string::npos);
  rapidjson::Document report;
  report.Parse(result.out.c_str());
  REQUIRE(report.IsObject());
  CHECK(count(report, "connect", "ok") == 0);
  CHECK(report["connect"]["refused_status"]["404"].GetUint64() > 0);
}
