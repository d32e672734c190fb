#pragma once
// Forward declarations of the RapidJSON types our public headers mention, so
// those headers stay light.

#include <rapidjson/fwd.h>

namespace ocpp {

/// The writer every encoder writes into: compact, UTF-8, no NaN/Inf, and it
/// refuses invalid UTF-8 (flag 1 is kWriteValidateEncodingFlag; json.hpp checks).
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<char>,
                                     rapidjson::UTF8<char>, rapidjson::CrtAllocator, 1>;

}  // namespace ocpp
