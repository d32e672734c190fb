#include "postgres/charging_profile_store.hpp"

namespace storage::pg {

// Text is ordered COLLATE "C" (bytewise), as SQLite orders it, whatever the
// database's locale.

namespace {

// The rows a profile takes the place of: the same id, or the same slot
// (connector, purpose, stack level).
constexpr const char* kClash =
    "station_id = $1 AND (profile_id = $2 OR (connector_id = $3 AND purpose = $4 AND "
    "stack_level = $5))";

}  // namespace

bool PgChargingProfileStore::put(const ChargingProfile& p) {
  if (!p.accepted) {
    Statement check(db_, std::string("SELECT 1 FROM charging_profiles WHERE accepted AND ") +
                             kClash + " LIMIT 1");
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
               "accepted, source, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
  st.bind_all(p.station_id, p.profile_id, p.connector_id, p.purpose, p.stack_level, p.kind,
              p.recurrency, p.valid_from, p.valid_to, p.transaction_id, p.schedule, p.accepted,
              p.source, p.updated_at);
  st.run();
  return true;
}

std::size_t PgChargingProfileStore::remove(const std::string& station_id, const ProfileFilter& f) {
  // Fixed fragments only, values bound.
  int index = 1;
  std::string sql = "DELETE FROM charging_profiles WHERE station_id = $1";
  auto criterion = [&](bool present, const char* column) {
    if (present) sql += std::string(" AND ") + column + " = $" + std::to_string(++index);
  };
  criterion(f.profile_id.has_value(), "profile_id");
  criterion(f.connector_id.has_value(), "connector_id");
  criterion(f.purpose.has_value(), "purpose");
  criterion(f.stack_level.has_value(), "stack_level");
  criterion(f.transaction_id.has_value(), "transaction_id");
  Statement st(db_, sql);
  index = 0;
  st.bind(++index, station_id);
  if (f.profile_id) st.bind(++index, *f.profile_id);
  if (f.connector_id) st.bind(++index, *f.connector_id);
  if (f.purpose) st.bind(++index, *f.purpose);
  if (f.stack_level) st.bind(++index, *f.stack_level);
  if (f.transaction_id) st.bind(++index, *f.transaction_id);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

std::vector<ChargingProfile> PgChargingProfileStore::profiles(const std::string& station_id) {
  Statement st(db_,
               "SELECT station_id, profile_id, connector_id, purpose, stack_level, kind, "
               "recurrency, valid_from, valid_to, transaction_id, schedule, accepted, source, "
               "updated_at FROM charging_profiles WHERE station_id = $1 "
               "ORDER BY connector_id, purpose COLLATE \"C\", stack_level, profile_id");
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

}  // namespace storage::pg
