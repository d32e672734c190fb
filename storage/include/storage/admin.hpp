#pragma once
// The admin API's named tokens (stored hashed, with a role) and its audit log
// of changes, commands and refused requests. Both are appended; a token's only
// change is its revocation, set once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// One named admin API token: never the token itself, only its SHA-256.
struct ApiToken {
  std::string name;
  std::string role;  ///< viewer, operator or admin.
  std::string hash;  ///< Lowercase hex SHA-256 of the token.
  DateTime created_at;
  std::string created_by;  ///< The token name that created it.
  std::optional<DateTime> revoked_at;
};

/// One audited admin request, after it completed (or was refused).
struct AuditEntry {
  std::int64_t id = 0;
  DateTime at;
  std::string token_name;  ///< Empty when no valid token was presented.
  std::string role;        ///< The token's role; empty without one.
  std::string method;
  std::string path;
  std::string target;   ///< What it acted on (station, tag, token name...), if any.
  std::string summary;  ///< The parameters, secrets masked.
  int http_status = 0;
  std::string result;  ///< A station command's answer status (Accepted...), if any.
};

/// Admin tokens and the audit log.
class AdminStore {
 public:
  virtual ~AdminStore() = default;
  /// Inserts a token; false (nothing written) when the name is taken, revoked or not.
  virtual bool add_token(const ApiToken& token) = 0;
  /// Every token, revoked ones too, by name.
  virtual std::vector<ApiToken> tokens() = 0;
  /// Sets revoked_at once: false if the name is unknown or already revoked.
  virtual bool revoke_token(const std::string& name, const DateTime& at) = 0;
  virtual std::int64_t append_audit(const AuditEntry& entry) = 0;
  /// The newest `limit` entries at or after `since` (all when unset), newest first.
  virtual std::vector<AuditEntry> audit(std::size_t limit,
                                        const std::optional<DateTime>& since) = 0;
};

}  // namespace storage
