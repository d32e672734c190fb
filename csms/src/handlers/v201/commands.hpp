#pragma once
// The OCPP 2.0.1 operator commands. Each block adds its commands to the table
// from its own file; commands.cpp assembles the table.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "handlers/command_support.hpp"
#include "ocpp/v201/messages.hpp"

namespace csms::v201 {

inline constexpr const char* kVersion = "2.0.1";

/// Parameters a 1.6 station takes where 2.0.1 wants another (for Params::allow).
const std::map<std::string, std::string>& v16_only();

/// Sends a 2.0.1 request and reports the validated answer (see send_command).
template <class Request>
void send(StationSession& session, const Request& request, CommandDone done,
          std::function<void(const typename Request::Response&)> on_answer = nullptr) {
  send_command(session, request, kVersion, std::move(done), std::move(on_answer));
}

/// The EVSE named by 'evse' (and, if `connector_name` is set, that connector).
std::optional<ocpp::v201::EVSEType> evse_of(Params& p, const char* connector_name);

/// Adds "requestId": id to a successful answer, so the operator can find what
/// the station sends later under that id.
CommandDone with_request_id(std::int64_t id, CommandDone done);

/// One device-model reference of get-variables/set-variables/report/monitor-*
/// words: Component[#instance][@evse[:connector]].Variable[#instance][/AttributeType]
struct VariableRef {
  ocpp::v201::ComponentType component;
  std::optional<ocpp::v201::VariableType> variable;
  std::optional<ocpp::v201::AttributeEnumType> attribute;
};

inline constexpr const char* kRefSyntax =
    "Component[#instance][@evse[:connector]].Variable[#instance][/Actual|Target|MinSet|MaxSet]";

/// Parses a reference; nullopt with `problem` naming what is wrong.
std::optional<VariableRef> parse_ref(const std::string& text, bool variable_required,
                                     std::string& problem);

// One per block.
/// firmware-update, firmware-publish/-unpublish, get-log (firmware_commands.cpp)
void add_firmware_commands(CommandTable& table);
void add_core_commands(CommandTable& table);          ///< remote start/stop, reset, trigger, ...
void add_device_model_commands(CommandTable& table);  ///< get/set-variables, report
/// set-profile, get-profiles, clear-profile, composite-schedule
void add_smart_charging_commands(CommandTable& table);
/// display-set/get/clear, customer-info, cert-install/list/delete/signed.
/// rotate-password, upgrade-security (security_commands.cpp)
void add_security_commands(CommandTable& table);
void add_certificate_display_commands(CommandTable& table);
/// monitor-set/-base/-level/-report/-clear, cost-update, network-profile
void add_monitoring_commands(CommandTable& table);

/// reserve, cancel-reservation, local-list send|version (reservation_commands.cpp)
void add_reservation_commands(CommandTable& table);

}  // namespace csms::v201
