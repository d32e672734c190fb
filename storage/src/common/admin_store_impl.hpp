#pragma once
// The admin store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

template <class D>
bool AdminStoreT<D>::add_token(const ApiToken& t) {
  // A taken name (or hash) writes nothing.
  static const std::string sql = D::insert_ignore(
      "api_tokens (name, role, hash, created_at, created_by, revoked_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      "");
  Statement st(db_, sql);
  st.bind_all(t.name, t.role, t.hash, t.created_at, t.created_by, t.revoked_at);
  st.run();
  return st.changes() == 1;
}

template <class D>
std::vector<ApiToken> AdminStoreT<D>::tokens() {
  static const std::string sql =
      std::string(
          "SELECT name, role, hash, created_at, created_by, revoked_at FROM api_tokens "
          "ORDER BY name") +
      D::kCollateC;
  Statement st(db_, sql);
  std::vector<ApiToken> out;
  while (st.step()) {
    ApiToken t;
    t.name = st.text(0);
    t.role = st.text(1);
    t.hash = st.text(2);
    t.created_at = st.time(3);
    t.created_by = st.text(4);
    t.revoked_at = st.opt_time(5);
    out.push_back(std::move(t));
  }
  return out;
}

template <class D>
bool AdminStoreT<D>::revoke_token(const std::string& name, const DateTime& at) {
  Statement st(db_, "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  st.bind_all(at, name);
  st.run();
  return st.changes() == 1;
}

template <class D>
std::int64_t AdminStoreT<D>::append_audit(const AuditEntry& e) {
  static const std::string sql =
      std::string(
          "INSERT INTO admin_audit (at, token_name, role, method, path, target, summary, "
          "http_status, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)") +
      D::kReturningId;
  Statement st(db_, sql);
  st.bind_all(e.at, e.token_name, e.role, e.method, e.path, e.target, e.summary,
              static_cast<std::int64_t>(e.http_status), e.result);
  return D::inserted_id(st);
}

template <class D>
std::vector<AuditEntry> AdminStoreT<D>::audit(std::size_t limit,
                                              const std::optional<DateTime>& since) {
  const std::string columns =
      "SELECT id, at, token_name, role, method, path, target, summary, http_status, result "
      "FROM admin_audit ";
  Statement st(db_, since ? columns + "WHERE at >= ? ORDER BY id DESC LIMIT ?"
                          : columns + "ORDER BY id DESC LIMIT ?");
  if (since)
    st.bind_all(*since, D::limit(limit));
  else
    st.bind_all(D::limit(limit));
  std::vector<AuditEntry> out;
  while (st.step()) {
    AuditEntry e;
    e.id = st.int64(0);
    e.at = st.time(1);
    e.token_name = st.text(2);
    e.role = st.text(3);
    e.method = st.text(4);
    e.path = st.text(5);
    e.target = st.text(6);
    e.summary = st.text(7);
    e.http_status = static_cast<int>(st.int64(8));
    e.result = st.text(9);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace storage::common
