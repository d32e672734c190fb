#pragma once
// Version-neutral description of one OCPP action, as the generated action tables
// list them.

#include <string>
#include <string_view>

#include "ocpp/common/decode.hpp"
#include "ocpp/common/json_fwd.hpp"

namespace ocpp {

/// Which side sends the CALL of an action.
enum class Initiator { Station, Csms, Either };

/// Validates (fully decodes) a payload; when `reencoded` is given, also writes the
/// decoded message back as JSON text.
using PayloadCheck = bool (*)(const rapidjson::Value& payload, DecodeContext& ctx,
                              std::string* reencoded);

/// One action of one OCPP version: its name, direction and payload checks.
struct ActionInfo {
  std::string_view name;
  Initiator initiator;
  PayloadCheck check_request;
  PayloadCheck check_response;
};

}  // namespace ocpp
