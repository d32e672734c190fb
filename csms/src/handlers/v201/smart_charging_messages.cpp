// ReportChargingProfiles (K09): the profiles a station reports after
// GetChargingProfiles are stored as the station's own (replacing a stored one
// with the same id, or on the same EVSE with the same purpose and stack level),
// answered once committed.
#include "csms/log.hpp"
#include "handlers/handler_support.hpp"
#include "handlers/v201/smart_charging.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc/router.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

void register_smart_charging_handlers(Router& router, Services& sv) {
  router.on<w::ReportChargingProfilesRequest>(
      [&sv](StationSession& s, w::ReportChargingProfilesRequest req,
            Reply<w::ReportChargingProfilesResponse> reply) {
        std::vector<storage::ChargingProfile> profiles;
        const std::string source(w::to_string(req.chargingLimitSource));
        for (const auto& cp : req.chargingProfile)
          profiles.push_back(
              stored_profile(s.station_id(), static_cast<int>(req.evseId), cp, true, source));
        const std::string station = s.station_id();
        log::info("{}: ReportChargingProfiles {}: {} profile(s) on EVSE {}", station, req.requestId,
                  profiles.size(), req.evseId);
        sv.ctx.db.write(
            [station, profiles = std::move(profiles)](storage::Session& db) {
              if (!db.stations.get(station)) return;
              for (const auto& p : profiles) db.charging_profiles.put(p);
            },
            sv.ctx.on_io([reply, station](std::exception_ptr e) {
              if (e) return storage_failed(reply, station, "ReportChargingProfiles", e);
              reply(w::ReportChargingProfilesResponse{});
            }));
      });
}

}  // namespace csms::v201
