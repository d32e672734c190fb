// OCPP 1.6 station security commands: rotate-password (ChangeConfiguration
// AuthorizationKey, hex-encoded as the security whitepaper asks) and
// upgrade-security (InstallCertificate CentralSystemRootCertificate, then
// ChangeConfiguration SecurityProfile).
#include "handlers/station_security.hpp"
#include "handlers/v16/commands.hpp"
#include "ocpp/v16/codec.hpp"
#include "services/services.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

void add_security_commands(CommandTable& table) {
  table["rotate-password"] = [](Services& sv, StationSession& session, Params& p,
                                CommandDone done) {
    auto password = rotation_password(p);
    if (!p.ok()) return;
    w::ChangeConfigurationRequest req;
    req.key = "AuthorizationKey";
    req.value = hex_encode(*password);
    send(session, req, after_rotation(sv, session.station_id(), *password, std::move(done)));
  };
  table["upgrade-security"] = [](Services& sv, StationSession& session, Params& p,
                                 CommandDone done) {
    auto plan = upgrade_plan(sv, session.station_id(), p);
    if (!p.ok()) return;
    std::vector<UpgradeStep> steps;
    auto* s = &session;
    auto keep = session.shared_from_this();
    steps.push_back({"InstallCertificate", [s, keep, pem = plan->root_pem](CommandDone d) {
                       w::InstallCertificateRequest req;
                       req.certificateType =
                           w::CertificateUseEnumType::CentralSystemRootCertificate;
                       req.certificate = pem;
                       send(*s, req, std::move(d));
                     }});
    steps.push_back(
        {"ChangeConfiguration SecurityProfile", [s, keep, to = plan->to](CommandDone d) {
           w::ChangeConfigurationRequest req;
           req.key = "SecurityProfile";
           req.value = std::to_string(to);
           send(*s, req, std::move(d));
         }});
    // Profile 3 only once the station holds a client certificate (or --force).
    when_certificate_checked(
        sv, session.station_id(), *plan,
        [plan = *plan, steps = std::move(steps), done = std::move(done)](std::string problem) {
          if (!problem.empty())
            return done(command_failure(CommandError::InvalidArgument, problem));
          run_upgrade(plan, steps, done);
        });
  };
}

}  // namespace csms::v16
