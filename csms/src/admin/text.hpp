#pragma once
// Text helpers of the admin API: UTF-8 repair, percent-decoding, constant-time
// comparison. Also used by metrics.cpp for label values.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace csms::admin {

/// `s` with every malformed UTF-8 byte replaced by U+FFFD, so JSON and
/// Prometheus output stay valid whatever a station sent.
std::string sanitize_utf8(std::string_view s);

/// Whether `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

/// Characters (code points) in well-formed UTF-8 `s`.
std::size_t utf8_length(std::string_view s);

/// Decodes %XX escapes; with `plus_is_space` (query strings) '+' becomes ' '.
/// nullopt for a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

/// Compares secrets without leaking where they differ or how long they are
/// (compares SHA-256 digests with CRYPTO_memcmp).
bool secure_equals(std::string_view a, std::string_view b);

}  // namespace csms::admin
