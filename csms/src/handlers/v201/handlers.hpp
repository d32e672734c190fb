#pragma once
// OCPP 2.0.1 handlers: translate 2.0.1 wire messages to the version-neutral
// services and back. Nothing outside handlers/v201 sees ocpp::v201 types.

#include <functional>
#include <string>
#include <vector>

#include "csms/commands.hpp"

namespace csms {

class Router;
class StationSession;
struct ProfileRequest;
struct Services;

namespace v201 {

/// Registers a handler for every station-initiated OCPP 2.0.1 action.
void register_handlers(Router& router, Services& services);

/// ReservationStatusUpdate: ends the stored reservation (reservation_commands.cpp).
void register_reservation_messages(Router& router, Services& services);

/// Translates an operator command into the 2.0.1 CALL, sends it, and translates
/// the answer (storing what it tells about the device model). Invalid or
/// non-2.0.1 parameters fail before anything is sent.
void execute_command(Services& services, StationSession& session, const Command& command,
                     std::function<void(CommandResult)> done);

/// Sends a profile the CSMS itself built (the site energy controller), which
/// an operator's set-profile checks would refuse where it must not (0 A).
void send_checked_profile(Services& services, StationSession& session, const ProfileRequest& r,
                          std::function<void(CommandResult)> done);

/// The commands a 2.0.1 station understands.
const std::vector<std::string>& command_names();
/// The admin API role a command needs (its table entry, see CommandEntry).
Role command_role(const std::string& name);

}  // namespace v201
}  // namespace csms
