#pragma once
// The security events a station reports (OCPP 2.0.1 Appendix "Security Events",
// and the 1.6 security whitepaper's list with its Central System / Charge Point
// names) and which of them the specs mark critical, i.e. pushed to the CSMS at
// once rather than only logged on the station.

#include <string_view>

namespace ocpp {

/// True for a type either spec marks critical. Vendor-specific types are not.
bool is_critical_security_event(std::string_view type);

/// True for a type either spec lists (otherwise vendor-specific).
bool is_known_security_event(std::string_view type);

}  // namespace ocpp
