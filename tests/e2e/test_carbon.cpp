// Carbon accounting end to end: ocpp-sim sessions of both versions at a site
// against the real csms, read back with csmsctl (docs/carbon.md). Expected
// figures are computed here from the documented formula and the parameters
// the record says it applied.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "ocpp/common/datetime.hpp"
#include "ocpp/ocmf.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

const char* kSession = R"({"steps":[
    {"do":"start","connector":1,"idTag":"DRIVER"},
    {"do":"charge","connector":1,"seconds":3},
    {"do":"stop","connector":1,"reason":"Local"}]})";

std::vector<std::string> sim_args(const std::string& version, std::vector<std::string> more) {
  std::vector<std::string> args = {"--ocpp", version,     "--meter-interval",
                                   "1",      "--power-w", "22000"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The transaction's carbon record, once computed (it follows the session's end).
rapidjson::Document carbon_record(const Csms& csms, const std::string& tx,
                                  std::size_t min_history = 1) {
  rapidjson::Document doc;
  const bool found = eventually([&] {
    auto r = csms.ctl({"carbon", "tx", tx, "--json"});
    if (r.code != 0) return false;
    doc.Parse(r.out.c_str());
    return !doc.HasParseError() && doc["history"].Size() >= min_history;
  });
  INFO("carbon record of transaction " << tx);
  REQUIRE(found);
  return doc;
}

double factor(const rapidjson::Value& record, const std::string& kind) {
  for (const auto& f : record["factors"].GetArray())
    if (str(f["kind"]) == kind) return f["value"].GetDouble();
  FAIL("no " << kind << " factor in the record");
  return 0;
}

// The documented method (docs/carbon.md), from the record's own inputs.
struct Expected {
  double baseline = 0;
  double project = 0;
  double reduction = 0;
  std::int64_t points = 0;
};
Expected expected_from(const rapidjson::Value& r) {
  const double kwh = r["energyDeliveredWh"].GetDouble() / 1000.0;
  Expected e;
  e.baseline = kwh * factor(r, "fuel-consumption") / factor(r, "ev-consumption") *
               factor(r, "fuel-emission");
  e.project = kwh / factor(r, "charger-efficiency") * factor(r, "grid");
  e.reduction = std::max(0.0, e.baseline - e.project);
  e.points =
      static_cast<std::int64_t>(std::floor(e.reduction * 1000 / factor(r, "points-rate") + 1e-6));
  return e;
}

void setup_site(Csms& csms) {
  REQUIRE(csms.ctl({"site", "add", "HUB", "--name", "Truck hub", "--region", "CN-East", "--lat",
                    "31.23", "--lon", "121.47"})
              .code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "DRIVER"}).code == 0);
}

// A raw, booted 2.0.1 station that sends TransactionEvents of transaction
// "TX-C", each with one energy register reading.
struct Station201 {
  Station201(const Csms& csms, const std::string& id)
      : ws(csms.ocpp_port(), "/ocpp/" + id, options()) {
    REQUIRE(ws.open());
    call(
        R"([2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"vendorName":"V","model":"M"}}])");
  }
  static WsClient::Options options() {
    WsClient::Options o;
    o.subprotocols = {"ocpp2.0.1"};
    return o;
  }
  void call(const std::string& frame) {
    auto reply = ws.call(frame);
    INFO(frame);
    REQUIRE(reply);
    REQUIRE((*reply)[0].GetInt() == 3);
  }
  void event(const std::string& type, int seq, const std::string& time, double wh,
             const std::string& extra) {
    call(R"([2,"e)" + std::to_string(++calls) + R"(","TransactionEvent",{"eventType":")" + type +
         R"(","timestamp":")" + time + R"(","triggerReason":")" +
         (type == "Ended" ? "StopAuthorized" : "MeterValuePeriodic") + R"(","seqNo":)" +
         std::to_string(seq) +
         R"(,"evse":{"id":1,"connectorId":1},"transactionInfo":{"transactionId":"TX-C"},)" +
         R"("meterValue":[{"timestamp":")" + time + R"(","sampledValue":[{"value":)" +
         std::to_string(wh) + R"(,"measurand":"Energy.Active.Import.Register"}]}])" + extra + "}]");
  }
  WsClient ws;
  int calls = 0;
};

std::string current_month() {
  return ocpp::DateTime::now().to_string().substr(0, 7);
}

}  // namespace

TEST_CASE("a 1.6 and a 2.0.1 session at a site get the documented carbon figures and points",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  setup_site(csms);
  REQUIRE(csms.ctl({"station", "add", "AC16"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "DC201"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-site", "AC16", "HUB"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-site", "DC201", "HUB", "--current-type", "DC"}).code == 0);
  auto scenario = write_file(dir, "session.json", kSession);
  {
    Sim a(csms, "AC16", sim_args("1.6", {"--scenario", scenario}));
    Sim b(csms, "DC201", sim_args("2.0.1", {"--scenario", scenario}));
    REQUIRE(a.wait_exit() == 0);
    REQUIRE(b.wait_exit() == 0);
  }
  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 2);
  std::int64_t points = 0;
  for (const auto& tx : txs.GetArray()) {
    const std::string id =
        tx["id"].IsString() ? str(tx["id"]) : std::to_string(tx["id"].GetInt64());
    auto r = carbon_record(csms, id);
    INFO("transaction " << id << " at " << str(tx["stationId"]));
    CHECK(str(r["provenance"]) == "register");
    CHECK(r["energyDeliveredWh"].GetDouble() == Approx(tx["energyWh"].GetDouble()));
    CHECK(r["energyDeliveredWh"].GetDouble() > 0);
    CHECK(str(r["siteId"]) == "HUB");
    CHECK(str(r["region"]) == "CN-East");
    CHECK(factor(r, "grid") == Approx(0.55));  // CN-East, 2023 data
    const bool dc = str(tx["stationId"]) == "DC201";
    CHECK(str(r["currentType"]) == (dc ? "DC" : "AC"));
    CHECK(factor(r, "charger-efficiency") == Approx(dc ? 0.923 : 1.0));
    auto e = expected_from(r);
    CHECK(r["baselineKgCO2"].GetDouble() == Approx(e.baseline));
    CHECK(r["projectKgCO2"].GetDouble() == Approx(e.project));
    CHECK(r["reductionKgCO2"].GetDouble() == Approx(e.reduction));
    CHECK(r["energyConsumedWh"].GetDouble() ==
          Approx(r["energyDeliveredWh"].GetDouble() / factor(r, "charger-efficiency")));
    CHECK(r["greenShare"].IsNull());
    CHECK(r["reductionMarketKgCO2"].IsNull());
    CHECK(r["supersededBy"].IsNull());
    CHECK(str(r["methodVersion"]).find("VM0038") != std::string::npos);
    for (const auto& f : r["factors"].GetArray()) CHECK_FALSE(str(f["source"]).empty());
    points += e.points;
  }
  auto account = csms.ctl_json({"carbon", "account", "DRIVER"});
  CHECK(account["points"].GetInt64() == points);
  CHECK(account["sessions"].GetInt64() == 2);
  auto ledger = csms.ctl_json({"carbon", "ledger", "DRIVER"});
  REQUIRE(ledger.Size() == 2);
  CHECK(str(ledger[0]["type"]) == "earn");
  CHECK(str(ledger[1]["prevHash"]) == str(ledger[0]["hash"]));
  CHECK(csms.ctl({"carbon", "verify"}).code == 0);

  // The month's report: its totals are the sum of its sessions; CSV has the same rows.
  auto report = csms.ctl_json({"carbon", "report", "--site", "HUB", "--month", current_month()});
  REQUIRE(report["sessions"].Size() == 2);
  double delivered = 0, baseline = 0, project = 0, reduction = 0, market = 0;
  for (const auto& row : report["sessions"].GetArray()) {
    REQUIRE(row["excluded"].IsNull());
    delivered += row["energyDeliveredWh"].GetDouble();
    baseline += row["baselineKgCO2"].GetDouble();
    project += row["projectKgCO2"].GetDouble();
    reduction += row["reductionKgCO2"].GetDouble();
    market += row["reductionMarketKgCO2"].IsNull() ? row["reductionKgCO2"].GetDouble()
                                                   : row["reductionMarketKgCO2"].GetDouble();
  }
  const auto& totals = report["totals"];
  CHECK(totals["energyDeliveredWh"].GetDouble() == Approx(delivered));
  CHECK(totals["baselineKgCO2"].GetDouble() == Approx(baseline));
  CHECK(totals["projectKgCO2"].GetDouble() == Approx(project));
  CHECK(totals["reductionKgCO2"].GetDouble() == Approx(reduction));
  CHECK(totals["reductionMarketKgCO2"].GetDouble() == Approx(market));
  CHECK(totals["byProvenance"]["register"].GetInt64() == 2);
  auto csv = csms.ctl({"carbon", "report", "--site", "HUB", "--month", current_month(), "--csv"});
  REQUIRE(csv.code == 0);
  std::istringstream lines(csv.out);
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("transactionId,recordId,stationId", 0) == 0);
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) rows += !line.empty() && line != "\r";
  CHECK(rows == 2);

  // The verification bundle: every file is in the manifest with its hash.
  const auto out = (dir.path() / "bundle").string();
  auto bundle =
      csms.ctl({"carbon", "bundle", "--site", "HUB", "--month", current_month(), "--out", out});
  INFO(bundle.out << bundle.err);
  REQUIRE(bundle.code == 0);
  auto check = run({"/bin/sh", "-c", "cd '" + out + "' && sha256sum -c MANIFEST.sha256"});
  INFO(check.out << check.err);
  CHECK(check.code == 0);
  CHECK(check.out.find("report.json: OK") != std::string::npos);
  CHECK(check.out.find("parameters.json: OK") != std::string::npos);
  CHECK(check.out.find("signed-meter-values.json: OK") != std::string::npos);
  CHECK(check.out.find("chargers.json: OK") != std::string::npos);
}

TEST_CASE("signed meter data gives signed provenance and a tampered session is flagged",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  setup_site(csms);
  auto scenario = write_file(dir, "session.json", kSession);

  SECTION("1.6 with the meter's key registered by the operator") {
    const auto keys = ocpp::ocmf::generate_key_pair();
    auto key_file = write_file(dir, "meter.pem", keys.private_key_pem);
    REQUIRE(csms.ctl({"station", "add", "SIGNED16"}).code == 0);
    REQUIRE(csms.ctl({"station", "set-meter-key", "SIGNED16", keys.public_key_hex}).code == 0);
    Sim sim(csms, "SIGNED16", sim_args("1.6", {"--scenario", scenario, "--meter-key", key_file}));
    REQUIRE(sim.wait_exit() == 0);
    auto txs = csms.ctl_json({"tx", "list"});
    REQUIRE(txs.Size() == 1);
    auto r = carbon_record(csms, std::to_string(txs[0]["id"].GetInt64()));
    CHECK(str(r["provenance"]) == "signed");
    CHECK(r["energyDeliveredWh"].GetDouble() > 0);
    CHECK(r["flags"].Size() == 0);
  }
  SECTION("2.0.1 with the key the station sends, and a tampered end reading") {
    REQUIRE(csms.ctl({"station", "add", "GOOD201"}).code == 0);
    REQUIRE(csms.ctl({"station", "add", "BAD201"}).code == 0);
    {
      Sim good(csms, "GOOD201", sim_args("2.0.1", {"--scenario", scenario, "--signed-meter"}));
      Sim bad(csms, "BAD201", sim_args("2.0.1", {"--scenario", scenario, "--signed-meter-tamper"}));
      REQUIRE(good.wait_exit() == 0);
      REQUIRE(bad.wait_exit() == 0);
    }
    const auto txs = csms.ctl_json({"tx", "list"});
    for (const auto& tx : txs.GetArray()) {
      auto r = carbon_record(csms, str(tx["id"]));
      if (str(tx["stationId"]) == "GOOD201") {
        CHECK(str(r["provenance"]) == "signed");
        REQUIRE(r["flags"].Size() == 1);  // said, so a verifier can weigh it
        CHECK(str(r["flags"][0]) == "meter-key-from-station");
      } else {
        // Kept and flagged, never used for energy: the register counts instead.
        CHECK(str(r["provenance"]) == "register");
        REQUIRE(r["flags"].Size() >= 1);
        CHECK(str(r["flags"][0]).find("signed-data-invalid") == 0);
        CHECK(str(r["flags"][0]).find("does not verify") != std::string::npos);
      }
    }
  }
}

TEST_CASE("a 2.0.1 session delivered late from the offline queue gets its carbon record",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  setup_site(csms);
  REQUIRE(csms.ctl({"station", "add", "OFF1"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-site", "OFF1", "HUB"}).code == 0);
  auto scenario = write_file(dir, "offline.json", R"({"steps":[
      {"do":"start","connector":1,"idTag":"DRIVER"},
      {"do":"offline","seconds":4},
      {"do":"charge","connector":1,"seconds":2},
      {"do":"stop","connector":1,"reason":"Local"},
      {"do":"online"},
      {"do":"wait_for","event":"queue_flushed"}]})");
  Sim sim(csms, "OFF1", sim_args("2.0.1", {"--scenario", scenario}));
  REQUIRE(sim.wait_event("queue_flushed", 40s));
  REQUIRE(sim.wait_exit() == 0);
  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  CHECK(txs[0]["offline"].GetBool());
  auto r = carbon_record(csms, str(txs[0]["id"]));
  CHECK(r["energyDeliveredWh"].GetDouble() == Approx(txs[0]["energyWh"].GetDouble()));
  CHECK(r["energyDeliveredWh"].GetDouble() > 0);
  CHECK(r["reductionKgCO2"].GetDouble() == Approx(expected_from(r).reduction));
}

TEST_CASE("a corrected session supersedes its record and the ledger reverses the first earn",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  setup_site(csms);
  REQUIRE(csms.ctl({"station", "add", "RAW1"}).code == 0);
  Station201 station(csms, "RAW1");
  const std::string t0 = "2026-12-01T10:00:00Z", t1 = "2026-12-01T11:00:00Z";
  station.event("Started", 0, t0, 1000, R"(,"idToken":{"idToken":"DRIVER","type":"ISO14443"})");
  station.event("Ended", 1, t1, 11000, "");
  auto first = carbon_record(csms, "TX-C");
  CHECK(first["energyDeliveredWh"].GetDouble() == Approx(10000));
  // The station's corrected final reading, delivered late.
  station.event("Updated", 2, "2026-12-01T11:00:05Z", 13000, "");
  auto second = carbon_record(csms, "TX-C", 2);
  CHECK(second["energyDeliveredWh"].GetDouble() == Approx(12000));
  CHECK(second["supersedes"].GetInt64() == first["recordId"].GetInt64());
  REQUIRE(second["history"].Size() == 2);
  CHECK(second["history"][0]["supersededBy"].GetInt64() == second["recordId"].GetInt64());
  // A retry of the same event changes nothing.
  station.event("Updated", 2, "2026-12-01T11:00:05Z", 13000, "");
  auto ledger = csms.ctl_json({"carbon", "ledger", "DRIVER"});
  REQUIRE(ledger.Size() == 3);
  CHECK(str(ledger[0]["type"]) == "earn");
  CHECK(str(ledger[1]["type"]) == "reverse");
  CHECK(ledger[1]["points"].GetInt64() == -ledger[0]["points"].GetInt64());
  CHECK(str(ledger[2]["type"]) == "earn");
  CHECK(ledger[2]["points"].GetInt64() == expected_from(second).points);
  CHECK(csms.ctl_json({"carbon", "account", "DRIVER"})["points"].GetInt64() ==
        ledger[2]["points"].GetInt64());
}

TEST_CASE("the ledger refuses an overdraft and carbon verify detects a modified row",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"carbon", "adjust", "FAN", "--points", "300", "--reason", "welcome"}).code ==
          0);
  auto over = csms.ctl({"carbon", "redeem", "FAN", "--points", "301", "--reason", "mug"});
  CHECK(over.code == 1);
  CHECK(over.err.find("has 300 points") != std::string::npos);
  REQUIRE(csms.ctl({"carbon", "donate", "FAN", "--points", "100", "--to", "tree planting"}).code ==
          0);
  REQUIRE(csms.ctl({"carbon", "redeem", "FAN", "--points", "50", "--reason", "mug"}).code == 0);
  CHECK(csms.ctl_json({"carbon", "account", "FAN"})["points"].GetInt64() == 150);
  auto ok = csms.ctl({"carbon", "verify"});
  CHECK(ok.code == 0);

  // Someone edits a ledger row in the database behind the server's back.
  auto edit = run(
      {"/usr/bin/sqlite3", csms.db_path(), "UPDATE carbon_ledger SET points = 5000 WHERE seq = 2"});
  INFO(edit.err);
  REQUIRE(edit.code == 0);
  auto broken = csms.ctl({"carbon", "verify"});
  CHECK(broken.code != 0);
  CHECK(broken.err.find("ledger entry 2 is broken") != std::string::npos);
}

TEST_CASE("green certificates give sessions a market-based figure and count only once",
          "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  setup_site(csms);
  REQUIRE(csms.ctl({"station", "add", "RAW2"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-site", "RAW2", "HUB"}).code == 0);
  Station201 station(csms, "RAW2");
  const auto month = current_month();
  const std::string t0 = month + "-01T08:00:00Z", t1 = month + "-01T09:00:00Z";
  station.event("Started", 0, t0, 0, R"(,"idToken":{"idToken":"DRIVER","type":"ISO14443"})");
  station.event("Ended", 1, t1, 8000, "");
  auto before = carbon_record(csms, "TX-C");
  CHECK(before["greenShare"].IsNull());
  REQUIRE(csms.ctl({"site", "green-certificate", "HUB", "--month", month, "--kwh", "4", "--ids",
                    "GEC-A,GEC-B"})
              .code == 0);
  auto after = carbon_record(csms, "TX-C", 2);
  CHECK(after["greenShare"].GetDouble() == Approx(0.5));
  CHECK(after["reductionMarketKgCO2"].GetDouble() > after["reductionKgCO2"].GetDouble());
  auto again = csms.ctl(
      {"site", "green-certificate", "HUB", "--month", month, "--kwh", "1", "--ids", "GEC-B"});
  CHECK(again.code == 1);
  CHECK(again.err.find("GEC-B was already used") != std::string::npos);
  // Points follow the location-based reduction: still one earn.
  CHECK(csms.ctl_json({"carbon", "ledger", "DRIVER"}).Size() == 1);
}

TEST_CASE("parameters are added valid from now and never back-dated", "[e2e][carbon]") {
  TempDir dir;
  Csms csms(dir);
  auto grid = csms.ctl_json({"factor", "list", "--kind", "grid", "--region", "CN-East"});
  REQUIRE(grid.Size() == 1);
  CHECK(grid[0]["value"].GetDouble() == Approx(0.55));
  CHECK(grid[0]["vintage"].GetInt() == 2023);
  auto back = csms.ctl({"factor", "add", "--kind", "grid", "--region", "CN-East", "--value", "0.5",
                        "--valid-from", "2020-01-01T00:00:00Z", "--source", "test"});
  CHECK(back.code == 1);
  CHECK(back.err.find("never back-dated") != std::string::npos);
  auto added = csms.ctl_json({"factor", "add", "--kind", "grid", "--region", "CN-East", "--value",
                              "0.5", "--vintage", "2024", "--source", "MEE 2024 data"});
  CHECK_FALSE(str(added["validFrom"]).empty());
  CHECK(csms.ctl_json({"factor", "list", "--kind", "grid", "--region", "CN-East"}).Size() == 2);
  auto bad = csms.ctl({"factor", "add", "--kind", "charger-efficiency", "--variant", "DC",
                       "--value", "1.5", "--source", "x"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("ratio") != std::string::npos);
}
