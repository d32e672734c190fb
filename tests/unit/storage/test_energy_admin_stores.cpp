// The EnergyStore, AdminStore and the carbon stores directly (the services'
// tests reach them only on SQLite or through the carbon method): upserts,
// append-only logs and case-insensitive links read back the same on both backends.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;

TEST_CASE("energy settings, circuits, EVSEs, windows and meter sources are replaced by key",
          "[energy]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    storage::SiteEnergySettings se;
    se.site_id = "S1";
    se.smart_keep_minimum = true;
    se.updated_at = at(1);
    s.energy.put_settings(se);
    se.margin_w = 5;
    s.energy.put_settings(se);
    s.energy.put_circuit({"S1", "c1", "", 32.0, std::nullopt});
    s.energy.put_circuit({"S1", "c1", "", 40.0, std::nullopt});
    s.energy.put_circuit({"S1", "c2", "c1", std::nullopt, 7000.0});
    storage::EvseEnergySettings e;
    e.station_id = "CP1";
    s.energy.put_evse(e);
    e.priority = 2;
    s.energy.put_evse(e);
    s.energy.put_windows("S1", {{"S1", 0, 60, 1000}, {"S1", 120, 180, 2000}});
    s.energy.put_windows("S1", {{"S1", 0, 60, 1500}});
    storage::MeterSource m;
    m.site_id = "S1";
    m.name = "grid";
    m.host = "10.0.0.1";
    m.role = "grid";
    s.energy.put_meter_source(m);
    m.port = 1502;
    s.energy.put_meter_source(m);
  });
  read_sync(*db, [](Session& s) {
    auto se = s.energy.settings("S1");
    REQUIRE(se);
    CHECK(se->margin_w == 5);
    CHECK(se->smart_keep_minimum);
    CHECK_FALSE(se->import_limit_w);
    CHECK(s.energy.all_settings().size() == 1);
    auto circuits = s.energy.circuits("S1");
    REQUIRE(circuits.size() == 2);
    CHECK(circuits[0].max_current_a == 40.0);
    CHECK(circuits[1].max_power_w == 7000.0);
    auto evses = s.energy.evses("CP1");
    REQUIRE(evses.size() == 1);
    CHECK(evses[0].priority == 2);
    auto windows = s.energy.windows("S1");
    REQUIRE(windows.size() == 1);
    CHECK(windows[0].import_limit_w == 1500);
    CHECK(s.energy.meter_sources("").size() == 1);
    CHECK(s.energy.meter_sources("S2").empty());
    REQUIRE(s.energy.meter_sources("S1").size() == 1);
    CHECK(s.energy.meter_sources("S1")[0].port == 1502);
  });
  auto removed = write_sync(*db, [](Session& s) {
    const bool circuit = s.energy.remove_circuit("S1", "c1");
    return std::make_pair(circuit, s.energy.remove_meter_source("S1", "nope"));
  });
  CHECK(removed.first);
  CHECK_FALSE(removed.second);
}

TEST_CASE("a site reading keeps the newest per source and intervals add up", "[energy]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    storage::SiteReading r;
    r.site_id = "S1";
    r.time = at(10);
    r.grid_w = 100;
    r.current_a[1] = 7;
    s.energy.put_reading(r);
    r.time = at(5);  // older: ignored
    r.grid_w = 50;
    s.energy.put_reading(r);
    storage::SiteInterval i;
    i.site_id = "S1";
    i.start = at(0);
    i.pv_wh = 1.5;
    s.energy.add_interval(i);
    s.energy.add_interval(i);
    storage::EnergyDecision d;
    d.site_id = "S1";
    d.time = at(1);
    d.binding = "site";
    d.fail_safe = true;
    d.readings_json = "{}";
    d.evses_json = "[]";
    s.energy.append_decision(d);
    d.time = at(3);
    s.energy.append_decision(d);
  });
  read_sync(*db, [](Session& s) {
    auto readings = s.energy.readings("S1");
    REQUIRE(readings.size() == 1);
    CHECK(readings[0].grid_w == 100.0);
    CHECK(readings[0].time == at(10));
    CHECK_FALSE(readings[0].current_a[0]);
    CHECK(readings[0].current_a[1] == 7.0);
    auto intervals = s.energy.intervals("S1", at(0), at(1));
    REQUIRE(intervals.size() == 1);
    CHECK(intervals[0].pv_wh == 3.0);
    auto decisions = s.energy.decisions("S1", 10);
    REQUIRE(decisions.size() == 2);
    CHECK(decisions[0].time == at(3));  // newest first
    CHECK(decisions[0].fail_safe);
  });
  CHECK(write_sync(*db, [](Session& s) { return s.energy.prune_decisions(at(2)); }) == 1);
}

TEST_CASE("an admin token name is taken once and revoked once, the audit log is appended",
          "[admin]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto added = write_sync(*db, [](Session& s) {
    storage::ApiToken t;
    t.name = "ops";
    t.role = "operator";
    t.hash = "aa";
    t.created_at = at(1);
    t.created_by = "admin";
    const bool first = s.admin.add_token(t);
    const bool same_name = s.admin.add_token(t);
    t.name = "other";  // the same hash
    const bool same_hash = s.admin.add_token(t);
    return std::make_tuple(first, same_name, same_hash);
  });
  CHECK(std::get<0>(added));
  CHECK_FALSE(std::get<1>(added));
  CHECK_FALSE(std::get<2>(added));
  auto revoked = write_sync(*db, [](Session& s) {
    const bool first = s.admin.revoke_token("ops", at(2));
    return std::make_pair(first, s.admin.revoke_token("ops", at(3)));
  });
  CHECK(revoked.first);
  CHECK_FALSE(revoked.second);
  auto tokens = read_sync(*db, [](Session& s) { return s.admin.tokens(); });
  REQUIRE(tokens.size() == 1);
  CHECK(tokens[0].revoked_at == at(2));

  write_sync(*db, [](Session& s) {
    for (int i = 0; i < 3; ++i) {
      storage::AuditEntry e;
      e.at = at(10 + i);
      e.method = "POST";
      e.path = "/api/tokens";
      e.http_status = 201;
      s.admin.append_audit(e);
    }
  });
  read_sync(*db, [](Session& s) {
    auto all = s.admin.audit(static_cast<std::size_t>(-1), std::nullopt);
    REQUIRE(all.size() == 3);
    CHECK(all[0].at == at(12));  // newest first
    CHECK(all[0].http_status == 201);
    CHECK(s.admin.audit(2, std::nullopt).size() == 2);
    CHECK(s.admin.audit(10, at(11)).size() == 2);
  });
}

TEST_CASE("carbon links are case-insensitive and the ledger and records read back as appended",
          "[carbon]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.carbon.link_account("TaG1", "first");
    s.carbon.link_account("tag1", "second");
    storage::LedgerEntry e;
    e.seq = 1;
    e.account = "acc";
    e.type = "earn";
    e.grams = 5;
    e.time = at(3);
    e.prev_hash = "0";
    e.hash = "h1";
    s.carbon.append_entry(e);
    storage::CarbonRecord r;
    r.transaction_id = 9;
    r.station_id = "CP1";
    r.session_start = at(0);
    r.session_end = at(10);
    r.computed_at = at(11);
    r.method_version = "v1";
    r.provenance = "register";
    r.current_type = "AC";
    r.flags = {"a", "b"};
    r.green_share = 0.5;
    r.parameters = {storage::AppliedParameter{3, "grid", "mee-nbs", 0.5, "kgCO2/kWh", "", "src"}};
    const auto first = s.carbon.add_record(r);
    r.supersedes = first;
    s.carbon.add_record(r);
  });
  read_sync(*db, [](Session& s) {
    CHECK(s.carbon.linked_account("TAG1") == std::optional<std::string>("second"));
    CHECK(s.carbon.accounts() == std::vector<std::string>{"acc"});
    CHECK(s.carbon.entries("acc", at(3), at(4)).size() == 1);
    CHECK(s.carbon.entries("", at(4), std::nullopt).empty());
    auto all = s.carbon.records_of(9);
    REQUIRE(all.size() == 2);
    CHECK(all[0].superseded_by == all[1].id);
    CHECK(all[0].flags == std::vector<std::string>{"a", "b"});
    REQUIRE(all[1].parameters.size() == 1);
    CHECK(all[1].parameters[0].value == 0.5);
    CHECK(s.carbon.current_record(9)->id == all[1].id);
    storage::CarbonRecordFilter f;
    CHECK(s.carbon.records(f).size() == 1);
    f.current_only = false;
    f.from = at(5);
    f.to = at(20);
    CHECK(s.carbon.records(f).size() == 2);
    // The shipped parameter registry: a regional factor wins where in force.
    auto grid = s.carbon.parameter_at("grid", "mee-nbs", "CN-East",
                                      storage::DateTime::from_unix_micros(1767225600000000));
    REQUIRE(grid);
    CHECK(grid->region == "CN-East");
    auto before = s.carbon.parameter_at("grid", "mee-nbs", "CN-East", at(0));
    REQUIRE(before);
    CHECK(before->region.empty());
  });
}
