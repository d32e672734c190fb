// OCPP versions and their WebSocket subprotocol names.

#include "ocpp/common/version.hpp"

namespace ocpp {

std::string_view subprotocol(Version version) {
  switch (version) {
    case Version::v16:
      return "ocpp1.6";
    case Version::v201:
      return "ocpp2.0.1";
  }
  return {};  // Unreachable for valid enumerators; keeps -Wreturn-type quiet.
}

std::optional<Version> version_from_subprotocol(std::string_view name) {
  // Subprotocol tokens are compared exactly (RFC 6455 §4.1: case-sensitive).
  if (name == "ocpp1.6") return Version::v16;
  if (name == "ocpp2.0.1") return Version::v201;
  return std::nullopt;
}

}  // namespace ocpp
