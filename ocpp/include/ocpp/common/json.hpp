#pragma once
// The one place RapidJSON is configured and included. Include this, never
// rapidjson/*.h directly, so the assert and parse settings hold everywhere.

#include <stdexcept>

// A RapidJSON assertion is a programming error on our side (e.g. GetString on a
// number); turn it into an exception so a bug can never abort the server.
#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) \
  ((x) ? static_cast<void>(0) : throw std::logic_error("rapidjson assertion: " #x))
#endif
#ifndef RAPIDJSON_NOEXCEPT_ASSERT
#define RAPIDJSON_NOEXCEPT_ASSERT(x) static_cast<void>(0)
#endif

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ocpp/common/json_fwd.hpp"

namespace ocpp {

/// Parse flags for untrusted input: iterative (no recursion, so nesting depth
/// cannot overflow the stack), strict UTF-8, full-precision numbers.
constexpr unsigned kJsonParseFlags = rapidjson::kParseIterativeFlag |
                                     rapidjson::kParseValidateEncodingFlag |
                                     rapidjson::kParseFullPrecisionFlag;

static_assert(rapidjson::kWriteValidateEncodingFlag == 1, "JsonWriter's flags in json_fwd.hpp");

}  // namespace ocpp
