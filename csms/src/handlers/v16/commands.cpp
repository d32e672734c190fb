// Operator commands to OCPP 1.6 stations: parameters (JSON) -> 1.6 request ->
// CALL -> validated 1.6 response -> JSON for the operator.
#include <map>

#include "handlers/command_support.hpp"
#include "handlers/v16/handlers.hpp"
#include "ocpp/v16/codec.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

namespace {

constexpr const char* kVersion = "1.6";

// Parameters only a 2.0.1 station takes, with what to use instead.
const std::map<std::string, std::string>& v201_only() {
  static const std::map<std::string, std::string> advice = {
      {"evse", "use 'connector' on OCPP 1.6 stations"},
      {"tokenType", "OCPP 1.6 id tags have no type"},
  };
  return advice;
}

template <class Request>
void send(StationSession& session, const Request& request,
          std::function<void(CommandResult)> done) {
  send_command(session, request, kVersion, std::move(done));
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = {
      "remote-start", "remote-stop", "reset",       "unlock",        "availability",
      "get-config",   "set-config",  "clear-cache", "data-transfer", "trigger"};
  return names;
}

void execute_command(StationSession& session, const Command& command,
                     std::function<void(CommandResult)> done) {
  Params p(command.name, command.params_json, kVersion);
  auto invalid = [&] { done(command_failure(CommandError::InvalidArgument, p.problem())); };
  const std::string& name = command.name;

  if (name == "remote-start") {
    p.allow({"connector", "idTag"}, v201_only());
    w::RemoteStartTransactionRequest req;
    req.connectorId = p.integer("connector", false);
    if (auto tag = p.string("idTag", true)) req.idTag = *tag;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "remote-stop") {
    p.allow({"transactionId"});
    w::RemoteStopTransactionRequest req;
    if (auto id = p.integer("transactionId", true)) req.transactionId = *id;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "reset") {
    p.allow({"type"}, {{"evse", "an OCPP 1.6 reset is for the whole station"}});
    w::ResetRequest req;
    if (auto t = p.string("type", false); t && (*t == "Immediate" || *t == "OnIdle"))
      p.fail("'" + *t + "' is an OCPP 2.0.1 reset type; OCPP 1.6 stations take Soft or Hard");
    req.type = p.enumeration<w::ResetType>("type", false, "Soft, Hard (OCPP 1.6)")
                   .value_or(w::ResetType::Soft);
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "unlock") {
    p.allow({"connector"}, v201_only());
    w::UnlockConnectorRequest req;
    if (auto c = p.integer("connector", true)) req.connectorId = *c;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "availability") {
    p.allow({"connector", "type"}, v201_only());
    w::ChangeAvailabilityRequest req;
    req.connectorId = p.integer("connector", false).value_or(0);
    if (auto t = p.enumeration<w::AvailabilityType>("type", true, "Operative, Inoperative"))
      req.type = *t;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "get-config") {
    p.allow({"keys"});
    w::GetConfigurationRequest req;
    auto keys = p.strings("keys");
    if (!keys.empty()) req.key = keys;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "set-config") {
    p.allow({"key", "value"});
    w::ChangeConfigurationRequest req;
    if (auto k = p.string("key", true)) req.key = *k;
    if (auto v = p.string("value", true)) req.value = *v;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "clear-cache") {
    p.allow({});
    if (!p.ok()) return invalid();
    return send(session, w::ClearCacheRequest{}, done);
  }
  if (name == "data-transfer") {
    p.allow({"vendorId", "messageId", "data"});
    w::DataTransferRequest req;
    if (auto v = p.string("vendorId", true)) req.vendorId = *v;
    req.messageId = p.string("messageId", false);
    req.data = p.string("data", false);
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "trigger") {
    p.allow({"keys", "message", "connector"}, v201_only());
    w::TriggerMessageRequest req;
    auto message = p.first_word_or("message");
    if (p.ok() && !message)
      p.fail("trigger needs the message to trigger, e.g. 'trigger Heartbeat'");
    if (message && !from_string(*message, req.requestedMessage))
      p.fail(
          "OCPP 1.6 can trigger BootNotification, DiagnosticsStatusNotification, "
          "FirmwareStatusNotification, Heartbeat, MeterValues or StatusNotification, not '" +
          *message + "'");
    req.connectorId = p.integer("connector", false);
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  static const std::map<std::string, std::string> v201_commands = {{"get-variables", "get-config"},
                                                                   {"set-variables", "set-config"},
                                                                   {"report", "get-config"},
                                                                   {"tx-status", "tx show"}};
  if (auto it = v201_commands.find(name); it != v201_commands.end())
    return done(command_failure(
        CommandError::Unsupported,
        name + " is an OCPP 2.0.1 command; this station speaks 1.6: use " + it->second));
  done(unknown_command(name, kVersion, command_names()));
}

}  // namespace csms::v16
