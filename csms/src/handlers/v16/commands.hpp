#pragma once
// The OCPP 1.6 operator commands. Each block adds its commands to the table
// from its own file; commands.cpp assembles the table.

#include <map>
#include <string>

#include "handlers/command_support.hpp"

namespace csms::v16 {

inline constexpr const char* kVersion = "1.6";

/// Parameters only a 2.0.1 station takes, with what to use instead (for Params::allow).
const std::map<std::string, std::string>& v201_only();

/// Sends a 1.6 request and reports the validated answer (see send_command).
template <class Request>
void send(StationSession& session, const Request& request, CommandDone done,
          std::function<void(const typename Request::Response&)> on_answer = nullptr) {
  send_command(session, request, kVersion, std::move(done), std::move(on_answer));
}

// One per block.
/// firmware-update, diagnostics, get-log (firmware_commands.cpp)
void add_firmware_commands(CommandTable& table);
void add_core_commands(CommandTable& table);  ///< remote start/stop, reset, config, trigger, ...
/// set-profile, clear-profile, composite-schedule
void add_smart_charging_commands(CommandTable& table);
/// cert-install, cert-list, cert-delete, cert-signed (Security Whitepaper).
/// rotate-password, upgrade-security (security_commands.cpp)
void add_security_commands(CommandTable& table);
void add_certificate_commands(CommandTable& table);

/// reserve, cancel-reservation, local-list send|version (reservation_commands.cpp)
void add_reservation_commands(CommandTable& table);

}  // namespace csms::v16
