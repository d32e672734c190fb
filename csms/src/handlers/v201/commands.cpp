// Operator commands to OCPP 2.0.1 stations: the same command names as 1.6
// where the meaning matches. Parameters (JSON) -> 2.0.1 request -> CALL ->
// validated response -> JSON. The core commands and what the blocks share are
// here; each other block has its own file (see commands.hpp).
#include "handlers/v201/commands.hpp"

#include "handlers/v201/handlers.hpp"
#include "ocpp/v201/codec.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

// Unlock, availability and trigger take 'connector' beside 'evse' and do not use this.
const std::map<std::string, std::string>& v16_only() {
  static const std::map<std::string, std::string> advice = {
      {"connector", "use 'evse' on OCPP 2.0.1 stations"},
  };
  return advice;
}

std::optional<w::EVSEType> evse_of(Params& p, const char* connector_name) {
  auto evse = p.integer("evse", false);
  auto connector = connector_name ? p.integer(connector_name, false) : std::nullopt;
  if (connector && !evse) p.fail("'connector' needs 'evse' on an OCPP 2.0.1 station");
  if (!evse) return std::nullopt;
  w::EVSEType e;
  e.id = *evse;
  e.connectorId = connector;
  return e;
}

CommandDone with_request_id(std::int64_t id, CommandDone done) {
  return [id, done = std::move(done)](CommandResult r) {
    rapidjson::Document doc;
    if (r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
        doc.IsObject()) {
      doc.AddMember("requestId", id, doc.GetAllocator());
      r.response_json = ocpp::to_compact_json(doc);
    }
    done(std::move(r));
  };
}

namespace {

const CommandTable& commands() {
  static const CommandTable table = [] {
    CommandTable t;
    add_core_commands(t);
    add_firmware_commands(t);
    add_device_model_commands(t);
    add_smart_charging_commands(t);
    add_certificate_display_commands(t);
    add_monitoring_commands(t);
    add_reservation_commands(t);
    add_security_commands(t);
    return t;
  }();
  return table;
}

}  // namespace

void add_core_commands(CommandTable& table) {
  table["remote-start"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"evse", "idTag", "tokenType"}, v16_only());
    w::RequestStartTransactionRequest req;
    req.evseId = p.integer("evse", false);
    if (auto tag = p.string("idTag", true)) req.idToken.idToken = *tag;
    // Central: a token the CSMS vouches for (2.0.1 C11); the operator may name another type.
    req.idToken.type =
        p.enumeration<w::IdTokenEnumType>("tokenType", false,
                                          "Central, eMAID, ISO14443, ISO15693, KeyCode, Local, "
                                          "MacAddress, NoAuthorization")
            .value_or(w::IdTokenEnumType::Central);
    if (!p.ok()) return;
    req.remoteStartId = next_request_id();
    send(session, req, std::move(done));
  };
  table["remote-stop"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"transactionId"});
    w::RequestStopTransactionRequest req;
    if (auto id = p.string("transactionId", true)) req.transactionId = *id;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["reset"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"type", "evse"}, {{"connector",
                                "use 'evse' to reset one EVSE of an OCPP 2.0.1 "
                                "station"}});
    w::ResetRequest req;
    if (auto t = p.string("type", false); t && (*t == "Soft" || *t == "Hard"))
      p.fail("'" + *t +
             "' is an OCPP 1.6 reset type; OCPP 2.0.1 stations take Immediate or OnIdle");
    req.type = p.enumeration<w::ResetEnumType>("type", false, "Immediate, OnIdle (OCPP 2.0.1)")
                   .value_or(w::ResetEnumType::OnIdle);
    req.evseId = p.integer("evse", false);
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["unlock"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"evse", "connector"});
    w::UnlockConnectorRequest req;
    if (auto evse = p.integer("evse", true)) req.evseId = *evse;
    req.connectorId = p.integer("connector", false).value_or(1);
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["availability"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"evse", "connector", "type"});
    w::ChangeAvailabilityRequest req;
    req.evse = evse_of(p, "connector");
    if (auto t =
            p.enumeration<w::OperationalStatusEnumType>("type", true, "Operative, Inoperative"))
      req.operationalStatus = *t;
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["trigger"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys", "message", "evse", "connector"});
    w::TriggerMessageRequest req;
    auto message = p.first_word_or("message");
    if (p.ok() && !message)
      p.fail("trigger needs the message to trigger, e.g. 'trigger Heartbeat'");
    if (message && !from_string(*message, req.requestedMessage))
      p.fail("OCPP 2.0.1 cannot trigger '" + *message +
             "'; it can trigger BootNotification, LogStatusNotification, "
             "FirmwareStatusNotification, Heartbeat, MeterValues, SignChargingStationCertificate, "
             "SignV2GCertificate, StatusNotification, TransactionEvent, SignCombinedCertificate, "
             "PublishFirmwareStatusNotification");
    req.evse = evse_of(p, "connector");
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
    // 2.0.1 data is any JSON; the operator's text goes as a JSON string.
    if (auto d = p.string("data", false)) req.data = ocpp::json_string(*d);
    if (!p.ok()) return;
    send(session, req, std::move(done));
  };
  table["tx-status"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"transactionId"});
    w::GetTransactionStatusRequest req;
    req.transactionId = p.string("transactionId", false);
    if (!p.ok()) return;
    send(session, req, std::move(done));
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
  // 1.6 commands with the 2.0.1 command to use instead.
  static const std::map<std::string, std::string> v16_commands = {
      {"get-config", "get-variables"}, {"set-config", "set-variables"}, {"diagnostics", "get-log"}};
  run_command(commands(), v16_commands, kVersion, services, session, command, std::move(done));
}

}  // namespace csms::v201
