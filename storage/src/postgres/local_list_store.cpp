#include <stdexcept>

#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

namespace {

// The row exists before any column of it is changed.
void ensure_row(PgConnection& db, const std::string& station_id) {
  Statement st(db, "INSERT INTO local_lists (station_id) VALUES (?) ON CONFLICT DO NOTHING");
  st.bind_all(station_id);
  st.run();
}

}  // namespace

std::optional<LocalList> PgLocalListStore::get(const std::string& station_id) {
  LocalList list;
  {
    Statement st(db_,
                 "SELECT version, needs_full, updated_at, reported_version, reported_at "
                 "FROM local_lists WHERE station_id = ?");
    st.bind_all(station_id);
    if (!st.step()) return std::nullopt;
    list.station_id = station_id;
    list.version = st.int64(0);
    list.needs_full = st.boolean(1);
    list.updated_at = st.opt_time(2);
    list.reported_version = st.opt_int64(3);
    list.reported_at = st.opt_time(4);
  }
  Statement st(db_,
               "SELECT id_tag, status, expiry, parent_id_tag FROM local_list_entries "
               "WHERE station_id = ? ORDER BY id_tag");
  st.bind_all(station_id);
  while (st.step()) {
    LocalListEntry e;
    e.id_tag = st.text(0);
    const std::string status = st.text(1);
    auto parsed = token_status_from_string(status);
    if (!parsed) {
      throw std::runtime_error("local list of " + station_id + ": unknown status '" + status +
                               "' in the database");
    }
    e.status = *parsed;
    e.expiry = st.opt_time(2);
    e.parent_id_tag = st.opt_text(3);
    list.entries.push_back(std::move(e));
  }
  return list;
}

void PgLocalListStore::accepted(const std::string& station_id, std::int64_t version,
                                const std::vector<LocalListEntry>& entries, const DateTime& at) {
  ensure_row(db_, station_id);
  {
    Statement st(db_,
                 "UPDATE local_lists SET version = ?, needs_full = false, updated_at = ? "
                 "WHERE station_id = ?");
    st.bind_all(version, at, station_id);
    st.run();
  }
  {
    Statement st(db_, "DELETE FROM local_list_entries WHERE station_id = ?");
    st.bind_all(station_id);
    st.run();
  }
  Statement st(db_,
               "INSERT INTO local_list_entries "
               "(station_id, id_tag, status, expiry, parent_id_tag) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (station_id, (lower(id_tag))) DO UPDATE SET id_tag = excluded.id_tag, "
               "status = excluded.status, expiry = excluded.expiry, "
               "parent_id_tag = excluded.parent_id_tag");
  for (const auto& e : entries) {
    st.bind_all(station_id, e.id_tag, to_string(e.status), e.expiry, e.parent_id_tag);
    st.run();
    st.reset();
  }
}

void PgLocalListStore::require_full(const std::string& station_id) {
  ensure_row(db_, station_id);
  Statement st(db_, "UPDATE local_lists SET needs_full = true WHERE station_id = ?");
  st.bind_all(station_id);
  st.run();
}

void PgLocalListStore::reported(const std::string& station_id, std::int64_t version,
                                const DateTime& at) {
  ensure_row(db_, station_id);
  Statement st(db_,
               "UPDATE local_lists SET reported_version = ?, reported_at = ? WHERE station_id = ?");
  st.bind_all(version, at, station_id);
  st.run();
}

}  // namespace storage::pg
