#pragma once
// The SQLite AdminStore (tables api_tokens and admin_audit, migration 0015).

#include "storage/admin.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteAdminStore final : public AdminStore {
 public:
  explicit SqliteAdminStore(SqliteDatabase& db) : db_(db) {}
  bool add_token(const ApiToken& token) override;
  std::vector<ApiToken> tokens() override;
  bool revoke_token(const std::string& name, const DateTime& at) override;
  std::int64_t append_audit(const AuditEntry& entry) override;
  std::vector<AuditEntry> audit(std::size_t limit, const std::optional<DateTime>& since) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
