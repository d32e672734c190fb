#pragma once
// RapidJSON with our settings (see json_fwd.hpp), plus the parse flags for
// untrusted input and a compact serializer.

#include "ocpp/common/json_fwd.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace ocpp {

/// Parse flags for untrusted input: iterative (no recursion, so nesting depth
/// cannot overflow the stack) and strict UTF-8. Not kParseFullPrecisionFlag:
/// in RapidJSON 1.1 it turns `0E-0066` into -1.9e+140 (found by the fuzzer).
constexpr unsigned kJsonParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

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

}  // namespace ocpp
