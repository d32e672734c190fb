#pragma once
// The site energy store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include <algorithm>

#include "common/stores.hpp"

namespace storage::common {

namespace {

const std::string kSettingsColumns =
    "site_id, import_limit_w, margin_w, max_base_w, battery_priority_soc, "
    "battery_max_discharge_w, default_mode, period_s, reading_max_age_s, safe_current_a, "
    "lease_s, updated_at, smart_keep_minimum";

template <class Statement>
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

template <class D>
std::optional<SiteEnergySettings> EnergyStoreT<D>::settings(const std::string& site_id) {
  static const std::string sql =
      "SELECT " + kSettingsColumns + " FROM site_energy WHERE site_id = ?";
  Statement st(db_, sql);
  st.bind_all(site_id);
  if (!st.step()) return std::nullopt;
  return read_settings(st);
}

template <class D>
std::vector<SiteEnergySettings> EnergyStoreT<D>::all_settings() {
  static const std::string sql =
      "SELECT " + kSettingsColumns + " FROM site_energy ORDER BY site_id" + D::kCollateC;
  Statement st(db_, sql);
  std::vector<SiteEnergySettings> out;
  while (st.step()) out.push_back(read_settings(st));
  return out;
}

template <class D>
void EnergyStoreT<D>::put_settings(const SiteEnergySettings& s) {
  static const std::string sql = D::replace_into("site_energy", kSettingsColumns, "site_id");
  Statement st(db_, sql);
  st.bind_all(s.site_id, s.import_limit_w, s.margin_w, s.max_base_w, s.battery_priority_soc,
              s.battery_max_discharge_w, s.default_mode, s.period_s, s.reading_max_age_s,
              s.safe_current_a, s.lease_s, s.updated_at, s.smart_keep_minimum);
  st.run();
}

template <class D>
std::vector<Circuit> EnergyStoreT<D>::circuits(const std::string& site_id) {
  static const std::string sql =
      std::string(
          "SELECT site_id, id, parent, max_current_a, max_power_w FROM site_circuits "
          "WHERE site_id = ? ORDER BY id") +
      D::kCollateC;
  Statement st(db_, sql);
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

template <class D>
void EnergyStoreT<D>::put_circuit(const Circuit& c) {
  static const std::string sql = D::replace_into(
      "site_circuits", "site_id, id, parent, max_current_a, max_power_w", "site_id, id");
  Statement st(db_, sql);
  st.bind_all(c.site_id, c.id, c.parent, c.max_current_a, c.max_power_w);
  st.run();
}

template <class D>
bool EnergyStoreT<D>::remove_circuit(const std::string& site_id, const std::string& id) {
  Statement st(db_, "DELETE FROM site_circuits WHERE site_id = ? AND id = ?");
  st.bind_all(site_id, id);
  st.run();
  return st.changes() > 0;
}

template <class D>
std::vector<EvseEnergySettings> EnergyStoreT<D>::evses(const std::string& station_id) {
  Statement st(db_,
               "SELECT station_id, evse_id, circuit, phases, rotation, min_current_a, "
               "max_current_a, priority, mode FROM evse_energy WHERE station_id = ? "
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

template <class D>
void EnergyStoreT<D>::put_evse(const EvseEnergySettings& e) {
  static const std::string sql = D::replace_into("evse_energy",
                                                 "station_id, evse_id, circuit, phases, rotation, "
                                                 "min_current_a, max_current_a, priority, mode",
                                                 "station_id, evse_id");
  Statement st(db_, sql);
  st.bind_all(e.station_id, e.evse_id, e.circuit, e.phases, e.rotation, e.min_current_a,
              e.max_current_a, e.priority, e.mode);
  st.run();
}

template <class D>
std::vector<LimitWindow> EnergyStoreT<D>::windows(const std::string& site_id) {
  Statement st(db_,
               "SELECT site_id, start_minute, end_minute, import_limit_w FROM "
               "site_limit_windows WHERE site_id = ? ORDER BY start_minute");
  st.bind_all(site_id);
  std::vector<LimitWindow> out;
  while (st.step()) out.push_back({st.text(0), st.integer(1), st.integer(2), st.real(3)});
  return out;
}

template <class D>
void EnergyStoreT<D>::put_windows(const std::string& site_id, const std::vector<LimitWindow>& w) {
  Statement clear(db_, "DELETE FROM site_limit_windows WHERE site_id = ?");
  clear.bind_all(site_id);
  clear.run();
  Statement st(db_,
               "INSERT INTO site_limit_windows (site_id, start_minute, end_minute, "
               "import_limit_w) VALUES (?, ?, ?, ?)");
  for (const auto& x : w) {
    st.bind_all(site_id, x.start_minute, x.end_minute, x.import_limit_w);
    st.run();
    st.reset();
  }
}

template <class D>
std::vector<MeterSource> EnergyStoreT<D>::meter_sources(const std::string& site_id) {
  static const std::string sql =
      std::string(
          "SELECT site_id, name, host, port, unit_id, role, poll_interval_s, max_age_s, "
          "circuit FROM site_meter_sources WHERE ? = '' OR site_id = ? ORDER BY site_id") +
      D::kCollateC + ", name" + D::kCollateC;
  Statement st(db_, sql);
  st.bind_all(site_id, site_id);
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

template <class D>
void EnergyStoreT<D>::put_meter_source(const MeterSource& m) {
  static const std::string sql =
      D::replace_into("site_meter_sources",
                      "site_id, name, host, port, unit_id, role, poll_interval_s, max_age_s, "
                      "circuit",
                      "site_id, name");
  Statement st(db_, sql);
  st.bind_all(m.site_id, m.name, m.host, m.port, m.unit_id, m.role, m.poll_interval_s, m.max_age_s,
              m.circuit);
  st.run();
}

template <class D>
bool EnergyStoreT<D>::remove_meter_source(const std::string& site_id, const std::string& name) {
  Statement st(db_, "DELETE FROM site_meter_sources WHERE site_id = ? AND name = ?");
  st.bind_all(site_id, name);
  st.run();
  return st.changes() > 0;
}

template <class D>
std::vector<SiteReading> EnergyStoreT<D>::readings(const std::string& site_id) {
  static const std::string sql =
      std::string(
          "SELECT site_id, source, time, grid_w, pv_w, battery_w, battery_soc, base_w, "
          "max_age_s, circuit, current_l1_a, current_l2_a, current_l3_a FROM "
          "site_readings WHERE site_id = ? ORDER BY source") +
      D::kCollateC;
  Statement st(db_, sql);
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

template <class D>
void EnergyStoreT<D>::put_reading(const SiteReading& r) {
  Statement st(db_,
               "INSERT INTO site_readings (site_id, source, time, grid_w, pv_w, battery_w, "
               "battery_soc, base_w, max_age_s, circuit, current_l1_a, current_l2_a, current_l3_a) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
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

template <class D>
void EnergyStoreT<D>::add_interval(const SiteInterval& i) {
  Statement st(db_,
               "INSERT INTO site_intervals AS t (site_id, start, grid_import_wh, grid_export_wh, "
               "pv_wh, battery_in_wh, battery_out_wh, charging_wh) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
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

template <class D>
std::vector<SiteInterval> EnergyStoreT<D>::intervals(const std::string& site_id,
                                                     const DateTime& from, const DateTime& to) {
  Statement st(db_,
               "SELECT site_id, start, grid_import_wh, grid_export_wh, pv_wh, battery_in_wh, "
               "battery_out_wh, charging_wh FROM site_intervals WHERE site_id = ? AND "
               "start >= ? AND start < ? ORDER BY start");
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

template <class D>
std::int64_t EnergyStoreT<D>::append_decision(const EnergyDecision& d) {
  static const std::string sql =
      std::string(
          "INSERT INTO energy_decisions (site_id, time, budget_w, binding, fail_safe, "
          "readings, evses) VALUES (?, ?, ?, ?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(d.site_id, d.time, d.budget_w, d.binding, d.fail_safe, d.readings_json, d.evses_json);
  return D::inserted_id(st);
}

template <class D>
std::vector<EnergyDecision> EnergyStoreT<D>::decisions(const std::string& site_id,
                                                       std::size_t limit) {
  Statement st(db_,
               "SELECT id, site_id, time, budget_w, binding, fail_safe, readings, evses FROM "
               "energy_decisions WHERE site_id = ? ORDER BY id DESC LIMIT ?");
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

template <class D>
std::size_t EnergyStoreT<D>::prune_decisions(const DateTime& before) {
  Statement st(db_, "DELETE FROM energy_decisions WHERE time < ?");
  st.bind_all(before);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::common
