#pragma once
// Availability (uptime) of connectors and stations over a period, AFIR-style:
// the share of time a connector could be used. Faulted, Unavailable and a
// disconnected station count as unavailable; time a connector was Unavailable
// because the operator made it Inoperative (ChangeAvailability) is left out
// of the denominator, and so is time before anything was known of it.

#include <optional>
#include <string>
#include <vector>

#include "storage/operations.hpp"

namespace csms {

/// One connector's (or a station's, summed) times in seconds.
struct AvailabilityFigures {
  double available_s = 0;
  double unavailable_s = 0;
  double excluded_s = 0;  ///< Unavailable by the operator's choice.
  double unknown_s = 0;   ///< Nothing known yet.
  /// available / (available + unavailable); nullopt when that is 0.
  std::optional<double> share() const;
};

struct ConnectorAvailability {
  std::string station_id;
  int connector_id = 0;  ///< 1.6 connectorId, 2.0.1 EVSE id.
  AvailabilityFigures figures;
};

struct StationAvailability {
  std::string station_id;
  AvailabilityFigures figures;  ///< The sum over its connectors.
  std::vector<ConnectorAvailability> connectors;
};

/// Availability of every connector in `history` over [from, to). 1.6 connector
/// 0 (the whole station) is not a connector of its own; its Unavailable or
/// Faulted makes every connector of the station unavailable.
std::vector<StationAvailability> compute_availability(const storage::AvailabilityHistory& history,
                                                      const storage::DateTime& from,
                                                      const storage::DateTime& to);

/// "2026-11" -> [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z); false if malformed.
bool month_range(const std::string& month, storage::DateTime& from, storage::DateTime& to);

}  // namespace csms
