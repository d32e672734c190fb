#include "postgres/operations_store.hpp"

#include <algorithm>
#include <limits>

namespace storage::pg {

std::int64_t PgOperationsStore::open_alert(const Alert& a) {
  Statement st(db_,
               "INSERT INTO alerts (kind, station_id, connector_id, opened_at, details) "
               "VALUES ($1, $2, $3, $4, $5) RETURNING id");
  st.bind_all(a.kind, a.station_id, a.connector_id, a.opened_at, a.details);
  st.step();
  return st.int64(0);
}

std::optional<std::int64_t> PgOperationsStore::close_alert(const std::string& kind,
                                                           const std::string& station_id,
                                                           int connector_id, const DateTime& at,
                                                           const std::string& reason) {
  std::int64_t id = 0;
  {
    Statement find(db_,
                   "SELECT a.id FROM alerts a WHERE a.kind = $1 AND a.station_id = $2 AND "
                   "a.connector_id = $3 AND NOT EXISTS (SELECT 1 FROM alert_closures c WHERE "
                   "c.alert_id = a.id) ORDER BY a.id DESC LIMIT 1");
    find.bind_all(kind, station_id, connector_id);
    if (!find.step()) return std::nullopt;
    id = find.int64(0);
  }
  // Another node may have closed it meanwhile: then it is not this one's to close.
  Statement st(db_,
               "INSERT INTO alert_closures (alert_id, closed_at, reason) VALUES ($1, $2, $3) "
               "ON CONFLICT (alert_id) DO NOTHING");
  st.bind_all(id, at, reason);
  st.run();
  if (st.changes() == 0) return std::nullopt;
  return id;
}

std::vector<Alert> PgOperationsStore::alerts(const AlertFilter& f) {
  Statement st(db_,
               "SELECT a.id, a.kind, a.station_id, a.connector_id, a.opened_at, a.details, "
               "c.closed_at, c.reason FROM alerts a LEFT JOIN alert_closures c ON c.alert_id = "
               "a.id WHERE (NOT $1::boolean OR c.alert_id IS NULL) AND "
               "($2::text IS NULL OR a.station_id = $2) "
               "ORDER BY a.opened_at DESC, a.id DESC LIMIT $3");
  const auto limit = static_cast<std::int64_t>(
      std::min<std::size_t>(f.limit, static_cast<std::size_t>(std::numeric_limits<int>::max())));
  st.bind_all(f.open_only, f.station_id, limit);
  std::vector<Alert> out;
  while (st.step()) {
    Alert a;
    a.id = st.int64(0);
    a.kind = st.text(1);
    a.station_id = st.text(2);
    a.connector_id = st.integer(3);
    a.opened_at = st.time(4);
    a.details = st.text(5);
    a.closed_at = st.opt_time(6);
    a.close_reason = st.opt_text(7).value_or("");
    out.push_back(std::move(a));
  }
  return out;
}

void PgOperationsStore::add_status(const StatusChange& c) {
  Statement st(db_,
               "INSERT INTO connector_status_history (station_id, evse_id, connector_id, status, "
               "error_code, vendor_error_code, info, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
  st.bind_all(c.station_id, c.evse_id, c.connector_id, to_string(c.status), c.error_code,
              c.vendor_error_code, c.info, c.at);
  st.run();
}

void PgOperationsStore::add_link(const StationLink& l) {
  Statement st(db_, "INSERT INTO station_links (station_id, online, at) VALUES ($1, $2, $3)");
  st.bind_all(l.station_id, l.online, l.at);
  st.run();
}

void PgOperationsStore::add_operator_availability(const OperatorAvailability& o) {
  Statement st(db_,
               "INSERT INTO operator_availability (station_id, evse_id, connector_id, operative, "
               "at) VALUES ($1, $2, $3, $4, $5)");
  st.bind_all(o.station_id, o.evse_id, o.connector_id, o.operative, o.at);
  st.run();
}

namespace {

template <class T>
void by_time(std::vector<T>& v) {
  std::stable_sort(v.begin(), v.end(),
                   [](const T& a, const T& b) { return a.at.unix_micros() < b.at.unix_micros(); });
}

}  // namespace

AvailabilityHistory PgOperationsStore::history(const std::string& station_id, const DateTime& from,
                                               const DateTime& to) {
  AvailabilityHistory h;
  // The state at `from` is each key's last record before it (DISTINCT ON keeps
  // the first row of each key in the ORDER BY: the newest).
  {
    Statement st(db_,
                 "SELECT DISTINCT ON (station_id, evse_id, connector_id) station_id, evse_id, "
                 "connector_id, status, error_code, vendor_error_code, info, at FROM "
                 "connector_status_history WHERE ($1::text = '' OR station_id = $1) AND at < $2 "
                 "ORDER BY station_id, evse_id, connector_id, at DESC, id DESC");
    st.bind_all(station_id, from);
    while (st.step())
      h.statuses.push_back({st.text(0), st.integer(1), st.integer(2),
                            connector_status_from_string(st.text(3)), st.text(4), st.text(5),
                            st.text(6), st.time(7)});
  }
  {
    Statement st(db_,
                 "SELECT station_id, evse_id, connector_id, status, error_code, "
                 "vendor_error_code, info, at FROM connector_status_history WHERE ($1::text = '' "
                 "OR station_id = $1) AND at >= $2 AND at < $3 ORDER BY at, id");
    st.bind_all(station_id, from, to);
    while (st.step())
      h.statuses.push_back({st.text(0), st.integer(1), st.integer(2),
                            connector_status_from_string(st.text(3)), st.text(4), st.text(5),
                            st.text(6), st.time(7)});
  }
  {
    Statement st(db_,
                 "SELECT DISTINCT ON (station_id) station_id, online, at FROM station_links "
                 "WHERE ($1::text = '' OR station_id = $1) AND at < $2 "
                 "ORDER BY station_id, at DESC, id DESC");
    st.bind_all(station_id, from);
    while (st.step()) h.links.push_back({st.text(0), st.boolean(1), st.time(2)});
  }
  {
    Statement st(db_,
                 "SELECT station_id, online, at FROM station_links WHERE ($1::text = '' OR "
                 "station_id = $1) AND at >= $2 AND at < $3 ORDER BY at, id");
    st.bind_all(station_id, from, to);
    while (st.step()) h.links.push_back({st.text(0), st.boolean(1), st.time(2)});
  }
  {
    Statement st(db_,
                 "SELECT DISTINCT ON (station_id, evse_id, connector_id) station_id, evse_id, "
                 "connector_id, operative, at FROM operator_availability WHERE ($1::text = '' OR "
                 "station_id = $1) AND at < $2 "
                 "ORDER BY station_id, evse_id, connector_id, at DESC, id DESC");
    st.bind_all(station_id, from);
    while (st.step())
      h.operator_changes.push_back(
          {st.text(0), st.integer(1), st.integer(2), st.boolean(3), st.time(4)});
  }
  {
    Statement st(db_,
                 "SELECT station_id, evse_id, connector_id, operative, at FROM "
                 "operator_availability WHERE ($1::text = '' OR station_id = $1) AND at >= $2 "
                 "AND at < $3 ORDER BY at, id");
    st.bind_all(station_id, from, to);
    while (st.step())
      h.operator_changes.push_back(
          {st.text(0), st.integer(1), st.integer(2), st.boolean(3), st.time(4)});
  }
  by_time(h.statuses);
  by_time(h.links);
  by_time(h.operator_changes);
  return h;
}

bool PgOperationsStore::add_transaction_closure(const TransactionClosure& c) {
  Statement st(db_,
               "INSERT INTO transaction_closures (transaction_id, closed_at, reason) "
               "VALUES ($1, $2, $3) ON CONFLICT (transaction_id) DO NOTHING");
  st.bind_all(c.transaction_id, c.closed_at, c.reason);
  st.run();
  return st.changes() > 0;
}

std::optional<TransactionClosure> PgOperationsStore::transaction_closure(
    std::int64_t transaction_id) {
  Statement st(db_,
               "SELECT transaction_id, closed_at, reason FROM transaction_closures WHERE "
               "transaction_id = $1");
  st.bind_all(transaction_id);
  if (!st.step()) return std::nullopt;
  return TransactionClosure{st.int64(0), st.time(1), st.text(2)};
}

}  // namespace storage::pg
