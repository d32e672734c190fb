#include "postgres/admin_store.hpp"

namespace storage::pg {

bool PgAdminStore::add_token(const ApiToken& t) {
  // A taken name (or hash) writes nothing, as SQLite's INSERT OR IGNORE.
  Statement st(db_,
               "INSERT INTO api_tokens (name, role, hash, created_at, created_by, revoked_at) "
               "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
  st.bind_all(t.name, t.role, t.hash, t.created_at, t.created_by, t.revoked_at);
  st.run();
  return st.changes() == 1;
}

std::vector<ApiToken> PgAdminStore::tokens() {
  Statement st(db_,
               "SELECT name, role, hash, created_at, created_by, revoked_at FROM api_tokens "
               "ORDER BY name COLLATE \"C\"");
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

bool PgAdminStore::revoke_token(const std::string& name, const DateTime& at) {
  Statement st(db_, "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL");
  st.bind_all(at, name);
  st.run();
  return st.changes() == 1;
}

std::int64_t PgAdminStore::append_audit(const AuditEntry& e) {
  Statement st(db_,
               "INSERT INTO admin_audit (at, token_name, role, method, path, target, summary, "
               "http_status, result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id");
  st.bind_all(e.at, e.token_name, e.role, e.method, e.path, e.target, e.summary, e.http_status,
              e.result);
  st.step();
  return st.int64(0);
}

std::vector<AuditEntry> PgAdminStore::audit(std::size_t limit,
                                            const std::optional<DateTime>& since) {
  const std::string columns =
      "SELECT id, at, token_name, role, method, path, target, summary, http_status, result "
      "FROM admin_audit ";
  Statement st(db_, since ? columns + "WHERE at >= $1 ORDER BY id DESC LIMIT $2"
                          : columns + "ORDER BY id DESC LIMIT $1");
  if (since)
    st.bind_all(*since, limit_param(limit));
  else
    st.bind_all(limit_param(limit));
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
    e.http_status = st.integer(8);
    e.result = st.text(9);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace storage::pg
