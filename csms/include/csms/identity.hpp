#pragma once
// The rule for station identities, shared by the server and csmsctl.

#include <string>
#include <string_view>

namespace csms {

/// Validates a station identity: 1..48 characters of OCPP 2.0.1's
/// identifierString set without ':' (letters, digits, * - _ = + | @ .), which
/// suits 1.6 too. Returns what is wrong, or empty.
std::string check_identity(std::string_view id);

}  // namespace csms
