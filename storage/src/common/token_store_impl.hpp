#pragma once
// The token store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include <stdexcept>

#include "common/stores.hpp"

namespace storage::common {

namespace {

const std::string kTokenColumns = "id_tag, status, expiry, parent_id_tag, created_at, updated_at";

template <class Statement>
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

// id_tag compares case-insensitively (Dialect::kIdTagEquals), as OCPP says.

template <class D>
std::optional<IdToken> TokenStoreT<D>::get(const std::string& id_tag) {
  static const std::string sql =
      "SELECT " + kTokenColumns + " FROM id_tokens WHERE " + D::kIdTagEquals;
  Statement st(db_, sql);
  st.bind_all(id_tag);
  if (!st.step()) return std::nullopt;
  return read_token(st);
}

template <class D>
std::vector<IdToken> TokenStoreT<D>::list() {
  static const std::string sql = "SELECT " + kTokenColumns + " FROM id_tokens ORDER BY id_tag";
  Statement st(db_, sql);
  std::vector<IdToken> out;
  while (st.step()) out.push_back(read_token(st));
  return out;
}

template <class D>
void TokenStoreT<D>::put(const IdToken& t) {
  // The stored spelling of id_tag follows the latest put.
  static const std::string sql = "INSERT INTO id_tokens (" + kTokenColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (" +
                                 D::kIdTagKey +
                                 ") DO UPDATE SET "
                                 "id_tag = excluded.id_tag, status = excluded.status, "
                                 "expiry = excluded.expiry, "
                                 "parent_id_tag = excluded.parent_id_tag, "
                                 "created_at = excluded.created_at, "
                                 "updated_at = excluded.updated_at";
  Statement st(db_, sql);
  st.bind_all(t.id_tag, to_string(t.status), t.expiry, t.parent_id_tag, t.created_at, t.updated_at);
  st.run();
}

template <class D>
bool TokenStoreT<D>::remove(const std::string& id_tag) {
  static const std::string sql = std::string("DELETE FROM id_tokens WHERE ") + D::kIdTagEquals;
  Statement st(db_, sql);
  st.bind_all(id_tag);
  st.run();
  return st.changes() > 0;
}

}  // namespace storage::common
