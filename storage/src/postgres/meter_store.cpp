#include "meter_history_sql.hpp"
#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

namespace {

std::vector<MeterSample> read_samples(Statement& st) {
  std::vector<MeterSample> out;
  while (st.step()) {
    MeterSample m;
    m.station_id = st.text(0);
    m.evse_id = st.integer(1);
    m.connector_id = st.integer(2);
    m.transaction_id = st.opt_int64(3);
    m.timestamp = st.time(4);
    m.value = st.text(5);
    m.measurand = st.text(6);
    m.phase = st.text(7);
    m.unit = st.text(8);
    m.context = st.text(9);
    m.location = st.text(10);
    m.format = st.text(11);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::size_t PgMeterStore::insert(const std::vector<MeterSample>& samples) {
  // ON CONFLICT against the meter_samples_dedup unique index: a retried
  // MeterValues stores nothing twice. changes() says whether this row was new.
  Statement st(db_,
               "INSERT INTO meter_samples (station_id, evse_id, connector_id, "
               "transaction_id, timestamp, value, measurand, phase, unit, context, location, "
               "format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  std::size_t inserted = 0;
  bool any_signed = false;
  for (const auto& m : samples) {
    st.bind_all(m.station_id, m.evse_id, m.connector_id, m.transaction_id, m.timestamp, m.value,
                m.measurand, m.phase, m.unit, m.context, m.location, m.format);
    st.run();
    if (st.changes() > 0) ++inserted;
    st.reset();
    any_signed = any_signed || !m.signed_data.empty();
  }
  if (any_signed) insert_signed(samples);
  return inserted;
}

void PgMeterStore::insert_signed(const std::vector<MeterSample>& samples) {
  // ON CONFLICT against signed_meter_values_dedup: a retry stores nothing twice.
  Statement st(db_,
               "INSERT INTO signed_meter_values (station_id, evse_id, connector_id, "
               "transaction_id, timestamp, context, signed_data, signing_method, "
               "encoding_method, public_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING");
  for (const auto& m : samples) {
    if (m.signed_data.empty()) continue;
    st.bind_all(m.station_id, m.evse_id, m.connector_id, m.transaction_id, m.timestamp, m.context,
                m.signed_data, m.signing_method, m.encoding_method, m.public_key);
    st.run();
    st.reset();
  }
}

std::vector<SignedMeterValue> PgMeterStore::signed_for_transaction(std::int64_t transaction_id) {
  Statement st(db_,
               "SELECT id, station_id, evse_id, connector_id, transaction_id, timestamp, context, "
               "signed_data, signing_method, encoding_method, public_key FROM signed_meter_values "
               "WHERE transaction_id = ? ORDER BY timestamp, id");
  st.bind_all(transaction_id);
  std::vector<SignedMeterValue> out;
  while (st.step()) {
    SignedMeterValue v;
    v.id = st.int64(0);
    v.station_id = st.text(1);
    v.evse_id = st.integer(2);
    v.connector_id = st.integer(3);
    v.transaction_id = st.opt_int64(4);
    v.timestamp = st.time(5);
    v.context = st.text(6);
    v.signed_data = st.text(7);
    v.signing_method = st.text(8);
    v.encoding_method = st.text(9);
    v.public_key = st.text(10);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<MeterSample> PgMeterStore::first_and_last(std::int64_t transaction_id,
                                                      const std::string& measurand) {
  // Rolled-up windows count: their first and last points are exact samples.
  static const std::string first_sql = detail::first_or_last_sql(false);
  static const std::string last_sql = detail::first_or_last_sql(true);
  std::vector<MeterSample> out;
  for (const auto* sql : {&first_sql, &last_sql}) {
    Statement st(db_, *sql);
    st.bind_all(transaction_id, measurand, transaction_id, measurand);  // raw, rollups
    auto rows = read_samples(st);
    if (rows.empty()) return {};
    out.push_back(std::move(rows.front()));
  }
  return out;
}

std::vector<MeterSample> PgMeterStore::for_transaction(std::int64_t transaction_id) {
  static const std::string sql =
      detail::kSelectHistory + "meter_history WHERE transaction_id = ? ORDER BY timestamp, id";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  return read_samples(st);
}

std::vector<MeterSample> PgMeterStore::for_transaction(std::int64_t transaction_id,
                                                       const std::string& measurand) {
  static const std::string sql =
      detail::kSelectHistory +
      "meter_history WHERE transaction_id = ? AND measurand = ? ORDER BY timestamp, id";
  Statement st(db_, sql);
  st.bind_all(transaction_id, measurand);
  return read_samples(st);
}

}  // namespace storage::pg
