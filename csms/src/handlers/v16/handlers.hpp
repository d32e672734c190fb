#pragma once
// OCPP 1.6 handlers: translate 1.6 wire messages to the version-neutral
// services and back. Nothing outside handlers/v16 sees ocpp::v16 types.

#include <functional>

#include "csms/commands.hpp"

namespace csms {

class Router;
class StationSession;
struct ProfileRequest;
struct Services;

namespace v16 {

/// Registers a handler for every station-initiated OCPP 1.6 action.
void register_handlers(Router& router, Services& services);

/// Translates an operator command into the 1.6 CALL, sends it, and translates
/// the answer. Invalid or non-1.6 parameters fail before anything is sent.
void execute_command(Services& services, StationSession& session, const Command& command,
                     std::function<void(CommandResult)> done);

/// Sends a profile the CSMS itself built (the site energy controller), which
/// an operator's set-profile checks would refuse where it must not (0 A).
void send_checked_profile(Services& services, StationSession& session, const ProfileRequest& r,
                          std::function<void(CommandResult)> done);

/// The commands a 1.6 station understands.
const std::vector<std::string>& command_names();
/// The admin API role a command needs (its table entry, see CommandEntry).
Role command_role(const std::string& name);

}  // namespace v16
}  // namespace csms
