// The carbon method, the ledger's rules and carbon records over a real SQLite
// database (docs/carbon.md).
#include <catch2/catch.hpp>

#include <cmath>

#include "carbon/calendar.hpp"
#include "carbon/ledger.hpp"
#include "carbon/method.hpp"
#include "carbon/records.hpp"
#include "carbon/report.hpp"
#include "ocpp/ocmf.hpp"
#include "storage/database.hpp"
#include "support/temp_dir.hpp"
#include "unit/storage/support.hpp"

using namespace csms::carbon;
using storage::DateTime;

namespace {

DateTime at(const char* text) {
  return *DateTime::parse(text);
}

MethodParameters defaults_dc_east() {
  MethodParameters p;
  p.fuel_l_per_100km = 7.04;
  p.ev_kwh_per_100km = 15;
  p.fuel_kg_per_l = 2.37;
  p.charger_efficiency = 0.923;
  p.grid_kg_per_kwh = 0.5500;
  p.points_rate_g = 1;
  return p;
}

/// A database with a station at a site, for record tests.
struct Db {
  test_support::TempDir dir;
  std::unique_ptr<storage::Database> db;
  Db() {
    // SQLite, or PostgreSQL under the csms-pg/ tests' fixture.
    db = storage_test::open(dir.file("csms.db"));
  }
  template <class F>
  void write(F f) {
    storage::write_and_wait(*db, [&](storage::Session& s) { f(s); });
  }
};

std::int64_t add_stopped_tx(storage::Session& s, const std::string& station, const std::string& tag,
                            std::int64_t start_wh, std::int64_t stop_wh, const DateTime& start,
                            const DateTime& stop) {
  storage::Transaction tx;
  tx.station_id = station;
  tx.id_tag = tag;
  tx.start_time = start;
  tx.meter_start = start_wh;
  tx.id = s.transactions.insert(tx);
  tx.stop_time = stop;
  tx.meter_stop = stop_wh;
  tx.energy_wh = static_cast<double>(std::max<std::int64_t>(0, stop_wh - start_wh));
  tx.meter_anomaly = stop_wh < start_wh;
  s.transactions.update(tx);
  return tx.id;
}

void add_site(storage::Session& s, const std::string& id, const std::string& region,
              const std::string& station, const std::string& current) {
  storage::Site site;
  site.id = id;
  site.name = id;
  site.region = region;
  site.created_at = DateTime::now();
  s.sites.put(site);
  storage::StationCarbonSettings st;
  st.station_id = station;
  st.site_id = id;
  st.current_type = current;
  s.sites.put_station(st);
}

}  // namespace

TEST_CASE("carbon method: the worked example of the shared note gives 5164 points", "[carbon]") {
  MethodInputs in;
  in.energy_delivered_wh = 10000;
  auto r = apply_method(in, defaults_dc_east());
  CHECK(r.baseline_kg == Approx(10 * (7.04 / 15) * 2.37));
  CHECK(r.baseline_kg == Approx(11.123).margin(0.001));
  CHECK(r.energy_consumed_wh == Approx(10000 / 0.923));
  CHECK(r.project_kg == Approx(5.959).margin(0.001));
  CHECK(r.reduction_kg == Approx(5.164).margin(0.001));
  CHECK(r.reduction_grams == 5164);
  CHECK(r.points == 5164);
  CHECK_FALSE(r.green_share.has_value());
  CHECK_FALSE(r.reduction_market_kg.has_value());
}

TEST_CASE("carbon method: green kWh lower the market-based project emissions only", "[carbon]") {
  MethodInputs in;
  in.energy_delivered_wh = 10000;
  in.green_kwh = 10.0 / 0.923 / 2;  // kWh: half the consumption
  auto r = apply_method(in, defaults_dc_east());
  REQUIRE(r.green_share);
  CHECK(*r.green_share == Approx(0.5));
  CHECK(*r.project_market_kg == Approx(r.project_kg / 2));
  CHECK(*r.reduction_market_kg == Approx(r.baseline_kg - r.project_kg / 2));
  CHECK(r.points == 5164);  // points follow the location-based reduction
  in.green_kwh = 1e9;       // more certificates than consumption: capped at 1
  CHECK(*apply_method(in, defaults_dc_east()).green_share == Approx(1.0));
}

TEST_CASE(
    "carbon method: no energy means no reduction and a grid dirtier than fuel is 0 not negative",
    "[carbon]") {
  MethodInputs in;
  auto r = apply_method(in, defaults_dc_east());
  CHECK(r.reduction_kg == 0);
  CHECK(r.points == 0);
  auto dirty = defaults_dc_east();
  dirty.grid_kg_per_kwh = 5.0;
  in.energy_delivered_wh = 1000;
  r = apply_method(in, dirty);
  CHECK(r.project_kg > r.baseline_kg);
  CHECK(r.reduction_kg == 0);
  auto bad = defaults_dc_east();
  bad.charger_efficiency = 0;
  CHECK_THROWS_AS(apply_method(in, bad), std::invalid_argument);
}

TEST_CASE("carbon calendar: months, days and adding months in UTC", "[carbon]") {
  CHECK(month_of(at("2026-12-31T23:59:59Z")) == "2026-12");
  CHECK(day_of(at("2026-02-28T10:00:00Z")) == "2026-02-28");
  auto range = month_range("2026-12");
  REQUIRE(range);
  CHECK(range->first == at("2026-12-01T00:00:00Z"));
  CHECK(range->second == at("2027-01-01T00:00:00Z"));
  CHECK_FALSE(month_range("2026-13"));
  CHECK_FALSE(month_range("26-12"));
  CHECK(add_months(at("2026-01-31T08:00:00Z"), 1) == at("2026-02-28T08:00:00Z"));
  CHECK(add_months(at("2026-11-15T00:00:00Z"), 3) == at("2027-02-15T00:00:00Z"));
}

TEST_CASE("carbon ledger: the hash chain verifies and names the first modified entry", "[carbon]") {
  std::vector<storage::LedgerEntry> chain;
  std::string prev = kGenesisHash;
  for (int i = 1; i <= 3; ++i) {
    storage::LedgerEntry e;
    e.seq = i;
    e.account = "TAG";
    e.type = "earn";
    e.grams = 100 * i;
    e.points = 100 * i;
    e.ref = "record:" + std::to_string(i);
    e.time = at("2026-12-01T00:00:00Z");
    e.prev_hash = prev;
    e.hash = entry_hash(e);
    prev = e.hash;
    chain.push_back(e);
  }
  CHECK(verify_chain(chain).ok);
  CHECK(verify_chain(chain).entries == 3);
  CHECK(balance_of(chain).points == 600);
  auto tampered = chain;
  tampered[1].points = 99999;
  auto check = verify_chain(tampered);
  CHECK_FALSE(check.ok);
  CHECK(check.first_broken_seq == 2);
  CHECK(check.problem.find("modified") != std::string::npos);
  auto removed = chain;
  removed.erase(removed.begin() + 1);
  CHECK(verify_chain(removed).first_broken_seq == 3);
}

TEST_CASE("carbon ledger: expiry takes what is left of the oldest lots first", "[carbon]") {
  auto entry = [](std::int64_t seq, const char* type, std::int64_t points, const char* time,
                  std::string ref = "") {
    storage::LedgerEntry e;
    e.seq = seq;
    e.account = "A";
    e.type = type;
    e.points = points;
    e.grams = points;
    e.time = at(time);
    e.ref = std::move(ref);
    return e;
  };
  std::vector<storage::LedgerEntry> entries = {
      entry(1, "earn", 100, "2026-01-10T00:00:00Z"), entry(2, "earn", 50, "2026-03-10T00:00:00Z"),
      entry(3, "redeem", -120, "2026-04-01T00:00:00Z"),  // 100 from lot 1, 20 from lot 2
  };
  auto due = due_expiries(entries, 6, at("2026-09-15T00:00:00Z"), 1.0);
  REQUIRE(due.size() == 1);
  CHECK(due[0].points == -30);
  CHECK(due[0].ref == "entry:2");
  CHECK(due[0].type == "expire");
  CHECK(due_expiries(entries, 6, at("2026-09-01T00:00:00Z"), 1.0).empty());
  CHECK(due_expiries(entries, 0, at("2030-01-01T00:00:00Z"), 1.0).empty());
}

TEST_CASE("carbon records: a register session at a site applies the regional factors in force",
          "[carbon]") {
  Db d;
  std::int64_t tx = 0;
  d.write([&](storage::Session& s) {
    add_site(s, "HUB", "CN-East", "CP1", "DC");
    tx = add_stopped_tx(s, "CP1", "DRIVER", 1000, 11000, at("2026-12-01T10:00:00Z"),
                        at("2026-12-01T11:00:00Z"));
    auto id = record_transaction(s, tx, Settings{}, at("2026-12-01T11:00:01Z"));
    REQUIRE(id);
    auto r = s.carbon.record(*id);
    REQUIRE(r);
    CHECK(r->provenance == "register");
    CHECK(r->energy_delivered_wh == 10000);
    CHECK(r->current_type == "DC");
    CHECK(r->region == "CN-East");
    CHECK(r->reduction_kg == Approx(5.164).margin(0.001));
    bool grid = false;
    for (const auto& p : r->parameters) {
      if (p.kind == "grid") {
        grid = true;
        CHECK(p.value == Approx(0.55));
        CHECK(p.region == "CN-East");
      }
    }
    CHECK(grid);
    CHECK(r->parameters.size() == 6);
    // Recomputing unchanged data appends nothing.
    CHECK_FALSE(record_transaction(s, tx, Settings{}, at("2026-12-01T11:05:00Z")));
    auto entries = s.carbon.entries("DRIVER", std::nullopt, std::nullopt);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].type == "earn");
    CHECK(entries[0].points == 5164);
    CHECK(entries[0].ref == "record:" + std::to_string(*id));
  });
}

TEST_CASE("carbon records: a changed session supersedes its record with a reversal and a new earn",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    add_site(s, "HUB", "CN-East", "CP1", "AC");
    auto tx = add_stopped_tx(s, "CP1", "DRIVER", 0, 10000, at("2026-12-01T10:00:00Z"),
                             at("2026-12-01T12:00:00Z"));
    auto first = record_transaction(s, tx, Settings{}, at("2026-12-01T12:00:01Z"));
    REQUIRE(first);
    auto t = *s.transactions.get(tx);
    t.energy_wh = 12000;  // a corrected stop value
    t.meter_stop = 12000;
    s.transactions.update(t);
    auto second = record_transaction(s, tx, Settings{}, at("2026-12-01T13:00:00Z"));
    REQUIRE(second);
    auto old = s.carbon.record(*first);
    CHECK(old->superseded_by == second);
    CHECK(s.carbon.current_record(tx)->id == *second);
    CHECK(s.carbon.record(*second)->supersedes == first);
    auto entries = s.carbon.entries("DRIVER", std::nullopt, std::nullopt);
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].type == "reverse");
    CHECK(entries[1].points == -entries[0].points);
    CHECK(entries[1].ref == "entry:" + std::to_string(entries[0].seq));
    CHECK(entries[2].type == "earn");
    CHECK(balance_of(entries).points == entries[2].points);
    CHECK(verify_chain(s.carbon.entries("", std::nullopt, std::nullopt)).ok);
  });
}

TEST_CASE("carbon records: backwards, empty and implausible sessions are kept and earn nothing",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    auto backwards = add_stopped_tx(s, "CP1", "T1", 5000, 4000, at("2026-12-01T10:00:00Z"),
                                    at("2026-12-01T11:00:00Z"));
    auto empty = add_stopped_tx(s, "CP1", "T1", 5000, 5000, at("2026-12-01T12:00:00Z"),
                                at("2026-12-01T13:00:00Z"));
    // 100 MWh in one minute: a register jump, not a charge.
    auto jump = add_stopped_tx(s, "CP1", "T1", 0, 100000000, at("2026-12-01T14:00:00Z"),
                               at("2026-12-01T14:01:00Z"));
    for (auto tx : {backwards, empty, jump}) {
      auto id = record_transaction(s, tx, Settings{}, DateTime::now());
      REQUIRE(id);
      auto r = s.carbon.record(*id);
      CHECK_FALSE(r->excluded.empty());
      CHECK(r->energy_delivered_wh >= 0);
    }
    CHECK(s.carbon.current_record(backwards)->flags.at(0) == "register-backwards");
    CHECK(s.carbon.current_record(jump)->flags.back() == "implausible-energy");
    CHECK(s.carbon.entries("T1", std::nullopt, std::nullopt).empty());
  });
}

TEST_CASE("carbon records: a national factor applies without a site and caps limit points",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    auto tx = add_stopped_tx(s, "LONE", "T2", 0, 20000, at("2026-12-02T10:00:00Z"),
                             at("2026-12-02T12:00:00Z"));
    Settings capped;
    capped.cap_points_per_session = 1000;
    auto id = record_transaction(s, tx, capped, DateTime::now());
    REQUIRE(id);
    auto r = s.carbon.record(*id);
    CHECK(r->region.empty());
    for (const auto& p : r->parameters)
      if (p.kind == "grid") CHECK(p.value == Approx(0.5306));
    auto entries = s.carbon.entries("T2", std::nullopt, std::nullopt);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].points == 1000);
    CHECK(entries[0].reason.find("capped") != std::string::npos);
  });
}

TEST_CASE("carbon records: a newer factor applies only to sessions ending after its start",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    storage::CarbonParameter p;
    p.kind = "grid";
    p.variant = "mee-nbs";
    p.value = 0.5;
    p.unit = "kgCO2/kWh";
    p.region = "CN-East";
    p.valid_from = at("2026-12-15T00:00:00Z");
    p.source = "test";
    p.created_at = at("2026-12-10T00:00:00Z");
    const auto newer = s.carbon.add_parameter(p);
    auto before = s.carbon.parameter_at("grid", "mee-nbs", "CN-East", at("2026-12-14T00:00:00Z"));
    auto after = s.carbon.parameter_at("grid", "mee-nbs", "CN-East", at("2026-12-16T00:00:00Z"));
    REQUIRE(before);
    REQUIRE(after);
    CHECK(before->value == Approx(0.55));
    CHECK(after->id == newer);
    // A region without its own value falls back to the national one.
    CHECK(
        s.carbon.parameter_at("grid", "mee-nbs", "XX-Nowhere", at("2026-12-16T00:00:00Z"))->value ==
        Approx(0.5306));
    CHECK(s.carbon.parameter_at("grid", "ets", "", at("2026-12-16T00:00:00Z"))->value ==
          Approx(0.5703));
  });
}

TEST_CASE("carbon records: green certificates count once and give sessions a green share",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    add_site(s, "HUB", "CN-East", "CP1", "AC");
    auto a = add_stopped_tx(s, "CP1", "T3", 0, 10000, at("2026-11-03T10:00:00Z"),
                            at("2026-11-03T12:00:00Z"));
    auto b = add_stopped_tx(s, "CP1", "T3", 0, 10000, at("2026-11-04T10:00:00Z"),
                            at("2026-11-04T12:00:00Z"));
    for (auto tx : {a, b}) record_transaction(s, tx, Settings{}, DateTime::now());
    CHECK_FALSE(s.carbon.current_record(a)->green_share);
    storage::GreenCertificateBatch batch;
    batch.site_id = "HUB";
    batch.month = "2026-11";
    batch.kwh = 15;
    batch.certificate_ids = {"GEC-1", "GEC-2"};
    record_certificates(s, batch, Settings{}, DateTime::now());
    auto ra = s.carbon.current_record(a);
    auto rb = s.carbon.current_record(b);
    CHECK(*ra->green_share == Approx(1.0));  // the earlier session is covered first
    CHECK(*rb->green_share == Approx(0.5));
    CHECK(ra->certificate_kwh + rb->certificate_kwh == Approx(15));
    CHECK(*ra->reduction_market_kg == Approx(ra->baseline_kg));
    // Points follow the location-based figure: unchanged, so no ledger churn.
    CHECK(s.carbon.entries("T3", std::nullopt, std::nullopt).size() == 2);
    // A later correction reverses the earn the superseded records stood on.
    auto t = *s.transactions.get(a);
    t.energy_wh = 5000;
    s.transactions.update(t);
    REQUIRE(record_transaction(s, a, Settings{}, DateTime::now()));
    auto entries = s.carbon.entries("T3", std::nullopt, std::nullopt);
    REQUIRE(entries.size() == 4);
    CHECK(entries[2].type == "reverse");
    CHECK(entries[2].ref == "entry:" + std::to_string(entries[0].seq));
    batch.certificate_ids = {"GEC-3", "GEC-2"};
    CHECK_THROWS_WITH(record_certificates(s, batch, Settings{}, DateTime::now()),
                      Catch::Contains("GEC-2 was already used"));
    auto report = build_report(s, "HUB", "", "2026-11");
    CHECK(report.rows.size() == 2);
    CHECK(report.totals.certificate_kwh == Approx(15));
    CHECK(report.certificate_kwh_recorded == Approx(15));
  });
}

TEST_CASE("carbon records: signed meter data gives signed provenance and a tampered one is flagged",
          "[carbon]") {
  Db d;
  const auto keys = ocpp::ocmf::generate_key_pair();
  auto signed_sample = [&](std::int64_t tx, const char* time, char type, double wh, int page) {
    storage::MeterSample m;
    m.station_id = "SIGNED";
    m.transaction_id = tx;
    m.timestamp = at(time);
    m.format = "SignedData";
    m.context = type == 'B' ? "Transaction.Begin" : "Transaction.End";
    m.value = ocpp::ocmf::sign(ocpp::ocmf::reading_payload("MTR-1", page, "T4", time, type, wh),
                               keys.private_key_pem);
    m.signed_data = m.value;
    return m;
  };
  d.write([&](storage::Session& s) {
    auto tx = add_stopped_tx(s, "SIGNED", "T4", 0, 9000, at("2026-12-03T10:00:00Z"),
                             at("2026-12-03T11:00:00Z"));
    s.meters.insert({signed_sample(tx, "2026-12-03T10:00:00Z", 'B', 1000, 1),
                     signed_sample(tx, "2026-12-03T11:00:00Z", 'E', 8500, 2)});
    storage::StationCarbonSettings st;
    st.station_id = "SIGNED";
    st.meter_public_key = keys.public_key_hex;
    s.sites.put_station(st);
    auto id = record_transaction(s, tx, Settings{}, DateTime::now());
    REQUIRE(id);
    auto r = s.carbon.record(*id);
    CHECK(r->provenance == "signed");
    CHECK(r->energy_delivered_wh == Approx(7500));  // the signed readings, not the register
    // The wrong key: the signed data is kept and flagged, the register counts.
    st.meter_public_key = ocpp::ocmf::generate_key_pair().public_key_hex;
    s.sites.put_station(st);
    auto again = record_transaction(s, tx, Settings{}, DateTime::now());
    REQUIRE(again);
    r = s.carbon.record(*again);
    CHECK(r->provenance == "register");
    CHECK(r->energy_delivered_wh == 9000);
    REQUIRE_FALSE(r->flags.empty());
    CHECK(r->flags[0].rfind("signed-data-invalid", 0) == 0);
    CHECK(s.meters.signed_for_transaction(tx).size() == 2);
  });
}

TEST_CASE("carbon ledger: redeeming beyond the balance is refused with the balance named",
          "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    spend_or_adjust(s, "A", "adjust", 500, "", "welcome bonus", DateTime::now());
    CHECK_THROWS_WITH(spend_or_adjust(s, "A", "redeem", 501, "", "coffee", DateTime::now()),
                      Catch::Contains("has 500 points"));
    auto e = spend_or_adjust(s, "A", "donate", 200, "donated to forest", "", DateTime::now());
    CHECK(e.points == -200);
    CHECK(e.seq == 2);
    CHECK(balance_of(s.carbon.entries("A", std::nullopt, std::nullopt)).points == 300);
    CHECK_THROWS_AS(spend_or_adjust(s, "A", "redeem", -5, "", "x", DateTime::now()), LedgerRefused);
  });
}

TEST_CASE(
    "carbon records: a session stays with its first account and a refused token earns nothing",
    "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    auto tx = add_stopped_tx(s, "CP1", "CARD", 0, 10000, at("2026-12-05T10:00:00Z"),
                             at("2026-12-05T11:00:00Z"));
    REQUIRE(record_transaction(s, tx, Settings{}, DateTime::now()));
    s.carbon.link_account("CARD", "FAMILY");
    CHECK(account_of(s, "CARD") == "FAMILY");
    auto t = *s.transactions.get(tx);
    t.energy_wh = 11000;
    s.transactions.update(t);
    auto again = record_transaction(s, tx, Settings{}, DateTime::now());
    REQUIRE(again);
    CHECK(s.carbon.record(*again)->account == "CARD");
    CHECK(balance_of(s.carbon.entries("FAMILY", std::nullopt, std::nullopt)).entries == 0);
    CHECK(balance_of(s.carbon.entries("CARD", std::nullopt, std::nullopt)).entries == 3);

    storage::Transaction refused;
    refused.station_id = "CP1";
    refused.id_tag = "STOLEN";
    refused.start_time = at("2026-12-05T12:00:00Z");
    refused.auth_rejected = true;
    refused.id = s.transactions.insert(refused);
    refused.stop_time = at("2026-12-05T13:00:00Z");
    refused.energy_wh = 10000;
    s.transactions.update(refused);
    auto id = record_transaction(s, refused.id, Settings{}, DateTime::now());
    REQUIRE(id);
    auto r = s.carbon.record(*id);
    CHECK(r->excluded.empty());  // the CO2 avoided is real and reported
    CHECK(r->reduction_kg > 0);
    CHECK(r->flags.back() == "token-not-accepted");
    CHECK(s.carbon.entries("STOLEN", std::nullopt, std::nullopt).empty());
  });
}

TEST_CASE(
    "carbon records: the site's PV self-consumption in 15-minute intervals gives a green share",
    "[carbon]") {
  Db d;
  d.write([&](storage::Session& s) {
    add_site(s, "HUB", "CN-East", "CP1", "AC");
    // 10:00-10:15: PV covers half the site's consumption; 10:15-10:30: none.
    storage::SiteInterval sunny;
    sunny.site_id = "HUB";
    sunny.start = at("2026-12-06T10:00:00Z");
    sunny.grid_import_wh = 5000;
    sunny.pv_wh = 6000;
    sunny.grid_export_wh = 1000;  // 5 kWh self-consumed of 10 kWh consumed
    s.energy.add_interval(sunny);
    storage::SiteInterval dark = sunny;
    dark.start = at("2026-12-06T10:15:00Z");
    dark.pv_wh = 0;
    dark.grid_export_wh = 0;
    s.energy.add_interval(dark);
    auto tx = add_stopped_tx(s, "CP1", "SUN", 0, 10000, at("2026-12-06T10:00:00Z"),
                             at("2026-12-06T10:30:00Z"));
    auto id = record_transaction(s, tx, Settings{}, DateTime::now());
    REQUIRE(id);
    auto r = s.carbon.record(*id);
    // Half the session in each interval: 5 kWh x 0.5 + 5 kWh x 0.
    CHECK(r->pv_kwh == Approx(2.5));
    CHECK(r->certificate_kwh == 0);
    REQUIRE(r->green_share);
    CHECK(*r->green_share == Approx(0.25));
    CHECK(*r->project_market_kg == Approx(r->project_kg * 0.75));
    auto report = build_report(s, "HUB", "", "2026-12");
    REQUIRE(report.site_energy);
    CHECK(report.site_energy->pv_wh == Approx(6000));
    CHECK(report.totals.pv_kwh == Approx(2.5));
  });
}
