#include <array>
#include <stdexcept>
#include <utility>

#include "sqlite/reservation_stores.hpp"
#include "sqlite/statement.hpp"

namespace storage {

namespace {

constexpr std::array<std::pair<ReservationStatus, std::string_view>, 10> kReservation{{
    {ReservationStatus::Pending, "Pending"},
    {ReservationStatus::Accepted, "Accepted"},
    {ReservationStatus::Faulted, "Faulted"},
    {ReservationStatus::Occupied, "Occupied"},
    {ReservationStatus::Rejected, "Rejected"},
    {ReservationStatus::Unavailable, "Unavailable"},
    {ReservationStatus::Used, "Used"},
    {ReservationStatus::Cancelled, "Cancelled"},
    {ReservationStatus::Expired, "Expired"},
    {ReservationStatus::Removed, "Removed"},
}};

}  // namespace

std::string_view to_string(ReservationStatus v) {
  for (const auto& [e, name] : kReservation) {
    if (e == v) return name;
  }
  return {};
}

std::optional<ReservationStatus> reservation_status_from_string(std::string_view s) {
  for (const auto& [e, name] : kReservation) {
    if (name == s) return e;
  }
  return std::nullopt;
}

bool is_active(ReservationStatus status) {
  return status == ReservationStatus::Pending || status == ReservationStatus::Accepted;
}

}  // namespace storage

namespace storage::sqlite {

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

std::int64_t SqliteReservationStore::insert(const Reservation& r) {
  Statement st(db_,
               "INSERT INTO reservations (station_id, evse_id, connector_id, id_tag, "
               "parent_id_tag, token_type, connector_type, expiry, status, transaction_id, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(r.station_id, r.evse_id, r.connector_id, r.id_tag, r.parent_id_tag, r.token_type,
              r.connector_type, r.expiry, to_string(r.status), r.transaction_id, r.created_at,
              r.updated_at);
  st.run();
  return st.last_insert_rowid();
}

bool SqliteReservationStore::update(const Reservation& r) {
  Statement st(db_,
               "UPDATE reservations SET station_id = ?, evse_id = ?, connector_id = ?, "
               "id_tag = ?, parent_id_tag = ?, token_type = ?, connector_type = ?, expiry = ?, "
               "status = ?, transaction_id = ?, created_at = ?, updated_at = ? WHERE id = ?");
  st.bind_all(r.station_id, r.evse_id, r.connector_id, r.id_tag, r.parent_id_tag, r.token_type,
              r.connector_type, r.expiry, to_string(r.status), r.transaction_id, r.created_at,
              r.updated_at, r.id);
  st.run();
  return st.changes() > 0;
}

std::optional<Reservation> SqliteReservationStore::get(std::int64_t id) {
  static const std::string sql = "SELECT " + kColumns + " FROM reservations WHERE id = ?";
  Statement st(db_, sql);
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_reservation(st);
}

std::vector<Reservation> SqliteReservationStore::list(const ReservationFilter& f) {
  // Fixed fragments only, values bound.
  std::string sql = "SELECT " + kColumns + " FROM reservations WHERE 1";
  if (f.station_id) sql += " AND station_id = ?";
  if (f.active) {
    sql += *f.active ? " AND status IN ('Pending', 'Accepted') AND expiry > ?"
                     : " AND (status NOT IN ('Pending', 'Accepted') OR expiry <= ?)";
  }
  sql += " ORDER BY id DESC LIMIT ?";
  Statement st(db_, sql);
  int index = 0;
  if (f.station_id) st.bind(++index, *f.station_id);
  if (f.active) st.bind(++index, f.now);
  st.bind(++index, limit_param(f.limit));
  std::vector<Reservation> out;
  while (st.step()) out.push_back(read_reservation(st));
  return out;
}

std::size_t SqliteReservationStore::expire(const DateTime& now) {
  Statement st(db_,
               "UPDATE reservations SET status = 'Expired', updated_at = ? "
               "WHERE status IN ('Pending', 'Accepted') AND expiry <= ?");
  st.bind_all(now, now);
  st.run();
  return static_cast<std::size_t>(st.changes());
}

}  // namespace storage::sqlite
