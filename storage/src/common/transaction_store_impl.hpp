#pragma once
// The transaction store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include <stdexcept>

#include "common/stores.hpp"

namespace storage::common {

namespace {

const std::string kTxColumns =
    "id, station_id, station_tx_id, evse_id, connector_id, id_tag, reservation_id, start_time, "
    "stop_time, meter_start, meter_stop, stop_reason, stop_id_tag, energy_wh, meter_anomaly, "
    "auth_rejected, offline, charging_state, remote_start_id";
const std::string kSelectTx = "SELECT " + kTxColumns + " FROM transactions ";

template <class Statement>
Transaction read_tx(const Statement& st) {
  Transaction t;
  t.id = st.int64(0);
  t.station_id = st.text(1);
  t.station_tx_id = st.text(2);
  t.evse_id = st.integer(3);
  t.connector_id = st.integer(4);
  t.id_tag = st.text(5);
  t.reservation_id = st.opt_int64(6);
  t.start_time = st.time(7);
  t.stop_time = st.opt_time(8);
  t.meter_start = st.int64(9);
  t.meter_stop = st.opt_int64(10);
  t.stop_reason = st.opt_text(11);
  t.stop_id_tag = st.opt_text(12);
  t.energy_wh = st.opt_real(13);
  t.meter_anomaly = st.boolean(14);
  t.auth_rejected = st.boolean(15);
  t.offline = st.boolean(16);
  t.charging_state = st.text(17);
  t.remote_start_id = st.opt_int64(18);
  return t;
}

template <class Statement>
std::optional<Transaction> first(Statement& st) {
  if (!st.step()) return std::nullopt;
  return read_tx(st);
}

}  // namespace

template <class D>
std::int64_t TransactionStoreT<D>::insert(const Transaction& t) {
  // id is left to AUTOINCREMENT / the identity sequence: never a value used
  // before, even if deleted.
  static const std::string sql =
      std::string(
          "INSERT INTO transactions (station_id, station_tx_id, evse_id, connector_id, "
          "id_tag, reservation_id, start_time, stop_time, meter_start, meter_stop, "
          "stop_reason, stop_id_tag, energy_wh, meter_anomaly, auth_rejected, offline, "
          "charging_state, remote_start_id) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(t.station_id, t.station_tx_id, t.evse_id, t.connector_id, t.id_tag, t.reservation_id,
              t.start_time, t.stop_time, t.meter_start, t.meter_stop, t.stop_reason, t.stop_id_tag,
              t.energy_wh, t.meter_anomaly, t.auth_rejected, t.offline, t.charging_state,
              t.remote_start_id);
  return D::inserted_id(st);
}

template <class D>
void TransactionStoreT<D>::update(const Transaction& t) {
  Statement st(db_,
               "UPDATE transactions SET station_id = ?, station_tx_id = ?, evse_id = ?, "
               "connector_id = ?, id_tag = ?, reservation_id = ?, start_time = ?, "
               "stop_time = ?, meter_start = ?, meter_stop = ?, stop_reason = ?, "
               "stop_id_tag = ?, energy_wh = ?, meter_anomaly = ?, auth_rejected = ?, "
               "offline = ?, charging_state = ?, remote_start_id = ? WHERE id = ?");
  st.bind_all(t.station_id, t.station_tx_id, t.evse_id, t.connector_id, t.id_tag, t.reservation_id,
              t.start_time, t.stop_time, t.meter_start, t.meter_stop, t.stop_reason, t.stop_id_tag,
              t.energy_wh, t.meter_anomaly, t.auth_rejected, t.offline, t.charging_state,
              t.remote_start_id, t.id);
  st.run();
  // Updating nothing would silently drop e.g. a stop; fail the work item instead.
  if (st.changes() == 0) {
    throw std::runtime_error("no transaction with id " + std::to_string(t.id) + " to update");
  }
}

template <class D>
std::optional<Transaction> TransactionStoreT<D>::get(std::int64_t id) {
  static const std::string sql = kSelectTx + "WHERE id = ?";
  Statement st(db_, sql);
  st.bind_all(id);
  return first(st);
}

template <class D>
std::optional<Transaction> TransactionStoreT<D>::find_start(const std::string& station_id,
                                                            int connector_id,
                                                            const std::string& id_tag,
                                                            const DateTime& start_time,
                                                            std::int64_t meter_start) {
  static const std::string sql = kSelectTx + "WHERE station_id = ? AND connector_id = ? AND " +
                                 D::kIdTagEquals +
                                 " "
                                 "AND start_time = ? AND meter_start = ? ORDER BY id LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(station_id, connector_id, id_tag, start_time, meter_start);
  return first(st);
}

template <class D>
std::optional<Transaction> TransactionStoreT<D>::find_by_station_tx_id(
    const std::string& station_id, const std::string& station_tx_id) {
  // The newest, should a station have reused its id (the index is not unique).
  static const std::string sql = kSelectTx +
                                 "WHERE station_id = ? AND station_tx_id = ? AND "
                                 "station_tx_id <> '' ORDER BY id DESC LIMIT 1";
  Statement st(db_, sql);
  st.bind_all(station_id, station_tx_id);
  return first(st);
}

template <class D>
std::vector<Transaction> TransactionStoreT<D>::list(const TransactionFilter& f) {
  // The WHERE clause is assembled from fixed fragments only; values are bound.
  // Each combination is its own cached statement (at most 48), so each gets a
  // plan that uses the matching index.
  std::string sql = kSelectTx + "WHERE " + D::kTrue;
  if (f.station_id) sql += " AND station_id = ?";
  if (f.id_tag) sql += std::string(" AND ") + D::kIdTagEquals;
  if (f.from) sql += " AND start_time >= ?";
  if (f.to) sql += " AND start_time < ?";
  if (f.active) sql += *f.active ? " AND stop_time IS NULL" : " AND stop_time IS NOT NULL";
  sql += " ORDER BY start_time DESC, id DESC LIMIT ?";
  Statement st(db_, sql);
  int index = 0;
  if (f.station_id) st.bind(++index, *f.station_id);
  if (f.id_tag) st.bind(++index, *f.id_tag);
  if (f.from) st.bind(++index, *f.from);
  if (f.to) st.bind(++index, *f.to);
  st.bind(++index, D::limit(f.limit));
  std::vector<Transaction> out;
  while (st.step()) out.push_back(read_tx(st));
  return out;
}

template <class D>
std::int64_t TransactionStoreT<D>::count_active() {
  Statement st(db_, "SELECT COUNT(*) FROM transactions WHERE stop_time IS NULL");
  st.step();
  return st.int64(0);
}

template <class D>
void TransactionStoreT<D>::add_orphan_stop(const OrphanStop& o) {
  Statement st(db_,
               "INSERT INTO orphan_stops (station_id, transaction_id, id_tag, timestamp, "
               "meter_stop, reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(o.station_id, o.transaction_id, o.id_tag, o.timestamp, o.meter_stop, o.reason,
              o.payload);
  st.run();
}

template <class D>
std::vector<OrphanStop> TransactionStoreT<D>::orphan_stops(const std::string& station_id) {
  Statement st(db_,
               "SELECT id, station_id, transaction_id, id_tag, timestamp, meter_stop, reason, "
               "payload FROM orphan_stops WHERE station_id = ? ORDER BY id");
  st.bind_all(station_id);
  std::vector<OrphanStop> out;
  while (st.step()) {
    OrphanStop o;
    o.id = st.int64(0);
    o.station_id = st.text(1);
    o.transaction_id = st.int64(2);
    o.id_tag = st.text(3);
    o.timestamp = st.time(4);
    o.meter_stop = st.int64(5);
    o.reason = st.text(6);
    o.payload = st.text(7);
    out.push_back(std::move(o));
  }
  return out;
}

template <class D>
bool TransactionStoreT<D>::add_event(const TransactionEvent& e) {
  static const std::string sql = D::insert_ignore(
      "transaction_events (transaction_id, seq_no, type, timestamp, "
      "trigger_reason, stopped_reason, id_tag, offline, received_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      "transaction_id, seq_no");
  Statement st(db_, sql);
  st.bind_all(e.transaction_id, e.seq_no, to_string(e.type), e.timestamp, e.trigger_reason,
              e.stopped_reason, e.id_tag, e.offline, e.received_at);
  st.run();
  return st.changes() > 0;
}

template <class D>
std::vector<TransactionEvent> TransactionStoreT<D>::events(std::int64_t transaction_id) {
  Statement st(db_,
               "SELECT transaction_id, seq_no, type, timestamp, trigger_reason, stopped_reason, "
               "id_tag, offline, received_at FROM transaction_events WHERE transaction_id = ? "
               "ORDER BY seq_no");
  st.bind_all(transaction_id);
  std::vector<TransactionEvent> out;
  while (st.step()) {
    TransactionEvent e;
    e.transaction_id = st.int64(0);
    e.seq_no = st.int64(1);
    const std::string type = st.text(2);
    auto parsed = tx_event_type_from_string(type);
    if (!parsed)
      throw std::runtime_error("unknown transaction event type '" + type + "' in the database");
    e.type = *parsed;
    e.timestamp = st.time(3);
    e.trigger_reason = st.text(4);
    e.stopped_reason = st.opt_text(5);
    e.id_tag = st.opt_text(6);
    e.offline = st.boolean(7);
    e.received_at = st.time(8);
    out.push_back(std::move(e));
  }
  return out;
}

template <class D>
std::optional<std::int64_t> TransactionStoreT<D>::last_seq_no(std::int64_t transaction_id) {
  Statement st(db_, "SELECT MAX(seq_no) FROM transaction_events WHERE transaction_id = ?");
  st.bind_all(transaction_id);
  st.step();
  return st.opt_int64(0);
}

}  // namespace storage::common
