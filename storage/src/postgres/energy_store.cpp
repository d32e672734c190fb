#include "postgres/energy_store.hpp"

#include <algorithm>

namespace storage::pg {

// Upserts replace every column, as SQLite's INSERT OR REPLACE does. Text is
// ordered COLLATE "C" (bytewise), as SQLite orders it.

namespace {

const std::string kSettingsColumns =
    "site_id, import_limit_w, margin_w, max_base_w, battery_priority_soc, "
    "battery_max_discharge_w, default_mode, period_s, reading_max_age_s, safe_current_a, "
    "lease_s, updated_at, smart_keep_minimum";

SiteEnergySettings read_settings(const Statement& st) {
  SiteEnergySettings s;
  s.site_id = st.text(0);
  s.import_limit_w = st.opt_real(1);
  s.margin_w = st.real(2);
  s.max_base_w = st.opt_real(3);
  s.battery_priority_soc = st.real(4);
  s.battery_max_discharge_w = st.real(5);
  s.default_mode = st.text(6);
  s.period_s = st.integer(7);
  s.reading_max_age_s = st.integer(8);
  s.safe_current_a = st.real(9);
  s.lease_s = st.integer(10);
  s.updated_at = st.time(11);
  s.smart_keep_minimum = st.boolean(12);
  return s;
}

}  // namespace

std::optional<SiteEnergySettings> PgEnergyStore::settings(const std::string& site_id) {
  static const std::string sql =
      "SELECT " + kSettingsColumns + " FROM site_energy WHERE site_id = $1";
  Statement st(db_, sql);
  st.bind_all(site_id);
  if (!st.step()) return std::nullopt;
  return read_settings(st);
}

std::vector<SiteEnergySettings> PgEnergyStore::all_settings() {
  static const std::string sql =
      "SELECT " + kSettingsColumns + " FROM site_energy ORDER BY site_id COLLATE \"C\"";
  Statement st(db_, sql);
  std::vector<SiteEnergySettings> out;
  while (st.step()) out.push_back(read_settings(st));
  return out;
}

void PgEnergyStore::put_settings(const SiteEnergySettings& s) {
  static const std::string sql =
      "INSERT INTO site_energy (" + kSettingsColumns +
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
      "ON CONFLICT (site_id) DO UPDATE SET import_limit_w = excluded.import_limit_w, "
      "margin_w = excluded.margin_w, max_base_w = excluded.max_base_w, "
      "battery_priority_soc = excluded.battery_priority_soc, "
      "battery_max_discharge_w = excluded.battery_max_discharge_w, "
      "default_mode = excluded.default_mode, period_s = excluded.period_s, "
      "reading_max_age_s = excluded.reading_max_age_s, safe_current_a = excluded.safe_current_a, "
      "lease_s = excluded.lease_s, updated_at = excluded.updated_at, "
      "smart_keep_minimum = excluded.smart_keep_minimum";
  Statement st(db_, sql);
  st.bind_all(s.site_id, s.import_limit_w, s.margin_w, s.max_base_w, s.battery_priority_soc,
              s.battery_max_discharge_w, s.default_mode, s.period_s, s.reading_max_age_s,
              s.safe_current_a, s.lease_s, s.updated_at, s.smart_keep_minimum);
  st.run();
}

std::vector<Circuit> PgEnergyStore::circuits(const std::string& site_id) {
  Statement st(db_,
               "SELECT site_id, id, parent, max_current_a, max_power_w FROM site_circuits "
               "WHERE site_id = $1 ORDER BY id COLLATE \"C\"");
  st.bind_all(site_id);
  std::vector<Circuit> out;
  while (st.step()) {
    Circuit c;
    c.site_id = st.text(0);
    c.id = st.text(1);
    c.parent = st.text(2);
    c.max_current_a = st.opt_real(3);
    c.max_power_w = st.opt_real(4);
    out.push_back(std::move(c));
  }
  return out;
}

void PgEnergyStore::put_circuit(const Circuit& c) {
  Statement st(db_,
               "INSERT INTO site_circuits (site_id, id, parent, max_current_a, max_power_w) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, id) DO UPDATE SET "
               "parent = excluded.parent, max_current_a = excluded.max_current_a, "
               "max_power_w = excluded.max_power_w");
  st.bind_all(c.site_id, c.id, c.parent, c.max_current_a, c.max_power_w);
  st.run();
}

bool PgEnergyStore::remove_circuit(const std::string& site_id, const std::string& id) {
  Statement st(db_, "DELETE FROM site_circuits WHERE site_id = $1 AND id = $2");
  st.bind_all(site_id, id);
  st.run();
  return st.changes() > 0;
}

std::vector<EvseEnergySettings> PgEnergyStore::evses(const std::string& station_id) {
  Statement st(db_,
               "SELECT station_id, evse_id, circuit, phases, rotation, min_current_a, "
               "max_current_a, priority, mode FROM evse_energy WHERE station_id = $1 "
               "ORDER BY evse_id");
  st.bind_all(station_id);
  std::vector<EvseEnergySettings> out;
  while (st.step()) {
    EvseEnergySettings e;
    e.station_id = st.text(0);
    e.evse_id = st.integer(1);
    e.circuit = st.text(2);
    e.phases = st.integer(3);
    e.rotation = st.text(4);
    e.min_current_a = st.real(5);
    e.max_current_a = st.real(6);
    e.priority = st.integer(7);
    e.mode = st.text(8);
    out.push_back(std::move(e));
  }
  return out;
}

void PgEnergyStore::put_evse(const EvseEnergySettings& e) {
  Statement st(db_,
               "INSERT INTO evse_energy (station_id, evse_id, circuit, phases, rotation, "
               "min_current_a, max_current_a, priority, mode) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
               "ON CONFLICT (station_id, evse_id) DO UPDATE SET circuit = excluded.circuit, "
               "phases = excluded.phases, rotation = excluded.rotation, "
               "min_current_a = excluded.min_current_a, max_current_a = excluded.max_current_a, "
               "priority = excluded.priority, mode = excluded.mode");
  st.bind_all(e.station_id, e.evse_id, e.circuit, e.phases, e.rotation, e.min_current_a,
              e.max_current_a, e.priority, e.mode);
  st.run();
}

std::vector<LimitWindow> PgEnergyStore::windows(const std::string& site_id) {
  Statement st(db_,
               "SELECT site_id, start_minute, end_minute, import_limit_w FROM "
               "site_limit_windows WHERE site_id = $1 ORDER BY start_minute");
  st.bind_all(site_id);
  std::vector<LimitWindow> out;
  while (st.step()) out.push_back({st.text(0), st.integer(1), st.integer(2), st.real(3)});
  return out;
}

void PgEnergyStore::put_windows(const std::string& site_id, const std::vector<LimitWindow>& w) {
  Statement clear(db_, "DELETE FROM site_limit_windows WHERE site_id = $1");
  clear.bind_all(site_id);
  clear.run();
  Statement st(db_,
               "INSERT INTO site_limit_windows (site_id, start_minute, end_minute, "
               "import_limit_w) VALUES ($1, $2, $3, $4)");
  for (const auto& x : w) {
    st.bind_all(site_id, x.start_minute, x.end_minute, x.import_limit_w);
    st.run();
    st.reset();
  }
}

std::vector<MeterSource> PgEnergyStore::meter_sources(const std::string& site_id) {
  Statement st(db_,
               "SELECT site_id, name, host, port, unit_id, role, poll_interval_s, max_age_s, "
               "circuit FROM site_meter_sources WHERE $1::text = '' OR site_id = $1 "
               "ORDER BY site_id COLLATE \"C\", name COLLATE \"C\"");
  st.bind_all(site_id);
  std::vector<MeterSource> out;
  while (st.step()) {
    MeterSource m;
    m.site_id = st.text(0);
    m.name = st.text(1);
    m.host = st.text(2);
    m.port = st.integer(3);
    m.unit_id = st.integer(4);
    m.role = st.text(5);
    m.poll_interval_s = st.integer(6);
    m.max_age_s = st.integer(7);
    m.circuit = st.text(8);
    out.push_back(std::move(m));
  }
  return out;
}

void PgEnergyStore::put_meter_source(const MeterSource& m) {
  Statement st(db_,
               "INSERT INTO site_meter_sources (site_id, name, host, port, unit_id, role, "
               "poll_interval_s, max_age_s, circuit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
               "ON CONFLICT (site_id, name) DO UPDATE SET host = excluded.host, "
               "port = excluded.port, unit_id = excluded.unit_id, role = excluded.role, "
               "poll_interval_s = excluded.poll_interval_s, max_age_s = excluded.max_age_s, "
               "circuit = excluded.circuit");
  st.bind_all(m.site_id, m.name, m.host, m.port, m.unit_id, m.role, m.poll_interval_s, m.max_age_s,
              m.circuit);
  st.run();
}

bool PgEnergyStore::remove_meter_source(const std::string& site_id, const std::string& name) {
  Statement st(db_, "DELETE FROM site_meter_sources WHERE site_id = $1 AND name = $2");
  st.bind_all(site_id, name);
  st.run();
  return st.changes() > 0;
}

std::vector<SiteReading> PgEnergyStore::readings(const std::string& site_id) {
  Statement st(db_,
               "SELECT site_id, source, time, grid_w, pv_w, battery_w, battery_soc, base_w, "
               "max_age_s, circuit, current_l1_a, current_l2_a, current_l3_a FROM site_readings "
               "WHERE site_id = $1 ORDER BY source COLLATE \"C\"");
  st.bind_all(site_id);
  std::vector<SiteReading> out;
  while (st.step()) {
    SiteReading r;
    r.site_id = st.text(0);
    r.source = st.text(1);
    r.time = st.time(2);
    r.grid_w = st.opt_real(3);
    r.pv_w = st.opt_real(4);
    r.battery_w = st.opt_real(5);
    r.battery_soc = st.opt_real(6);
    r.base_w = st.opt_real(7);
    r.max_age_s = st.integer(8);
    r.circuit = st.text(9);
    for (int p = 0; p < 3; ++p) r.current_a[p] = st.opt_real(10 + p);
    out.push_back(std::move(r));
  }
  return out;
}

void PgEnergyStore::put_reading(const SiteReading& r) {
  Statement st(db_,
               "INSERT INTO site_readings (site_id, source, time, grid_w, pv_w, battery_w, "
               "battery_soc, base_w, max_age_s, circuit, current_l1_a, current_l2_a, current_l3_a) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
               "ON CONFLICT (site_id, source) DO UPDATE SET time = excluded.time, "
               "grid_w = excluded.grid_w, pv_w = excluded.pv_w, battery_w = excluded.battery_w, "
               "battery_soc = excluded.battery_soc, base_w = excluded.base_w, "
               "max_age_s = excluded.max_age_s, circuit = excluded.circuit, "
               "current_l1_a = excluded.current_l1_a, current_l2_a = excluded.current_l2_a, "
               "current_l3_a = excluded.current_l3_a WHERE excluded.time >= site_readings.time");
  st.bind_all(r.site_id, r.source, r.time, r.grid_w, r.pv_w, r.battery_w, r.battery_soc, r.base_w,
              r.max_age_s, r.circuit, r.current_a[0], r.current_a[1], r.current_a[2]);
  st.run();
}

void PgEnergyStore::add_interval(const SiteInterval& i) {
  Statement st(db_,
               "INSERT INTO site_intervals AS t (site_id, start, grid_import_wh, grid_export_wh, "
               "pv_wh, battery_in_wh, battery_out_wh, charging_wh) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
               "ON CONFLICT (site_id, start) DO UPDATE SET "
               "grid_import_wh = t.grid_import_wh + excluded.grid_import_wh, "
               "grid_export_wh = t.grid_export_wh + excluded.grid_export_wh, "
               "pv_wh = t.pv_wh + excluded.pv_wh, "
               "battery_in_wh = t.battery_in_wh + excluded.battery_in_wh, "
               "battery_out_wh = t.battery_out_wh + excluded.battery_out_wh, "
               "charging_wh = t.charging_wh + excluded.charging_wh");
  st.bind_all(i.site_id, i.start, i.grid_import_wh, i.grid_export_wh, i.pv_wh, i.battery_in_wh,
              i.battery_out_wh, i.charging_wh);
  st.run();
}

std::vector<SiteInterval> PgEnergyStore::intervals(const std::string& site_id, const DateTime& from,
                                                   const DateTime& to) {
  Statement st(db_,
               "SELECT site_id, start, grid_import_wh, grid_export_wh, pv_wh, battery_in_wh, "
               "battery_out_wh, charging_wh FROM site_intervals WHERE site_id = $1 AND "
               "start >= $2 AND start < $3 ORDER BY start");
  st.bind_all(site_id, from, to);
  std::vector<SiteInterval> out;
  while (st.step()) {
    SiteInterval i;
    i.site_id = st.text(0);
    i.start = st.time(1);
    i.grid_import_wh = st.real(2);
    i.grid_export_wh = st.real(3);
    i.pv_wh = st.real(4);
    i.battery_in_wh = st.real(5);
    i.battery_out_wh = st.real(6);
    i.charging_wh = st.real(7);
    out.push_back(std::move(i));
  }
  return out;
}

std::int64_t PgEnergyStore::append_decision(const EnergyDecision& d) {
  Statement st(db_,
               "INSERT INTO energy_decisions (site_id, time, budget_w, binding, fail_safe, "
               "readings, evses) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
  st.bind_all(d.site_id, d.time, d.budget_w, d.binding, d.fail_safe, d.readings_json, d.evses_json);
  st.step();
  return st.int64(0);
}

std::vector<EnergyDecision> PgEnergyStore::decisions(const std::string& site_id,
                                                     std::size_t limit) {
  Statement st(db_,
               "SELECT id, site_id, time, budget_w, binding, fail_safe, readings, evses FROM "
               "energy_decisions WHERE site_id = $1 ORDER BY id DESC LIMIT $2");
  st.bind_all(site_id, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000000)));
  std::vector<EnergyDecision> out;
  while (st.step()) {
    EnergyDecision d;
    d.id = st.int64(0);
    d.site_id = st.text(1);
    d.time = st.time(2);
    d.budget_w = st.real(3);
    d.binding = st.text(4);
    d.fail_safe = st.boolean(5);
    d.readings_json = st.text(6);
    d.evses_json = st.text(7);
    out.push_back(std::move(d));
  }
  return out;
}

std::size_t PgEnergyStore::prune_decisions(const DateTime& before) {
  Statement st(db_, "DELETE FROM energy_decisions WHERE time < $1");
  st.bind_all(before);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::pg
