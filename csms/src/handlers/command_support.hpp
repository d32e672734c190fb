#pragma once
// What the per-version operator commands share: reading and checking the
// command's JSON parameters, and sending a typed CALL whose answer is checked
// against the version's schema before the operator sees it.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "csms/commands.hpp"
#include "ocpp/common/decode.hpp"
#include "ocpp/common/json.hpp"
#include "rpc/station_session.hpp"

namespace csms {

struct Services;

/// Reads and checks command parameters; the first problem wins.
class Params {
 public:
  /// `version` names the station's OCPP version in messages ("1.6", "2.0.1").
  Params(std::string command, const std::string& json, std::string version);

  /// Every parameter must be one of `known`. `elsewhere` maps a parameter of the
  /// other version to the advice that follows "'evse' is an OCPP 2.0.1
  /// parameter; " (e.g. "use 'connector' on OCPP 1.6 stations").
  void allow(std::initializer_list<const char*> known,
             const std::map<std::string, std::string>& elsewhere = {});

  std::optional<std::int64_t> integer(const char* name, bool required);
  /// A decimal number: a JSON number, or text such as "10.5" (csmsctl sends
  /// non-integers as text).
  std::optional<double> number(const char* name, bool required);
  std::optional<std::string> string(const char* name, bool required);
  std::vector<std::string> strings(const char* name);
  /// A switch (csmsctl's bare --flag is true); absent is false.
  bool flag(const char* name);
  /// The first word (keys[0]) or, without words, the optional parameter `name`.
  std::optional<std::string> first_word_or(const char* name);

  template <class E>
  std::optional<E> enumeration(const char* name, bool required, const char* choices) {
    auto s = string(name, required);
    if (!s) return std::nullopt;
    E e{};
    if (from_string(*s, e)) return e;
    fail("'" + std::string(name) + "' must be one of " + choices);
    return std::nullopt;
  }

  /// Records a problem found by the caller (the first one wins).
  void fail(std::string problem) {
    if (ok()) problem_ = std::move(problem);
  }
  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  const std::string& version() const { return version_; }

 private:
  const rapidjson::Value* get(const char* name, bool required);

  std::string command_;
  std::string version_;
  rapidjson::Document doc_;
  std::string problem_;
};

CommandResult command_failure(CommandError error, std::string message);

/// Turns a CALL's outcome into the operator's result; `check(payload, reencoded)`
/// validates a CALLRESULT against the version's schema.
CommandResult command_result(
    const std::string& action, const std::string& version, CallOutcome outcome,
    const std::function<bool(const rapidjson::Value&, std::string&, std::string&)>& check);

/// Sends `request` and reports the station's validated answer; `on_answer` (if
/// set) sees the decoded response first, e.g. to store what it tells.
template <class Request>
void send_command(StationSession& session, const Request& request, const std::string& version,
                  std::function<void(CommandResult)> done,
                  std::function<void(const typename Request::Response&)> on_answer = nullptr) {
  std::string json;
  try {
    json = to_json(request);
  } catch (const ocpp::EncodeError& e) {
    done(command_failure(CommandError::InvalidArgument, e.what()));
    return;
  }
  const std::string action(Request::kAction);
  session.call(action, json, [done, action, version, on_answer](CallOutcome outcome) {
    done(command_result(
        action, version, std::move(outcome),
        [&on_answer](const rapidjson::Value& payload, std::string& reencoded, std::string& why) {
          typename Request::Response response;
          ocpp::DecodeContext ctx;
          if (!read(payload, response, ctx)) {
            why = ctx.description();
            return false;
          }
          if (on_answer) on_answer(response);
          reencoded = to_json(response);
          return true;
        }));
  });
}

/// An id the CSMS picks for a request (remoteStartId, a report's, log's or
/// firmware update's requestId, a charging profile or display message id):
/// unique and increasing for this server, also across restarts.
std::int64_t next_request_id();

/// Receives a command's outcome; called exactly once, on the network thread.
using CommandDone = std::function<void(CommandResult)>;

/// One operator command of one OCPP version. It reads its parameters from `p`
/// and then either sends a CALL (and later calls `done`) or returns with `p`
/// failed, and run_command answers InvalidArgument. Never both.
using CommandFn = std::function<void(Services&, StationSession&, Params&, CommandDone)>;

/// One entry of a command table: the command and the admin API role it needs
/// (Operator unless marked, e.g. `table["x"] = {fn, Role::Admin}`; the server
/// also applies default_command_role, so security commands are Admin anyway).
struct CommandEntry {
  CommandFn run;
  Role role = Role::Operator;
  CommandEntry() = default;
  template <class F, class = std::enable_if_t<std::is_constructible<CommandFn, F>::value>>
  CommandEntry(F fn, Role r = Role::Operator)  // NOLINT: a plain function is an Operator entry
      : run(std::move(fn)), role(r) {}
};

/// A version's commands by name. Each block (smart charging, firmware, ...)
/// adds its own from its own file; see handlers/v16/commands.hpp.
using CommandTable = std::map<std::string, CommandEntry>;

/// Runs `command` from `table` on a `version` station. `other_version` maps the
/// other version's command names to what to use instead.
void run_command(const CommandTable& table, const std::map<std::string, std::string>& other_version,
                 const std::string& version, Services& services, StationSession& session,
                 const Command& command, CommandDone done);

/// The role `name` needs in `table`: its entry's role, at least
/// default_command_role(name).
Role role_of(const CommandTable& table, const std::string& name);

/// The names in `table`, sorted.
std::vector<std::string> names_of(const CommandTable& table);

/// The "unknown command" failure, listing the version's commands.
CommandResult unknown_command(const std::string& name, const std::string& version,
                              const std::vector<std::string>& known);

}  // namespace csms
