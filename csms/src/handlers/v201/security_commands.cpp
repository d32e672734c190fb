// OCPP 2.0.1 station security commands: rotate-password (SetVariables
// SecurityCtrlr.BasicAuthPassword) and upgrade-security (InstallCertificate
// CSMSRootCertificate, SetNetworkProfile into a free slot, that slot first in
// OCPPCommCtrlr.NetworkConfigurationPriority, Reset OnIdle).
#include <set>
#include <sstream>

#include "handlers/station_security.hpp"
#include "handlers/v201/commands.hpp"
#include "ocpp/v201/codec.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

w::SetVariablesRequest set_one(const char* component, const char* variable, std::string value) {
  w::SetVariablesRequest req;
  w::SetVariableDataType d;
  d.component.name = component;
  d.variable.name = variable;
  d.attributeValue = std::move(value);
  req.setVariableData.push_back(std::move(d));
  return req;
}

// The slots of a NetworkConfigurationPriority value ("1,2"), in order.
std::vector<int> slots_of(const std::string& list) {
  std::vector<int> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      out.push_back(std::stoi(item));
    } catch (const std::exception&) {
      // Not a slot number: ignored.
    }
  }
  return out;
}

// The attributeValue of a GetVariables answer's first result.
std::string first_value(const std::string& response_json) {
  rapidjson::Document doc;
  if (ocpp::parse_json(response_json, doc).IsError() || !doc.IsObject()) return "";
  auto it = doc.FindMember("getVariableResult");
  if (it == doc.MemberEnd() || !it->value.IsArray() || it->value.Empty()) return "";
  const auto& r = it->value[0];
  if (!r.IsObject() || !r.HasMember("attributeValue") || !r["attributeValue"].IsString()) return "";
  return r["attributeValue"].GetString();
}

}  // namespace

void add_security_commands(CommandTable& table) {
  table["rotate-password"] = [](Services& sv, StationSession& session, Params& p,
                                CommandDone done) {
    auto password = rotation_password(p);
    if (!p.ok()) return;
    send(session, set_one("SecurityCtrlr", "BasicAuthPassword", *password),
         after_rotation(sv, session.station_id(), *password, std::move(done)));
  };
  table["upgrade-security"] = [](Services& sv, StationSession& session, Params& p,
                                 CommandDone done) {
    auto plan = upgrade_plan(sv, session.station_id(), p);
    if (!p.ok()) return;
    auto* s = &session;
    auto keep = session.shared_from_this();
    // Filled by the GetVariables step, read by the later ones.
    auto slots = std::make_shared<std::vector<int>>();
    auto slot = std::make_shared<int>(1);
    std::vector<UpgradeStep> steps;
    steps.push_back({"InstallCertificate", [s, keep, pem = plan->root_pem](CommandDone d) {
                       w::InstallCertificateRequest req;
                       req.certificateType = w::InstallCertificateUseEnumType::CSMSRootCertificate;
                       req.certificate = pem;
                       send(*s, req, std::move(d));
                     }});
    steps.push_back({"GetVariables OCPPCommCtrlr.NetworkConfigurationPriority",
                     [s, keep, slots, slot](CommandDone d) {
                       w::GetVariablesRequest req;
                       w::GetVariableDataType g;
                       g.component.name = "OCPPCommCtrlr";
                       g.variable.name = "NetworkConfigurationPriority";
                       req.getVariableData.push_back(g);
                       send(*s, req, [slots, slot, d](CommandResult r) {
                         if (r.error == CommandError::None) {
                           *slots = slots_of(first_value(r.response_json));
                           // A free configurationSlot: the lowest from 1 not in use.
                           const std::set<int> used(slots->begin(), slots->end());
                           while (used.count(*slot)) ++*slot;
                         }
                         d(std::move(r));
                       });
                     }});
    steps.push_back({"SetNetworkProfile",
                     [s, keep, slot, to = plan->to, url = sv.ctx.config.ocpp_tls_public_url,
                      timeout = sv.ctx.config.call_timeout_s](CommandDone d) {
                       w::SetNetworkProfileRequest req;
                       req.configurationSlot = *slot;
                       auto& c = req.connectionData;
                       c.ocppCsmsUrl = url;
                       c.securityProfile = to;
                       c.ocppVersion = w::OCPPVersionEnumType::OCPP20;
                       c.ocppTransport = w::OCPPTransportEnumType::JSON;
                       c.ocppInterface = w::OCPPInterfaceEnumType::Wired0;
                       c.messageTimeout = timeout > 0 ? timeout : 30;
                       send(*s, req, std::move(d));
                     }});
    steps.push_back({"SetVariables OCPPCommCtrlr.NetworkConfigurationPriority",
                     [s, keep, slots, slot](CommandDone d) {
                       std::string list = std::to_string(*slot);
                       for (int old : *slots)
                         if (old != *slot) list += "," + std::to_string(old);
                       send(*s, set_one("OCPPCommCtrlr", "NetworkConfigurationPriority", list),
                            std::move(d));
                     }});
    steps.push_back({"Reset OnIdle", [s, keep](CommandDone d) {
                       w::ResetRequest req;
                       req.type = w::ResetEnumType::OnIdle;
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

}  // namespace csms::v201
