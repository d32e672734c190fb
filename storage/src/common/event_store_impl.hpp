#pragma once
// The event store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

namespace {

const std::string kSelectEvent =
    "SELECT id, station_id, timestamp, type, tech_info, remote_address, critical "
    "FROM security_events ";

template <class Statement>
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

template <class D>
std::int64_t EventStoreT<D>::append(const SecurityEvent& e) {
  static const std::string sql =
      std::string(
          "INSERT INTO security_events (station_id, timestamp, type, tech_info, "
          "remote_address, critical) VALUES (?, ?, ?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(e.station_id, e.timestamp, e.type, e.tech_info, e.remote_address, e.critical);
  return D::inserted_id(st);
}

template <class D>
std::vector<SecurityEvent> EventStoreT<D>::recent(const std::string& station_id, std::size_t limit,
                                                  bool critical_only) {
  // Separate statements rather than "? = '' OR station_id = ?", which would keep
  // the planner from using the (station_id, id) index.
  static const std::string queries[2][2] = {
      {kSelectEvent + "ORDER BY id DESC LIMIT ?",
       kSelectEvent + "WHERE critical = " + D::kTrue + " ORDER BY id DESC LIMIT ?"},
      {kSelectEvent + "WHERE station_id = ? ORDER BY id DESC LIMIT ?",
       kSelectEvent + "WHERE station_id = ? AND critical = " + D::kTrue +
           " ORDER BY id DESC LIMIT ?"}};
  std::vector<SecurityEvent> out;
  Statement st(db_, queries[station_id.empty() ? 0 : 1][critical_only ? 1 : 0]);
  if (station_id.empty())
    st.bind_all(D::limit(limit));
  else
    st.bind_all(station_id, D::limit(limit));
  while (st.step()) out.push_back(read_event(st));
  return out;
}

}  // namespace storage::common
