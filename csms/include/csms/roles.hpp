#pragma once
// The roles of admin API tokens, lowest first: each role may do what the
// roles below it may (docs/security.md, "Admin API tokens and roles").

#include <optional>
#include <string_view>

namespace csms {

/// What an admin API token may do.
enum class Role {
  Viewer,    ///< Read only (GET).
  Operator,  ///< Station commands and changes: stations, id tags, sites, carbon.
  Admin,     ///< Tokens, audit log, CA, TLS, security settings and security commands.
};

inline const char* to_string(Role r) {
  switch (r) {
    case Role::Viewer:
      return "viewer";
    case Role::Operator:
      return "operator";
    case Role::Admin:
      return "admin";
  }
  return "admin";
}

inline std::optional<Role> role_from_string(std::string_view s) {
  if (s == "viewer") return Role::Viewer;
  if (s == "operator") return Role::Operator;
  if (s == "admin") return Role::Admin;
  return std::nullopt;
}

/// Whether `held` may do what needs `required`.
inline bool role_allows(Role held, Role required) {
  return static_cast<int>(held) >= static_cast<int>(required);
}

}  // namespace csms
