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
void add_core_commands(CommandTable& table);  ///< remote start/stop, reset, config, trigger, ...

}  // namespace csms::v16
