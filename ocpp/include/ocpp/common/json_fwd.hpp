#pragma once
// Forward declarations of the RapidJSON types our public headers mention, so
// those headers stay light. Also the one place RapidJSON's assert is set: any
// rapidjson header defines its own on first include, so this must come first
// (include this or json.hpp, never rapidjson/*.h directly).

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

#include <rapidjson/fwd.h>

namespace ocpp {

/// The writer every encoder writes into: compact, UTF-8, no NaN/Inf, and it
/// refuses invalid UTF-8 (flag 1 is kWriteValidateEncodingFlag; json.hpp checks).
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<char>,
                                     rapidjson::UTF8<char>, rapidjson::CrtAllocator, 1>;

}  // namespace ocpp
