#pragma once
// The charging profile store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

namespace {

// The rows a profile takes the place of: the same id, or the same slot
// (connector, purpose, stack level).
constexpr const char* kClash =
    "station_id = ? AND (profile_id = ? OR (connector_id = ? AND purpose = ? AND stack_level = ?))";

}  // namespace

template <class D>
bool ChargingProfileStoreT<D>::put(const ChargingProfile& p) {
  if (!p.accepted) {
    Statement check(db_, std::string("SELECT 1 FROM charging_profiles WHERE accepted = ") +
                             D::kTrue + " AND " + kClash + " LIMIT 1");
    check.bind_all(p.station_id, p.profile_id, p.connector_id, p.purpose, p.stack_level);
    if (check.step()) return false;
  }
  {
    Statement clear(db_, std::string("DELETE FROM charging_profiles WHERE ") + kClash);
    clear.bind_all(p.station_id, p.profile_id, p.connector_id, p.purpose, p.stack_level);
    clear.run();
  }
  Statement st(db_,
               "INSERT INTO charging_profiles (station_id, profile_id, connector_id, purpose, "
               "stack_level, kind, recurrency, valid_from, valid_to, transaction_id, schedule, "
               "accepted, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(p.station_id, p.profile_id, p.connector_id, p.purpose, p.stack_level, p.kind,
              p.recurrency, p.valid_from, p.valid_to, p.transaction_id, p.schedule, p.accepted,
              p.source, p.updated_at);
  st.run();
  return true;
}

template <class D>
std::size_t ChargingProfileStoreT<D>::remove(const std::string& station_id,
                                             const ProfileFilter& f) {
  // Fixed fragments only, values bound.
  std::string sql = "DELETE FROM charging_profiles WHERE station_id = ?";
  if (f.profile_id) sql += " AND profile_id = ?";
  if (f.connector_id) sql += " AND connector_id = ?";
  if (f.purpose) sql += " AND purpose = ?";
  if (f.stack_level) sql += " AND stack_level = ?";
  if (f.transaction_id) sql += " AND transaction_id = ?";
  Statement st(db_, sql);
  int index = 0;
  st.bind(++index, station_id);
  if (f.profile_id) st.bind(++index, *f.profile_id);
  if (f.connector_id) st.bind(++index, *f.connector_id);
  if (f.purpose) st.bind(++index, *f.purpose);
  if (f.stack_level) st.bind(++index, *f.stack_level);
  if (f.transaction_id) st.bind(++index, *f.transaction_id);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

template <class D>
std::vector<ChargingProfile> ChargingProfileStoreT<D>::profiles(const std::string& station_id) {
  static const std::string sql =
      std::string(
          "SELECT station_id, profile_id, connector_id, purpose, stack_level, kind, "
          "recurrency, valid_from, valid_to, transaction_id, schedule, accepted, source, "
          "updated_at FROM charging_profiles WHERE station_id = ? "
          "ORDER BY connector_id, purpose") +
      D::kCollateC + ", stack_level, profile_id";
  Statement st(db_, sql);
  st.bind_all(station_id);
  std::vector<ChargingProfile> out;
  while (st.step()) {
    ChargingProfile p;
    p.station_id = st.text(0);
    p.profile_id = st.int64(1);
    p.connector_id = st.integer(2);
    p.purpose = st.text(3);
    p.stack_level = st.integer(4);
    p.kind = st.text(5);
    p.recurrency = st.text(6);
    p.valid_from = st.opt_time(7);
    p.valid_to = st.opt_time(8);
    p.transaction_id = st.opt_text(9);
    p.schedule = st.text(10);
    p.accepted = st.boolean(11);
    p.source = st.text(12);
    p.updated_at = st.time(13);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace storage::common
