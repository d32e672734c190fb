#pragma once
// The monitor store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

template <class D>
void MonitorStoreT<D>::put(const std::vector<VariableMonitor>& monitors) {
  // An upsert, so the last event of a monitor set again (same id) stays.
  Statement st(db_,
               "INSERT INTO variable_monitors (station_id, monitor_id, component, "
               "component_instance, evse_id, connector_id, variable, variable_instance, type, "
               "value, severity, transaction_only, source, request_id, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (station_id, monitor_id) DO UPDATE SET "
               "component = excluded.component, component_instance = excluded.component_instance, "
               "evse_id = excluded.evse_id, connector_id = excluded.connector_id, "
               "variable = excluded.variable, variable_instance = excluded.variable_instance, "
               "type = excluded.type, value = excluded.value, severity = excluded.severity, "
               "transaction_only = excluded.transaction_only, source = excluded.source, "
               "request_id = excluded.request_id, updated_at = excluded.updated_at");
  for (const auto& m : monitors) {
    st.bind_all(m.station_id, m.monitor_id, m.component, m.component_instance, m.evse_id,
                m.connector_id, m.variable, m.variable_instance, m.type, m.value, m.severity,
                m.transaction, m.source, m.request_id, m.updated_at);
    st.run();
    st.reset();
  }
}

template <class D>
std::size_t MonitorStoreT<D>::remove(const std::string& station_id,
                                     const std::vector<std::int64_t>& monitor_ids) {
  Statement st(db_, "DELETE FROM variable_monitors WHERE station_id = ? AND monitor_id = ?");
  std::size_t removed = 0;
  for (auto id : monitor_ids) {
    st.bind_all(station_id, id);
    st.run();
    removed += static_cast<std::size_t>(st.changes());
    st.reset();
  }
  return removed;
}

template <class D>
std::size_t MonitorStoreT<D>::remove_from(const std::string& station_id,
                                          const std::string& source) {
  Statement st(db_, "DELETE FROM variable_monitors WHERE station_id = ? AND source = ?");
  st.bind_all(station_id, source);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

template <class D>
bool MonitorStoreT<D>::event(const std::string& station_id, std::int64_t monitor_id,
                             const DateTime& at, const std::string& actual_value, bool cleared) {
  // An older event arriving late (offline delivery) does not hide a newer one.
  Statement st(db_,
               "UPDATE variable_monitors SET last_event_at = ?, last_event_value = ?, "
               "last_event_cleared = ? WHERE station_id = ? AND monitor_id = ? AND "
               "(last_event_at IS NULL OR last_event_at <= ?)");
  st.bind_all(at, actual_value, cleared, station_id, monitor_id, at);
  st.run();
  if (st.changes() > 0) return true;
  Statement exists(db_, "SELECT 1 FROM variable_monitors WHERE station_id = ? AND monitor_id = ?");
  exists.bind_all(station_id, monitor_id);
  return exists.step();
}

template <class D>
std::vector<VariableMonitor> MonitorStoreT<D>::list(const std::string& station_id) {
  Statement st(db_,
               "SELECT monitor_id, component, component_instance, evse_id, connector_id, "
               "variable, variable_instance, type, value, severity, transaction_only, source, "
               "request_id, last_event_at, last_event_value, last_event_cleared, updated_at "
               "FROM variable_monitors WHERE station_id = ? ORDER BY monitor_id");
  st.bind_all(station_id);
  std::vector<VariableMonitor> out;
  while (st.step()) {
    VariableMonitor m;
    m.station_id = station_id;
    m.monitor_id = st.int64(0);
    m.component = st.text(1);
    m.component_instance = st.text(2);
    m.evse_id = st.integer(3);
    m.connector_id = st.integer(4);
    m.variable = st.text(5);
    m.variable_instance = st.text(6);
    m.type = st.text(7);
    m.value = st.real(8);
    m.severity = st.integer(9);
    m.transaction = st.boolean(10);
    m.source = st.text(11);
    m.request_id = st.opt_int64(12);
    m.last_event_at = st.opt_time(13);
    m.last_event_value = st.opt_text(14);
    m.last_event_cleared = st.boolean(15);
    m.updated_at = st.time(16);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace storage::common
