#pragma once
// The notification store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

template <class D>
std::int64_t NotificationStoreT<D>::append(const StationNotification& n) {
  static const std::string sql =
      std::string(
          "INSERT INTO station_notifications (station_id, action, received_at, payload) "
          "VALUES (?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(n.station_id, n.action, n.received_at, n.payload);
  return D::inserted_id(st);
}

template <class D>
std::vector<StationNotification> NotificationStoreT<D>::recent(const std::string& station_id,
                                                               const std::string& action,
                                                               std::size_t limit) {
  // Fixed fragments only, values bound; each filter combination is its own
  // cached statement with a plan for its index.
  std::string sql =
      "SELECT id, station_id, action, received_at, payload FROM station_notifications WHERE " +
      std::string(D::kTrue);
  if (!station_id.empty()) sql += " AND station_id = ?";
  if (!action.empty()) sql += " AND action = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  Statement st(db_, sql);
  int index = 0;
  if (!station_id.empty()) st.bind(++index, station_id);
  if (!action.empty()) st.bind(++index, action);
  st.bind(++index, D::limit(limit));
  std::vector<StationNotification> out;
  while (st.step()) {
    StationNotification n;
    n.id = st.int64(0);
    n.station_id = st.text(1);
    n.action = st.text(2);
    n.received_at = st.time(3);
    n.payload = st.text(4);
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace storage::common
