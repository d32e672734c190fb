#pragma once
// Version-neutral operator commands to stations (remote start, reset, ...), as
// the admin API and csmsctl name them. The per-version handlers translate them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace csms {

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
  /// Closes the station's connection, if any (e.g. it was just unregistered).
  virtual void disconnect(const std::string& station_id, const std::string& reason) = 0;
  /// Hands the frames the message log batches in memory to storage, so a read
  /// of the log that follows sees everything sent and received so far.
  virtual void flush_message_log() {}
  /// A site's energy settings or readings changed: its controller runs now.
  virtual void site_changed(const std::string& /*site_id*/) {}
  /// The operator closed a transaction its station never ended (alerts forget it).
  virtual void transaction_closed(std::int64_t /*transaction_id*/) {}
};

}  // namespace csms
