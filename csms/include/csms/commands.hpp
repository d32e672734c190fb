#pragma once
// Version-neutral operator commands to stations (remote start, reset, ...), as
// the admin API and csmsctl name them. The per-version handlers translate them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "csms/roles.hpp"

namespace csms {

class CaService;

/// Why a command produced no station answer.
enum class CommandError {
  None,
  UnknownStation,   ///< Not registered (HTTP 404).
  Offline,          ///< Registered, not connected (HTTP 409).
  InvalidArgument,  ///< Bad or missing parameter, or one the station's OCPP version cannot express
                    ///< (HTTP 400).
  Unsupported,      ///< The command does not exist for the station's version (HTTP 400).
  Timeout,          ///< No CALLRESULT within the response timeout (HTTP 504).
  CallError,        ///< The station answered with a CALLERROR (HTTP 502, code in `error_code`).
  Internal,         ///< HTTP 500.
};

/// One command: its name (e.g. "remote-start", "reset", "get-config") and its
/// parameters as a JSON object text, e.g. {"connector":1,"idTag":"T1"}.
struct Command {
  std::string name;
  std::string params_json = "{}";
};

/// What came back: on success the station's response payload as JSON text
/// (e.g. {"status":"Accepted"}) and the OCPP action that was sent.
struct CommandResult {
  CommandError error = CommandError::None;
  std::string message;     ///< Human-readable, names the problem.
  std::string error_code;  ///< CALLERROR code when error == CallError.
  std::string action;      ///< The OCPP action sent, e.g. "RemoteStartTransaction".
  std::string response_json;
};

/// The role a command needs by its name alone: Admin for the security commands
/// (passwords, security profiles, certificates, network profiles), whatever
/// a version's command table says, so a new security command is never left at
/// Operator by mistake; Operator for the rest.
Role default_command_role(const std::string& name);

/// The role a command needs for these parameters (a JSON object text): Admin
/// when it changes security settings through a generic command (set-config of
/// AuthorizationKey or SecurityProfile, set-variables of SecurityCtrlr or the
/// network connection profiles), else Viewer (the name decides).
Role command_params_role(const std::string& name, const std::string& params_json);

/// Sends commands to connected stations; implemented by the server core.
/// Called on the network thread; `done` runs on the network thread.
class CommandGateway {
 public:
  virtual ~CommandGateway() = default;
  virtual bool is_connected(const std::string& station_id) const = 0;
  virtual void execute(const std::string& station_id, const Command& command,
                       std::function<void(CommandResult)> done) = 0;
  /// Command names and their parameters, for `csmsctl` help and 400 messages.
  virtual std::vector<std::string> command_names() const = 0;
  /// The role the command needs (the version tables' role field, at least
  /// default_command_role); Operator for names no version knows.
  virtual Role command_role(const std::string& name) const { return default_command_role(name); }
  /// Closes the station's connection, if any (e.g. it was just unregistered).
  virtual void disconnect(const std::string& station_id, const std::string& reason) = 0;
  /// Hands the frames the message log batches in memory to storage, so a read
  /// of the log that follows sees everything sent and received so far.
  virtual void flush_message_log() {}
  /// A site's energy settings or readings changed: its controller runs now.
  virtual void site_changed(const std::string& /*site_id*/) {}
  /// The station certificate authority; null where there is none (tests).
  virtual CaService* ca() { return nullptr; }
  /// Re-reads the TLS files for new connections: "" when done, else why not
  /// (the old certificate stays in use).
  virtual std::string reload_tls() { return "TLS is not configured"; }
  /// The operator closed a transaction its station never ended (alerts forget it).
  virtual void transaction_closed(std::int64_t /*transaction_id*/) {}
  /// Whether the server is draining (SIGTERM): /health answers 503 so that a
  /// load balancer stops offering this node.
  virtual bool draining() const { return false; }
  /// This node's id in a cluster (PostgreSQL); "" without one (SQLite).
  virtual std::string node_id() const { return ""; }
  /// GET /api/cluster (or with_sessions: /api/cluster/sessions) as JSON text:
  /// `done(json, error)` on the network thread, error non-empty when the
  /// database failed.
  virtual void cluster_state(bool with_sessions,
                             std::function<void(std::string, std::string)> done) {
    done(with_sessions ? "{\"enabled\":false,\"sessions\":[]}" : "{\"enabled\":false}", "");
  }
};

}  // namespace csms
