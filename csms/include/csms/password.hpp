#pragma once
// Station passwords: only salted PBKDF2 hashes are stored, never the password.

#include <string>
#include <string_view>

namespace csms {

/// "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>" with a random salt.
std::string hash_password(std::string_view password);

/// Constant-time check of `password` against a hash_password() result. False for
/// a malformed hash.
bool verify_password(std::string_view password, std::string_view hash);

/// OCPP 1.6 security profile 1/2 passwords are 16-20 bytes; 2.0.1 allows 16-40
/// (newer editions 64). We accept 16..64 printable ASCII characters; returns an
/// empty string when valid, else what is wrong.
std::string check_password_rules(std::string_view password);

}  // namespace csms
