#pragma once
// Text helpers of the admin API: percent-decoding and constant-time comparison.
// UTF-8 helpers live in ocpp/common/utf8.hpp.

#include <optional>
#include <string>
#include <string_view>

namespace csms::admin {

/// Decodes %XX escapes; with `plus_is_space` (query strings) '+' becomes ' '.
/// nullopt for a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

/// Compares secrets without leaking where they differ or how long they are
/// (compares SHA-256 digests with CRYPTO_memcmp).
bool secure_equals(std::string_view a, std::string_view b);

/// The raw SHA-256 digest (32 bytes) of `data`.
std::string sha256(std::string_view data);
/// Lowercase hex of bytes, and back (nullopt for odd length or a non-hex digit).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace csms::admin
