#include "postgres/reservation_store.hpp"

#include <stdexcept>

namespace storage::pg {

namespace {

const std::string kColumns =
    "id, station_id, evse_id, connector_id, id_tag, parent_id_tag, token_type, connector_type, "
    "expiry, status, transaction_id, created_at, updated_at";

Reservation read_reservation(const Statement& st) {
  Reservation r;
  r.id = st.int64(0);
  r.station_id = st.text(1);
  r.evse_id = st.integer(2);
  r.connector_id = st.integer(3);
  r.id_tag = st.text(4);
  r.parent_id_tag = st.opt_text(5);
  r.token_type = st.opt_text(6);
  r.connector_type = st.opt_text(7);
  r.expiry = st.time(8);
  const std::string status = st.text(9);
  auto parsed = reservation_status_from_string(status);
  if (!parsed) {
    throw std::runtime_error("reservation " + std::to_string(r.id) + ": unknown status '" + status +
                             "' in the database");
  }
  r.status = *parsed;
  r.transaction_id = st.opt_int64(10);
  r.created_at = st.time(11);
  r.updated_at = st.time(12);
  return r;
}

}  // namespace

std::int64_t PgReservationStore::insert(const Reservation& r) {
  Statement st(db_,
               "INSERT INTO reservations (station_id, evse_id, connector_id, id_tag, "
               "parent_id_tag, token_type, connector_type, expiry, status, transaction_id, "
               "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
               "RETURNING id");
  st.bind_all(r.station_id, r.evse_id, r.connector_id, r.id_tag, r.parent_id_tag, r.token_type,
              r.connector_type, r.expiry, to_string(r.status), r.transaction_id, r.created_at,
              r.updated_at);
  st.step();
  return st.int64(0);
}

bool PgReservationStore::update(const Reservation& r) {
  Statement st(db_,
               "UPDATE reservations SET station_id = $1, evse_id = $2, connector_id = $3, "
               "id_tag = $4, parent_id_tag = $5, token_type = $6, connector_type = $7, "
               "expiry = $8, status = $9, transaction_id = $10, created_at = $11, "
               "updated_at = $12 WHERE id = $13");
  st.bind_all(r.station_id, r.evse_id, r.connector_id, r.id_tag, r.parent_id_tag, r.token_type,
              r.connector_type, r.expiry, to_string(r.status), r.transaction_id, r.created_at,
              r.updated_at, r.id);
  st.run();
  return st.changes() > 0;
}

std::optional<Reservation> PgReservationStore::get(std::int64_t id) {
  static const std::string sql = "SELECT " + kColumns + " FROM reservations WHERE id = $1";
  Statement st(db_, sql);
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_reservation(st);
}

std::vector<Reservation> PgReservationStore::list(const ReservationFilter& f) {
  // Fixed fragments only, values bound.
  int index = 0;
  auto next = [&index] { return "$" + std::to_string(++index); };
  std::string sql = "SELECT " + kColumns + " FROM reservations WHERE true";
  if (f.station_id) sql += " AND station_id = " + next();
  if (f.active) {
    sql += *f.active ? " AND status IN ('Pending', 'Accepted') AND expiry > " + next()
                     : " AND (status NOT IN ('Pending', 'Accepted') OR expiry <= " + next() + ")";
  }
  sql += " ORDER BY id DESC LIMIT " + next();
  Statement st(db_, sql);
  index = 0;
  if (f.station_id) st.bind(++index, *f.station_id);
  if (f.active) st.bind(++index, f.now);
  st.bind(++index, limit_param(f.limit));
  std::vector<Reservation> out;
  while (st.step()) out.push_back(read_reservation(st));
  return out;
}

std::size_t PgReservationStore::expire(const DateTime& now) {
  Statement st(db_,
               "UPDATE reservations SET status = 'Expired', updated_at = $1 "
               "WHERE status IN ('Pending', 'Accepted') AND expiry <= $1");
  st.bind_all(now);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::pg
