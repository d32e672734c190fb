#pragma once
// UTF-8 helpers shared by the framing, the codecs and the admin API: validation
// and repair (RFC 3629), byte-bounded truncation and code-point counting.

#include <cstddef>
#include <string>
#include <string_view>

namespace ocpp {

/// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629), 0 if malformed; i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// Whether `s` is well-formed UTF-8 (RFC 3629).
bool is_valid_utf8(std::string_view s);

/// `s` with each byte that starts no well-formed sequence replaced by one U+FFFD.
std::string sanitize_utf8(std::string_view s);

/// Longest prefix of valid UTF-8 `s` of at most `max_bytes` bytes that cuts no character.
std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes);

/// Code points in valid UTF-8 `s` (counts every byte that is not a continuation byte).
std::size_t utf8_length(std::string_view s);

}  // namespace ocpp
