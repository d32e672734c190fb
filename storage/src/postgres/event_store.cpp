#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

namespace {

const std::string kSelectEvent =
    "SELECT id, station_id, timestamp, type, tech_info, remote_address, critical "
    "FROM security_events ";

SecurityEvent read_event(const Statement& st) {
  SecurityEvent e;
  e.id = st.int64(0);
  e.station_id = st.text(1);
  e.timestamp = st.time(2);
  e.type = st.text(3);
  e.tech_info = st.text(4);
  e.remote_address = st.text(5);
  e.critical = st.boolean(6);
  return e;
}

}  // namespace

std::int64_t PgEventStore::append(const SecurityEvent& e) {
  Statement st(db_,
               "INSERT INTO security_events (station_id, timestamp, type, tech_info, "
               "remote_address, critical) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  st.bind_all(e.station_id, e.timestamp, e.type, e.tech_info, e.remote_address, e.critical);
  st.step();
  return st.int64(0);
}

std::vector<SecurityEvent> PgEventStore::recent(const std::string& station_id, std::size_t limit,
                                                bool critical_only) {
  // Separate statements rather than "? = '' OR station_id = ?", which would keep
  // the planner from using the (station_id, id) index.
  static const std::string queries[2][2] = {
      {kSelectEvent + "ORDER BY id DESC LIMIT ?",
       kSelectEvent + "WHERE critical ORDER BY id DESC LIMIT ?"},
      {kSelectEvent + "WHERE station_id = ? ORDER BY id DESC LIMIT ?",
       kSelectEvent + "WHERE station_id = ? AND critical ORDER BY id DESC LIMIT ?"}};
  std::vector<SecurityEvent> out;
  Statement st(db_, queries[station_id.empty() ? 0 : 1][critical_only ? 1 : 0]);
  if (station_id.empty())
    st.bind_all(limit_param(limit));
  else
    st.bind_all(station_id, limit_param(limit));
  while (st.step()) out.push_back(read_event(st));
  return out;
}

}  // namespace storage::pg
