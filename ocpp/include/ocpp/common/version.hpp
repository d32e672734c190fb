#pragma once
// OCPP protocol versions and their WebSocket subprotocol names.

#include <optional>
#include <string_view>

namespace ocpp {

/// The OCPP versions this project speaks.
enum class Version { v16, v201 };

/// "ocpp1.6" or "ocpp2.0.1".
std::string_view subprotocol(Version version);
std::optional<Version> version_from_subprotocol(std::string_view name);

}  // namespace ocpp
