#include <algorithm>
#include <string>
#include <vector>

#include "sqlite/statement.hpp"
#include "sqlite/stores.hpp"

namespace storage::sqlite {

namespace {

const std::string kSelectSample =
    "SELECT station_id, evse_id, connector_id, transaction_id, timestamp, value, measurand, "
    "phase, unit, context, location, format FROM meter_samples ";

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

namespace {

// Rows per multi-row INSERT: one statement (and one VDBE run) for a whole
// MeterValues instead of one per sample; 12 columns x 16 rows stays far below
// SQLite's parameter limit. Each row count is its own cached statement.
constexpr std::size_t kRowsPerInsert = 16;

std::string meter_insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO meter_samples (station_id, evse_id, connector_id, "
      "transaction_id, timestamp, value, measurand, phase, unit, context, location, "
      "format) VALUES ";
  for (std::size_t i = 0; i < rows; ++i)
    sql +=
        i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  return sql;
}

const std::string& meter_insert(std::size_t rows) {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (std::size_t n = 0; n <= kRowsPerInsert; ++n) v.push_back(meter_insert_sql(n));
    return v;
  }();
  return all[rows];
}

}  // namespace

std::size_t SqliteMeterStore::insert(const std::vector<MeterSample>& samples) {
  // OR IGNORE against the meter_samples_dedup unique index: a retried
  // MeterValues stores nothing twice. changes() counts the rows that were new.
  std::size_t inserted = 0;
  bool any_signed = false;
  for (std::size_t first = 0; first < samples.size(); first += kRowsPerInsert) {
    const std::size_t n = std::min(kRowsPerInsert, samples.size() - first);
    Statement st(db_, meter_insert(n));
    int index = 0;
    for (std::size_t i = first; i < first + n; ++i) {
      const auto& m = samples[i];
      st.bind(++index, m.station_id);
      st.bind(++index, m.evse_id);
      st.bind(++index, m.connector_id);
      st.bind(++index, m.transaction_id);
      st.bind(++index, m.timestamp);
      st.bind(++index, m.value);
      st.bind(++index, m.measurand);
      st.bind(++index, m.phase);
      st.bind(++index, m.unit);
      st.bind(++index, m.context);
      st.bind(++index, m.location);
      st.bind(++index, m.format);
      any_signed = any_signed || !m.signed_data.empty();
    }
    st.run();
    inserted += static_cast<std::size_t>(st.changes());
  }
  if (any_signed) insert_signed(samples);
  return inserted;
}

void SqliteMeterStore::insert_signed(const std::vector<MeterSample>& samples) {
  // OR IGNORE against signed_meter_values_dedup: a retry stores nothing twice.
  Statement st(db_,
               "INSERT OR IGNORE INTO signed_meter_values (station_id, evse_id, connector_id, "
               "transaction_id, timestamp, context, signed_data, signing_method, "
               "encoding_method, public_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& m : samples) {
    if (m.signed_data.empty()) continue;
    st.bind_all(m.station_id, m.evse_id, m.connector_id, m.transaction_id, m.timestamp, m.context,
                m.signed_data, m.signing_method, m.encoding_method, m.public_key);
    st.run();
    st.reset();
  }
}

std::vector<SignedMeterValue> SqliteMeterStore::signed_for_transaction(
    std::int64_t transaction_id) {
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

std::vector<MeterSample> SqliteMeterStore::first_and_last(std::int64_t transaction_id,
                                                          const std::string& measurand) {
  // Runs on every TransactionEvent: only the columns of the reading are read
  // (reading all twelve into a MeterSample was most of its cost, bench/);
  // context, location and format stay empty, phase is '' by the filter.
  static const std::string first_sql =
      "SELECT station_id, evse_id, connector_id, timestamp, value, unit FROM meter_samples "
      "WHERE transaction_id = ? AND measurand = ? AND phase = '' "
      "ORDER BY timestamp, id LIMIT 1";
  static const std::string last_sql =
      "SELECT station_id, evse_id, connector_id, timestamp, value, unit FROM meter_samples "
      "WHERE transaction_id = ? AND measurand = ? AND phase = '' "
      "ORDER BY timestamp DESC, id DESC LIMIT 1";
  std::vector<MeterSample> out;
  for (const auto* sql : {&first_sql, &last_sql}) {
    Statement st(db_, *sql);
    st.bind_all(transaction_id, measurand);
    if (!st.step()) return {};
    MeterSample m;
    m.station_id = st.text(0);
    m.evse_id = st.integer(1);
    m.connector_id = st.integer(2);
    m.transaction_id = transaction_id;
    m.timestamp = st.time(3);
    m.value = st.text(4);
    m.measurand = measurand;
    m.unit = st.text(5);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MeterSample> SqliteMeterStore::for_transaction(std::int64_t transaction_id) {
  static const std::string sql = kSelectSample + "WHERE transaction_id = ? ORDER BY timestamp, id";
  Statement st(db_, sql);
  st.bind_all(transaction_id);
  return read_samples(st);
}

std::vector<MeterSample> SqliteMeterStore::for_transaction(std::int64_t transaction_id,
                                                           const std::string& measurand) {
  static const std::string sql =
      kSelectSample + "WHERE transaction_id = ? AND measurand = ? ORDER BY timestamp, id";
  Statement st(db_, sql);
  st.bind_all(transaction_id, measurand);
  return read_samples(st);
}

}  // namespace storage::sqlite
