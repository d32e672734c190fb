#pragma once
// What the 2.0.1 smart-charging commands and station messages share.

#include <string>
#include <vector>

#include "ocpp/v201/messages.hpp"
#include "storage/charging_profiles.hpp"

namespace csms {

class Router;
struct Services;

namespace v201 {

/// The chargingSchedule array as JSON text.
std::string schedules_json(const std::vector<ocpp::v201::ChargingScheduleType>& schedules);

/// The stored form of a 2.0.1 profile on `evse_id` (0: the station), set by
/// `source` (CSO: this CSMS).
storage::ChargingProfile stored_profile(const std::string& station_id, int evse_id,
                                        const ocpp::v201::ChargingProfileType& profile,
                                        bool accepted, const std::string& source);

/// ReportChargingProfiles: the reported profiles are stored, then answered.
void register_smart_charging_handlers(Router& router, Services& services);

}  // namespace v201
}  // namespace csms
