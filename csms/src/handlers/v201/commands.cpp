// Operator commands to OCPP 2.0.1 stations: the same command names as 1.6
// where the meaning matches, plus the device-model commands only 2.0.1 has.
// Parameters (JSON) -> 2.0.1 request -> CALL -> validated response -> JSON.
#include <atomic>
#include <charconv>
#include <map>

#include "handlers/command_support.hpp"
#include "handlers/v201/handlers.hpp"
#include "ocpp/v201/codec.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

constexpr const char* kVersion = "2.0.1";

// Parameters a 1.6 station takes where 2.0.1 wants another; unlock,
// availability and trigger take 'connector' beside 'evse' and do not use this.
const std::map<std::string, std::string>& v16_only() {
  static const std::map<std::string, std::string> advice = {
      {"connector", "use 'evse' on OCPP 2.0.1 stations"},
  };
  return advice;
}

template <class Request>
void send(StationSession& session, const Request& request, std::function<void(CommandResult)> done,
          std::function<void(const typename Request::Response&)> on_answer = nullptr) {
  send_command(session, request, kVersion, std::move(done), std::move(on_answer));
}

// remoteStartId and report requestId: unique and increasing for this server,
// also across restarts (they start from the clock, in seconds since 2024 so
// they fit the 32-bit integers stations commonly keep them in until 2092).
std::int64_t next_request_id() {
  constexpr std::int64_t k2024 = 1704067200;
  static std::atomic<std::int64_t> next{storage::DateTime::now().unix_micros() / 1000000 - k2024};
  return ++next;
}

// A whole non-negative decimal number, as EVSE and connector ids are.
std::optional<std::int64_t> id_number(const std::string& text) {
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n < 0) return std::nullopt;
  return n;
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

/// One device-model reference of get-variables/set-variables/report words:
/// Component[#instance][@evse[:connector]].Variable[#instance][/AttributeType]
struct VariableRef {
  w::ComponentType component;
  std::optional<w::VariableType> variable;
  std::optional<w::AttributeEnumType> attribute;
};

constexpr const char* kRefSyntax =
    "Component[#instance][@evse[:connector]].Variable[#instance][/Actual|Target|MinSet|MaxSet]";

std::optional<VariableRef> parse_ref(const std::string& text, bool variable_required,
                                     std::string& problem) {
  auto bad = [&](const std::string& why) {
    problem = "'" + text + "': " + why + "; the form is " + kRefSyntax;
    return std::nullopt;
  };
  VariableRef ref;
  std::string rest = text;
  if (auto slash = rest.rfind('/'); slash != std::string::npos) {
    w::AttributeEnumType a{};
    if (!from_string(rest.substr(slash + 1), a)) return bad("unknown attribute type");
    ref.attribute = a;
    rest.resize(slash);
  }
  const auto dot = rest.find('.');
  std::string component = rest.substr(0, dot);
  if (auto at = component.find('@'); at != std::string::npos) {
    std::string evse = component.substr(at + 1);
    component.resize(at);
    w::EVSEType e;
    const auto colon = evse.find(':');
    auto id = id_number(evse.substr(0, colon));
    if (!id) return bad("the EVSE must be a number");
    e.id = *id;
    if (colon != std::string::npos) {
      e.connectorId = id_number(evse.substr(colon + 1));
      if (!e.connectorId) return bad("the connector must be a number");
    }
    ref.component.evse = e;
  }
  if (auto hash = component.find('#'); hash != std::string::npos) {
    ref.component.instance = component.substr(hash + 1);
    component.resize(hash);
  }
  if (component.empty()) return bad("no component");
  ref.component.name = component;
  if (dot != std::string::npos) {
    w::VariableType v;
    v.name = rest.substr(dot + 1);
    if (auto hash = v.name.find('#'); hash != std::string::npos) {
      v.instance = v.name.substr(hash + 1);
      v.name.resize(hash);
    }
    if (v.name.empty()) return bad("no variable");
    ref.variable = v;
  } else if (variable_required) {
    return bad("no variable");
  }
  return ref;
}

// The stored form of a device-model attribute the station named in an answer.
storage::DeviceVariable stored(const std::string& station_id, const w::ComponentType& c,
                               const w::VariableType& v,
                               const std::optional<w::AttributeEnumType>& type,
                               std::optional<std::string> value) {
  storage::DeviceVariable d;
  d.station_id = station_id;
  d.component = c.name;
  d.component_instance = c.instance.value_or("");
  if (c.evse) {
    d.evse_id = static_cast<int>(c.evse->id);
    d.connector_id = static_cast<int>(c.evse->connectorId.value_or(0));
  }
  d.variable = v.name;
  d.variable_instance = v.instance.value_or("");
  d.attribute_type = type ? std::string(w::to_string(*type)) : "Actual";
  d.value = std::move(value);
  d.updated_at = storage::DateTime::now();
  return d;
}

void store_values(Services& sv, std::vector<storage::DeviceVariable> values) {
  if (values.empty()) return;
  sv.ctx.db.write(
      [values = std::move(values)](storage::Session& s) {
        if (s.stations.get(values.front().station_id)) s.device_model.put_values(values);
      },
      nullptr);
}

void get_variables(Services& sv, StationSession& session, Params& p,
                   std::function<void(CommandResult)> done) {
  w::GetVariablesRequest req;
  for (const auto& word : p.strings("keys")) {
    std::string problem;
    auto ref = parse_ref(word, true, problem);
    if (!ref) return p.fail(problem);
    w::GetVariableDataType item;
    item.component = ref->component;
    item.variable = *ref->variable;
    item.attributeType = ref->attribute;
    req.getVariableData.push_back(std::move(item));
  }
  if (p.ok() && req.getVariableData.empty())
    p.fail("get-variables needs at least one " + std::string(kRefSyntax));
  if (!p.ok()) return;
  std::string station = session.station_id();
  send(session, req, std::move(done), [&sv, station](const w::GetVariablesResponse& res) {
    std::vector<storage::DeviceVariable> values;
    for (const auto& r : res.getVariableResult) {
      if (r.attributeStatus == w::GetVariableStatusEnumType::Accepted)
        values.push_back(
            stored(station, r.component, r.variable, r.attributeType, r.attributeValue));
    }
    store_values(sv, std::move(values));
  });
}

void set_variables(Services& sv, StationSession& session, Params& p,
                   std::function<void(CommandResult)> done) {
  w::SetVariablesRequest req;
  for (const auto& word : p.strings("keys")) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) return p.fail("'" + word + "': expected REFERENCE=VALUE");
    std::string problem;
    auto ref = parse_ref(word.substr(0, eq), true, problem);
    if (!ref) return p.fail(problem);
    w::SetVariableDataType item;
    item.component = ref->component;
    item.variable = *ref->variable;
    item.attributeType = ref->attribute;
    item.attributeValue = word.substr(eq + 1);
    req.setVariableData.push_back(std::move(item));
  }
  if (p.ok() && req.setVariableData.empty())
    p.fail("set-variables needs at least one " + std::string(kRefSyntax) + "=VALUE");
  if (!p.ok()) return;
  std::string station = session.station_id();
  send(session, req, std::move(done), [&sv, station, req](const w::SetVariablesResponse& res) {
    // The answer names what was set, not the value: take it from the request.
    // RebootRequired is not stored: the value is not in effect until the reboot.
    std::vector<storage::DeviceVariable> values;
    for (const auto& r : res.setVariableResult) {
      if (r.attributeStatus != w::SetVariableStatusEnumType::Accepted) continue;
      for (const auto& item : req.setVariableData) {
        if (item.component == r.component && item.variable == r.variable &&
            item.attributeType.value_or(w::AttributeEnumType::Actual) ==
                r.attributeType.value_or(w::AttributeEnumType::Actual))
          values.push_back(
              stored(station, r.component, r.variable, r.attributeType, item.attributeValue));
      }
    }
    store_values(sv, std::move(values));
  });
}

// The answer says only Accepted/Rejected/...: add the requestId the operator
// will find the report under.
std::function<void(CommandResult)> with_request_id(std::int64_t id,
                                                   std::function<void(CommandResult)> done) {
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

void report(StationSession& session, Params& p, std::function<void(CommandResult)> done) {
  const auto words = p.strings("keys");
  const std::int64_t id = next_request_id();
  if (words.empty()) {
    w::GetBaseReportRequest req;
    req.requestId = id;
    req.reportBase = p.enumeration<w::ReportBaseEnumType>(
                          "base", false, "FullInventory, ConfigurationInventory, SummaryInventory")
                         .value_or(w::ReportBaseEnumType::FullInventory);
    if (!p.ok()) return;
    return send(session, req, with_request_id(id, std::move(done)));
  }
  if (p.string("base", false)) return p.fail("'base' is for a whole report, without words");
  w::GetReportRequest req;
  req.requestId = id;
  std::vector<w::ComponentVariableType> refs;
  for (const auto& word : words) {
    std::string problem;
    auto ref = parse_ref(word, false, problem);
    if (!ref) return p.fail(problem);
    w::ComponentVariableType cv;
    cv.component = ref->component;
    cv.variable = ref->variable;
    refs.push_back(std::move(cv));
  }
  req.componentVariable = std::move(refs);
  send(session, req, with_request_id(id, std::move(done)));
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = {
      "remote-start", "remote-stop",   "reset",     "unlock",        "availability",  "trigger",
      "clear-cache",  "data-transfer", "tx-status", "get-variables", "set-variables", "report"};
  return names;
}

void execute_command(Services& sv, StationSession& session, const Command& command,
                     std::function<void(CommandResult)> done) {
  Params p(command.name, command.params_json, kVersion);
  auto finish_invalid = [&] {
    if (!p.ok()) done(command_failure(CommandError::InvalidArgument, p.problem()));
  };
  const std::string& name = command.name;

  if (name == "remote-start") {
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
    if (!p.ok()) return finish_invalid();
    req.remoteStartId = next_request_id();
    return send(session, req, done);
  }
  if (name == "remote-stop") {
    p.allow({"transactionId"});
    w::RequestStopTransactionRequest req;
    if (auto id = p.string("transactionId", true)) req.transactionId = *id;
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "reset") {
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
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "unlock") {
    p.allow({"evse", "connector"});
    w::UnlockConnectorRequest req;
    if (auto evse = p.integer("evse", true)) req.evseId = *evse;
    req.connectorId = p.integer("connector", false).value_or(1);
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "availability") {
    p.allow({"evse", "connector", "type"});
    w::ChangeAvailabilityRequest req;
    req.evse = evse_of(p, "connector");
    if (auto t =
            p.enumeration<w::OperationalStatusEnumType>("type", true, "Operative, Inoperative"))
      req.operationalStatus = *t;
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "trigger") {
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
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "clear-cache") {
    p.allow({});
    if (!p.ok()) return finish_invalid();
    return send(session, w::ClearCacheRequest{}, done);
  }
  if (name == "data-transfer") {
    p.allow({"vendorId", "messageId", "data"});
    w::DataTransferRequest req;
    if (auto v = p.string("vendorId", true)) req.vendorId = *v;
    req.messageId = p.string("messageId", false);
    // 2.0.1 data is any JSON; the operator's text goes as a JSON string.
    if (auto d = p.string("data", false)) req.data = ocpp::json_string(*d);
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "tx-status") {
    p.allow({"transactionId"});
    w::GetTransactionStatusRequest req;
    req.transactionId = p.string("transactionId", false);
    if (!p.ok()) return finish_invalid();
    return send(session, req, done);
  }
  if (name == "get-variables") {
    p.allow({"keys"});
    get_variables(sv, session, p, done);
    return finish_invalid();
  }
  if (name == "set-variables") {
    p.allow({"keys"});
    set_variables(sv, session, p, done);
    return finish_invalid();
  }
  if (name == "report") {
    p.allow({"keys", "base"});
    report(session, p, done);
    return finish_invalid();
  }
  static const std::map<std::string, std::string> v16_commands = {{"get-config", "get-variables"},
                                                                  {"set-config", "set-variables"}};
  if (auto it = v16_commands.find(name); it != v16_commands.end())
    return done(command_failure(
        CommandError::Unsupported,
        name + " is an OCPP 1.6 command; this station speaks 2.0.1: use " + it->second));
  done(unknown_command(name, kVersion, command_names()));
}

}  // namespace csms::v201
