#include <stdexcept>

#include "postgres/statement.hpp"
#include "postgres/stores.hpp"

namespace storage::pg {

namespace {

const std::string kTokenColumns = "id_tag, status, expiry, parent_id_tag, created_at, updated_at";

IdToken read_token(const Statement& st) {
  IdToken t;
  t.id_tag = st.text(0);
  std::string status = st.text(1);
  auto parsed = token_status_from_string(status);
  if (!parsed) {
    throw std::runtime_error("id token " + t.id_tag + ": unknown status '" + status +
                             "' in the database");
  }
  t.status = *parsed;
  t.expiry = st.opt_time(2);
  t.parent_id_tag = st.opt_text(3);
  t.created_at = st.time(4);
  t.updated_at = st.time(5);
  return t;
}

}  // namespace

// id_tag compares case-insensitively (the unique index on lower(id_tag)), as OCPP says.

std::optional<IdToken> PgTokenStore::get(const std::string& id_tag) {
  static const std::string sql =
      "SELECT " + kTokenColumns + " FROM id_tokens WHERE lower(id_tag) = lower(?)";
  Statement st(db_, sql);
  st.bind_all(id_tag);
  if (!st.step()) return std::nullopt;
  return read_token(st);
}

std::vector<IdToken> PgTokenStore::list() {
  static const std::string sql = "SELECT " + kTokenColumns + " FROM id_tokens ORDER BY id_tag";
  Statement st(db_, sql);
  std::vector<IdToken> out;
  while (st.step()) out.push_back(read_token(st));
  return out;
}

void PgTokenStore::put(const IdToken& t) {
  // The stored spelling of id_tag follows the latest put.
  static const std::string sql = "INSERT INTO id_tokens (" + kTokenColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT ((lower(id_tag))) DO UPDATE SET "
                                 "id_tag = excluded.id_tag, status = excluded.status, "
                                 "expiry = excluded.expiry, "
                                 "parent_id_tag = excluded.parent_id_tag, "
                                 "created_at = excluded.created_at, "
                                 "updated_at = excluded.updated_at";
  Statement st(db_, sql);
  st.bind_all(t.id_tag, to_string(t.status), t.expiry, t.parent_id_tag, t.created_at, t.updated_at);
  st.run();
}

bool PgTokenStore::remove(const std::string& id_tag) {
  Statement st(db_, "DELETE FROM id_tokens WHERE lower(id_tag) = lower(?)");
  st.bind_all(id_tag);
  st.run();
  return st.changes() > 0;
}

}  // namespace storage::pg
