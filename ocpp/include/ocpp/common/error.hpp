#pragma once
// OCPP-J RPC error codes, version-neutral, with the per-version wire spellings.

#include <optional>
#include <string_view>

#include "ocpp/common/version.hpp"

namespace ocpp {

/// The CALLERROR codes of OCPP-J 1.6 and 2.0.1 under one name each.
/// FormatViolation is 1.6's FormationViolation; OccurrenceConstraintViolation is
/// 1.6's OccurenceConstraintViolation (sic). MessageTypeNotSupported and
/// RpcFrameworkError exist only in 2.0.1.
enum class ErrorCode {
  FormatViolation,
  GenericError,
  InternalError,
  MessageTypeNotSupported,
  NotImplemented,
  NotSupported,
  OccurrenceConstraintViolation,
  PropertyConstraintViolation,
  ProtocolError,
  RpcFrameworkError,
  SecurityError,
  TypeConstraintViolation,
};

/// The wire spelling of `code` for `version`. Codes that do not exist in 1.6 map
/// to their nearest 1.6 equivalent, FormationViolation (both describe a
/// structurally broken message).
std::string_view to_string(ErrorCode code, Version version);

/// Parses a wire spelling; accepts both versions' spellings.
std::optional<ErrorCode> error_code_from_string(std::string_view text);

}  // namespace ocpp
