#pragma once
// The station store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include <stdexcept>

#include "common/stores.hpp"

namespace storage::common {

namespace {

const std::string kStationColumns =
    "id, password_hash, vendor, model, serial_number, firmware_version, ocpp_version, "
    "registration, connected, last_seen, last_boot, created_at, boot_reason, security_profile";

template <class Statement>
Station read_station(const Statement& st) {
  Station s;
  s.id = st.text(0);
  s.password_hash = st.text(1);
  s.vendor = st.text(2);
  s.model = st.text(3);
  s.serial_number = st.text(4);
  s.firmware_version = st.text(5);
  s.ocpp_version = st.text(6);
  std::string registration = st.text(7);
  auto status = registration_status_from_string(registration);
  if (!status) {
    throw std::runtime_error("station " + s.id + ": unknown registration status '" + registration +
                             "' in the database");
  }
  s.registration = *status;
  s.connected = st.boolean(8);
  s.last_seen = st.opt_time(9);
  s.last_boot = st.opt_time(10);
  s.created_at = st.time(11);
  s.boot_reason = st.text(12);
  s.security_profile = st.integer(13);
  return s;
}

}  // namespace

template <class D>
std::optional<Station> StationStoreT<D>::get(const std::string& id) {
  static const std::string sql = "SELECT " + kStationColumns + " FROM stations WHERE id = ?";
  Statement st(db_, sql);
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_station(st);
}

template <class D>
std::vector<Station> StationStoreT<D>::list() {
  static const std::string sql = "SELECT " + kStationColumns + " FROM stations ORDER BY id";
  Statement st(db_, sql);
  std::vector<Station> out;
  while (st.step()) out.push_back(read_station(st));
  return out;
}

template <class D>
void StationStoreT<D>::put(const Station& s) {
  // An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, and
  // that delete would cascade to the station's connectors.
  static const std::string sql = "INSERT INTO stations (" + kStationColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (id) DO UPDATE SET "
                                 "password_hash = excluded.password_hash, "
                                 "vendor = excluded.vendor, "
                                 "model = excluded.model, "
                                 "serial_number = excluded.serial_number, "
                                 "firmware_version = excluded.firmware_version, "
                                 "ocpp_version = excluded.ocpp_version, "
                                 "registration = excluded.registration, "
                                 "connected = excluded.connected, "
                                 "last_seen = excluded.last_seen, "
                                 "last_boot = excluded.last_boot, "
                                 "created_at = excluded.created_at, "
                                 "boot_reason = excluded.boot_reason, "
                                 "security_profile = excluded.security_profile";
  Statement st(db_, sql);
  st.bind_all(s.id, s.password_hash, s.vendor, s.model, s.serial_number, s.firmware_version,
              s.ocpp_version, to_string(s.registration), s.connected, s.last_seen, s.last_boot,
              s.created_at, s.boot_reason, s.security_profile);
  st.run();
}

template <class D>
bool StationStoreT<D>::remove(const std::string& id) {
  // Connectors go by ON DELETE CASCADE; history has no foreign key and stays.
  Statement st(db_, "DELETE FROM stations WHERE id = ?");
  st.bind_all(id);
  st.run();
  return st.changes() > 0;
}

template <class D>
void StationStoreT<D>::mark_all_offline() {
  static const std::string sql = std::string("UPDATE stations SET connected = ") + D::kFalse +
                                 " WHERE connected <> " + D::kFalse;
  Statement st(db_, sql);
  st.run();
}

template <class D>
void StationStoreT<D>::put_connector(const Connector& c) {
  Statement st(db_,
               "INSERT INTO connectors (station_id, evse_id, connector_id, status, error_code, "
               "info, vendor_error_code, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (station_id, evse_id, connector_id) DO UPDATE SET "
               "status = excluded.status, error_code = excluded.error_code, "
               "info = excluded.info, vendor_error_code = excluded.vendor_error_code, "
               "updated_at = excluded.updated_at");
  st.bind_all(c.station_id, c.evse_id, c.connector_id, to_string(c.status), c.error_code, c.info,
              c.vendor_error_code, c.updated_at);
  st.run();
}

template <class D>
std::vector<Connector> StationStoreT<D>::connectors(const std::string& station_id) {
  Statement st(db_,
               "SELECT station_id, evse_id, connector_id, status, error_code, info, "
               "vendor_error_code, updated_at FROM connectors WHERE station_id = ? "
               "ORDER BY evse_id, connector_id");
  st.bind_all(station_id);
  std::vector<Connector> out;
  while (st.step()) {
    Connector c;
    c.station_id = st.text(0);
    c.evse_id = st.integer(1);
    c.connector_id = st.integer(2);
    c.status = connector_status_from_string(st.text(3));
    c.error_code = st.text(4);
    c.info = st.text(5);
    c.vendor_error_code = st.text(6);
    c.updated_at = st.time(7);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace storage::common
