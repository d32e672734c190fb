// OCPP-J CALLERROR codes and their per-version wire spellings.

#include "ocpp/common/error.hpp"

#include <array>
#include <utility>

namespace ocpp {

std::string_view to_string(ErrorCode code, Version version) {
  const bool v16 = version == Version::v16;
  switch (code) {
    case ErrorCode::FormatViolation:
      return v16 ? "FormationViolation" : "FormatViolation";
    case ErrorCode::GenericError:
      return "GenericError";
    case ErrorCode::InternalError:
      return "InternalError";
    // 1.6 has no code for a bad message type or a broken RPC frame; both are
    // structural problems of the message, which is what FormationViolation means.
    case ErrorCode::MessageTypeNotSupported:
      return v16 ? "FormationViolation" : "MessageTypeNotSupported";
    case ErrorCode::RpcFrameworkError:
      return v16 ? "FormationViolation" : "RpcFrameworkError";
    case ErrorCode::NotImplemented:
      return "NotImplemented";
    case ErrorCode::NotSupported:
      return "NotSupported";
    case ErrorCode::OccurrenceConstraintViolation:
      // 1.6 spells it with one 'r' (OCPP-J 1.6 §4.2.3); the wire must match.
      return v16 ? "OccurenceConstraintViolation" : "OccurrenceConstraintViolation";
    case ErrorCode::PropertyConstraintViolation:
      return "PropertyConstraintViolation";
    case ErrorCode::ProtocolError:
      return "ProtocolError";
    case ErrorCode::SecurityError:
      return "SecurityError";
    case ErrorCode::TypeConstraintViolation:
      return "TypeConstraintViolation";
  }
  return "GenericError";  // Unreachable for valid enumerators.
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
  // Every spelling of both versions; a peer may use either regardless of the
  // negotiated version, and being lenient here only affects logging/dispatch.
  static constexpr std::array<std::pair<std::string_view, ErrorCode>, 14> kSpellings{{
      {"FormatViolation", ErrorCode::FormatViolation},
      {"FormationViolation", ErrorCode::FormatViolation},
      {"GenericError", ErrorCode::GenericError},
      {"InternalError", ErrorCode::InternalError},
      {"MessageTypeNotSupported", ErrorCode::MessageTypeNotSupported},
      {"NotImplemented", ErrorCode::NotImplemented},
      {"NotSupported", ErrorCode::NotSupported},
      {"OccurrenceConstraintViolation", ErrorCode::OccurrenceConstraintViolation},
      {"OccurenceConstraintViolation", ErrorCode::OccurrenceConstraintViolation},
      {"PropertyConstraintViolation", ErrorCode::PropertyConstraintViolation},
      {"ProtocolError", ErrorCode::ProtocolError},
      {"RpcFrameworkError", ErrorCode::RpcFrameworkError},
      {"SecurityError", ErrorCode::SecurityError},
      {"TypeConstraintViolation", ErrorCode::TypeConstraintViolation},
  }};
  for (const auto& [spelling, code] : kSpellings) {
    if (spelling == text) return code;
  }
  return std::nullopt;
}

}  // namespace ocpp
