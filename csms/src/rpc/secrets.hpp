#pragma once
// Station passwords sent in CALLs never reach the message log or the device
// model: 1.6 ChangeConfiguration of AuthorizationKey and 2.0.1 SetVariables
// of SecurityCtrlr.BasicAuthPassword are masked there (the station still gets
// the real value).

#include <optional>
#include <string>
#include <string_view>

namespace csms {

/// What a masked secret reads as.
inline constexpr std::string_view kRedacted = "********";

/// Whether a 2.0.1 component/variable holds a secret (BasicAuthPassword).
bool is_secret_variable(std::string_view component, std::string_view variable);

/// `payload_json` of a CALL `action` with its secrets masked, or nullopt
/// when it carries none (only ChangeConfiguration and SetVariables are read).
std::optional<std::string> redact_secrets(std::string_view action, const std::string& payload_json);

}  // namespace csms
