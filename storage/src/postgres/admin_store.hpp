#pragma once
// The PostgreSQL AdminStore (tables api_tokens and admin_audit, migration 0002).

#include "postgres/statement.hpp"
#include "storage/admin.hpp"

namespace storage::pg {

/// Admin API tokens and the audit log on PostgreSQL.
class PgAdminStore final : public AdminStore {
 public:
  explicit PgAdminStore(PgConnection& db) : db_(db) {}
  bool add_token(const ApiToken& token) override;
  std::vector<ApiToken> tokens() override;
  bool revoke_token(const std::string& name, const DateTime& at) override;
  std::int64_t append_audit(const AuditEntry& entry) override;
  std::vector<AuditEntry> audit(std::size_t limit, const std::optional<DateTime>& since) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
