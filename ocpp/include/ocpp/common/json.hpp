#pragma once
// RapidJSON with our settings (see json_fwd.hpp), plus the parse flags for
// untrusted input and a compact serializer.

#include "ocpp/common/json_fwd.hpp"
#include "ocpp/common/raw_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace ocpp {

/// Parse flags for untrusted input: iterative (no recursion, so nesting depth
/// cannot overflow the stack) and strict UTF-8. Numbers are converted by
/// parse_json, not by RapidJSON (see there).
constexpr unsigned kJsonParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

/// Whether parse_json accepts `//` and `/* */` comments (configuration files only).
enum class JsonComments { Rejected, Allowed };

/// Parses `text` into `doc` with kJsonParseFlags. Numbers are converted with
/// std::from_chars, which rounds correctly: RapidJSON 1.1's own conversion is
/// off by an ulp for some decimals (so decode→encode→decode is not stable) and
/// its full-precision mode turns `0E-0066` into -1.9e+140 (both found by the
/// fuzzer). Integers become int64 or uint64 values as RapidJSON would make
/// them; a number too large for a double is an error, a too small one is 0.
/// A string whose escapes decode to invalid UTF-8 (a lone surrogate) is an error.
/// On error `doc` is unspecified and the result has the code and offset.
rapidjson::ParseResult parse_json(std::string_view text, rapidjson::Document& doc,
                                  JsonComments comments = JsonComments::Rejected);

static_assert(rapidjson::kWriteValidateEncodingFlag == 1, "JsonWriter's flags in json_fwd.hpp");

/// `v` as compact JSON text, written by RapidJSON's default Writer (unlike
/// JsonWriter it does not check the UTF-8). Empty if `v` holds a NaN or an
/// infinity, which JSON cannot represent.
inline std::string to_compact_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  if (!v.Accept(writer)) return std::string();
  return std::string(buffer.GetString(), buffer.GetSize());
}

/// `text` as a JSON string value, e.g. for a 2.0.1 DataTransfer's `data` when a
/// person or a scenario gives plain text.
inline RawJson json_string(std::string_view text) {
  const rapidjson::Value value(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return RawJson{to_compact_json(value)};
}

}  // namespace ocpp
