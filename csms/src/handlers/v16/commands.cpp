// Operator commands to OCPP 1.6 stations: parameters (JSON) -> 1.6 request ->
// CALL -> validated 1.6 response -> JSON for the operator. The core commands
// are here; each other block has its own file (see commands.hpp).
#include "handlers/v16/commands.hpp"

#include "handlers/v16/handlers.hpp"
#include "ocpp/v16/codec.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

const std::map<std::string, std::string>& v201_only() {
  static const std::map<std::string, std::string> advice = {
      {"evse", "use 'connector' on OCPP 1.6 stations"},
      {"tokenType", "OCPP 1.6 id tags have no type"},
  };
  return advice;
}

namespace {

const CommandTable& commands() {
  static const CommandTable table = [] {
    CommandTable t;
    add_core_commands(t);
    add_firmware_commands(t);
    add_smart_charging_commands(t);
    add_certificate_commands(t);
    add_reservation_commands(t);
    add_security_commands(t);
    return t;
  }();
  return table;
}

}  // namespace

void add_core_commands(CommandTable& table) {
  table["remote-start"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"connector", "idTag"}, v201_only());
    w::RemoteStartTransactionRequest req;
    req.connectorId = p.integer("connector", false);
    if (auto tag = p.string("idTag", true)) req.idTag = *tag;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["remote-stop"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"transactionId"});
    w::RemoteStopTransactionRequest req;
    if (auto id = p.integer("transactionId", true)) req.transactionId = *id;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["reset"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"type"}, {{"evse", "an OCPP 1.6 reset is for the whole station"}});
    w::ResetRequest req;
    if (auto t = p.string("type", false); t && (*t == "Immediate" || *t == "OnIdle"))
      p.fail("'" + *t + "' is an OCPP 2.0.1 reset type; OCPP 1.6 stations take Soft or Hard");
    req.type = p.enumeration<w::ResetType>("type", false, "Soft, Hard (OCPP 1.6)")
                   .value_or(w::ResetType::Soft);
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["unlock"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"connector"}, v201_only());
    w::UnlockConnectorRequest req;
    if (auto c = p.integer("connector", true)) req.connectorId = *c;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["availability"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"connector", "type"}, v201_only());
    w::ChangeAvailabilityRequest req;
    req.connectorId = p.integer("connector", false).value_or(0);
    if (auto t = p.enumeration<w::AvailabilityType>("type", true, "Operative, Inoperative"))
      req.type = *t;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["get-config"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys"});
    w::GetConfigurationRequest req;
    auto keys = p.strings("keys");
    if (!keys.empty()) req.key = keys;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["set-config"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"key", "value"});
    w::ChangeConfigurationRequest req;
    if (auto k = p.string("key", true)) req.key = *k;
    if (auto v = p.string("value", true)) req.value = *v;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["clear-cache"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({});
    if (!p.ok()) return;
    send(session, w::ClearCacheRequest{}, std::move(done));
  };
  table["data-transfer"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"vendorId", "messageId", "data"});
    w::DataTransferRequest req;
    if (auto v = p.string("vendorId", true)) req.vendorId = *v;
    req.messageId = p.string("messageId", false);
    req.data = p.string("data", false);
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  // TriggerMessage, or the security extension's ExtendedTriggerMessage for the
  // messages only it can trigger (or when asked with --extended).
  table["trigger"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys", "message", "connector", "extended"}, v201_only());
    auto message = p.first_word_or("message");
    const bool extended = p.flag("extended");
    const auto connector = p.integer("connector", false);
    if (p.ok() && !message)
      p.fail("trigger needs the message to trigger, e.g. 'trigger Heartbeat'");
    if (!p.ok()) return;
    w::TriggerMessageRequest plain;
    plain.connectorId = connector;
    if (!extended && from_string(*message, plain.requestedMessage))
      return send(session, plain, std::move(done));
    w::ExtendedTriggerMessageRequest ext;
    ext.connectorId = connector;
    if (from_string(*message, ext.requestedMessage)) return send(session, ext, std::move(done));
    p.fail(std::string("OCPP 1.6 can trigger ") +
           (extended ? ""
                     : "BootNotification, DiagnosticsStatusNotification, "
                       "FirmwareStatusNotification, Heartbeat, MeterValues, StatusNotification "
                       "(TriggerMessage) or ") +
           "BootNotification, FirmwareStatusNotification, Heartbeat, LogStatusNotification, "
           "MeterValues, SignChargePointCertificate, StatusNotification "
           "(ExtendedTriggerMessage), not '" +
           *message + "'");
  };
}

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = names_of(commands());
  return names;
}

Role command_role(const std::string& name) {
  return role_of(commands(), name);
}

void execute_command(Services& services, StationSession& session, const Command& command,
                     CommandDone done) {
  // 2.0.1 commands with the 1.6 command to use instead.
  static const std::map<std::string, std::string> v201_commands = {
      {"get-variables", "get-config"},
      {"set-variables", "set-config"},
      {"report", "get-config"},
      {"tx-status", "tx show"},
      {"get-profiles", "station profiles"}};
  run_command(commands(), v201_commands, kVersion, services, session, command, std::move(done));
}

}  // namespace csms::v16
