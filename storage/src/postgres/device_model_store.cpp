#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

namespace {

const std::string kKeyColumns =
    "station_id, component, component_instance, evse_id, connector_id, variable, "
    "variable_instance, attribute_type";

void bind_key(Statement& st, const DeviceVariable& v) {
  st.bind_all(v.station_id, v.component, v.component_instance, v.evse_id, v.connector_id,
              v.variable, v.variable_instance, v.attribute_type);
}

}  // namespace

void PgDeviceModelStore::put(const std::vector<DeviceVariable>& variables) {
  static const std::string sql =
      "INSERT INTO device_variables (" + kKeyColumns +
      ", value, mutability, persistent, constant, data_type, unit, min_limit, max_limit, "
      "values_list, supports_monitoring, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (" +
      kKeyColumns +
      ") DO UPDATE SET value = excluded.value, mutability = excluded.mutability, "
      "persistent = excluded.persistent, constant = excluded.constant, "
      "data_type = excluded.data_type, unit = excluded.unit, min_limit = excluded.min_limit, "
      "max_limit = excluded.max_limit, values_list = excluded.values_list, "
      "supports_monitoring = excluded.supports_monitoring, updated_at = excluded.updated_at";
  Statement st(db_, sql);
  for (const auto& v : variables) {
    bind_key(st, v);
    st.bind(9, v.value);
    st.bind(10, v.mutability);
    st.bind(11, v.persistent);
    st.bind(12, v.constant);
    st.bind(13, v.data_type);
    st.bind(14, v.unit);
    st.bind(15, v.min_limit);
    st.bind(16, v.max_limit);
    st.bind(17, v.values_list);
    st.bind(18, v.supports_monitoring);
    st.bind(19, v.updated_at);
    st.run();
    st.reset();
  }
}

void PgDeviceModelStore::put_values(const std::vector<DeviceVariable>& variables) {
  // An upsert that leaves what the station reported about the variable alone.
  static const std::string sql = "INSERT INTO device_variables (" + kKeyColumns +
                                 ", value, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (" +
                                 kKeyColumns +
                                 ") DO UPDATE SET value = excluded.value, "
                                 "updated_at = excluded.updated_at";
  Statement st(db_, sql);
  for (const auto& v : variables) {
    bind_key(st, v);
    st.bind(9, v.value);
    st.bind(10, v.updated_at);
    st.run();
    st.reset();
  }
}

std::vector<DeviceVariable> PgDeviceModelStore::variables(const std::string& station_id) {
  static const std::string sql =
      "SELECT " + kKeyColumns +
      ", value, mutability, persistent, constant, data_type, unit, min_limit, max_limit, "
      "values_list, supports_monitoring, updated_at FROM device_variables WHERE station_id = ? "
      "ORDER BY component, component_instance, evse_id, connector_id, variable, "
      "variable_instance, attribute_type";
  Statement st(db_, sql);
  st.bind_all(station_id);
  std::vector<DeviceVariable> out;
  while (st.step()) {
    DeviceVariable v;
    v.station_id = st.text(0);
    v.component = st.text(1);
    v.component_instance = st.text(2);
    v.evse_id = st.integer(3);
    v.connector_id = st.integer(4);
    v.variable = st.text(5);
    v.variable_instance = st.text(6);
    v.attribute_type = st.text(7);
    v.value = st.opt_text(8);
    v.mutability = st.text(9);
    v.persistent = st.boolean(10);
    v.constant = st.boolean(11);
    v.data_type = st.text(12);
    v.unit = st.text(13);
    v.min_limit = st.opt_real(14);
    v.max_limit = st.opt_real(15);
    v.values_list = st.text(16);
    v.supports_monitoring = st.boolean(17);
    v.updated_at = st.time(18);
    out.push_back(std::move(v));
  }
  return out;
}

bool PgDeviceModelStore::add_report_part(const std::string& station_id, std::int64_t request_id,
                                         std::int64_t seq_no, bool tbc, std::int64_t variables,
                                         const DateTime& generated_at,
                                         const DateTime& received_at) {
  Statement st(db_,
               "INSERT INTO device_report_parts (station_id, request_id, seq_no, tbc, "
               "variables, generated_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING");
  st.bind_all(station_id, request_id, seq_no, tbc, variables, generated_at, received_at);
  st.run();
  return st.changes() > 0;
}

std::vector<DeviceReport> PgDeviceModelStore::reports(const std::string& station_id) {
  // Complete: the last part (not tbc) arrived and no seqNo before it is missing.
  Statement st(db_,
               "SELECT request_id, COUNT(*), SUM(variables), "
               "bool_or(NOT tbc) AND COUNT(*) = MAX(seq_no) + 1, MAX(generated_at), "
               "MAX(received_at) FROM device_report_parts WHERE station_id = ? "
               "GROUP BY request_id ORDER BY MAX(received_at) DESC, request_id DESC");
  st.bind_all(station_id);
  std::vector<DeviceReport> out;
  while (st.step()) {
    DeviceReport r;
    r.station_id = station_id;
    r.request_id = st.int64(0);
    r.parts = st.int64(1);
    r.variables = st.int64(2);
    r.complete = st.boolean(3);
    r.generated_at = st.time(4);
    r.received_at = st.time(5);
    out.push_back(r);
  }
  return out;
}

void PgDeviceModelStore::clear(const std::string& station_id) {
  Statement vars(db_, "DELETE FROM device_variables WHERE station_id = ?");
  vars.bind_all(station_id);
  vars.run();
  Statement parts(db_, "DELETE FROM device_report_parts WHERE station_id = ?");
  parts.bind_all(station_id);
  parts.run();
}

}  // namespace storage::pg
