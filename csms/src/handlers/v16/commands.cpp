// Operator commands to OCPP 1.6 stations: parameters (JSON) -> 1.6 request ->
// CALL -> validated 1.6 response -> JSON for the operator.
#include <set>

#include "handlers/v16/handlers.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v16/codec.hpp"
#include "rpc/station_session.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;

namespace {

/// Reads and checks command parameters; the first problem wins.
class Params {
 public:
  Params(const std::string& command, const std::string& json) : command_(command) {
    if (ocpp::parse_json(json, doc_).IsError() || !doc_.IsObject())
      problem_ = "parameters must be a JSON object";
  }

  /// Every parameter must be one of `known`; 2.0.1-only ones get a pointed message.
  void allow(std::initializer_list<const char*> known) {
    if (!ok()) return;
    std::set<std::string> names(known.begin(), known.end());
    for (auto it = doc_.MemberBegin(); it != doc_.MemberEnd(); ++it) {
      std::string name = it->name.GetString();
      if (names.count(name)) continue;
      if (name == "evse")
        problem_ = "'evse' is for OCPP 2.0.1 stations; this station speaks 1.6: use 'connector'";
      else
        problem_ = "unknown parameter '" + name + "' for " + command_ + " on an OCPP 1.6 station";
      return;
    }
  }

  std::optional<std::int64_t> integer(const char* name, bool required) {
    const rapidjson::Value* v = get(name, required);
    if (v == nullptr) return std::nullopt;
    if (v->IsInt64()) return v->GetInt64();
    if (v->IsString()) {
      std::string s = v->GetString();
      char* end = nullptr;
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && *end == '\0') return n;
    }
    problem_ = "'" + std::string(name) + "' must be an integer";
    return std::nullopt;
  }

  std::optional<std::string> string(const char* name, bool required) {
    const rapidjson::Value* v = get(name, required);
    if (v == nullptr) return std::nullopt;
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    if (v->IsNumber()) return std::to_string(v->GetInt64());
    problem_ = "'" + std::string(name) + "' must be a string";
    return std::nullopt;
  }

  std::vector<std::string> strings(const char* name) {
    std::vector<std::string> out;
    const rapidjson::Value* v = get(name, false);
    if (v == nullptr) return out;
    if (!v->IsArray()) {
      problem_ = "'" + std::string(name) + "' must be an array of strings";
      return out;
    }
    for (const auto& e : v->GetArray()) {
      if (!e.IsString()) {
        problem_ = "'" + std::string(name) + "' must be an array of strings";
        return {};
      }
      out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return out;
  }

  template <class E>
  std::optional<E> enumeration(const char* name, bool required, const char* choices) {
    auto s = string(name, required);
    if (!s) return std::nullopt;
    E e{};
    if (from_string(*s, e)) return e;
    problem_ = "'" + std::string(name) + "' must be one of " + choices;
    return std::nullopt;
  }

  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }

 private:
  const rapidjson::Value* get(const char* name, bool required) {
    if (!ok()) return nullptr;
    auto it = doc_.FindMember(name);
    if (it == doc_.MemberEnd() || it->value.IsNull()) {
      if (required) problem_ = command_ + " needs '" + name + "'";
      return nullptr;
    }
    return &it->value;
  }

  std::string command_;
  rapidjson::Document doc_;
  std::string problem_;
};

CommandResult failure(CommandError error, std::string message) {
  CommandResult r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

/// Sends `request`, checks the answer against the 1.6 schema, reports back.
template <class Request>
void send(StationSession& session, const Request& request,
          std::function<void(CommandResult)> done) {
  std::string json;
  try {
    json = w::to_json(request);
  } catch (const ocpp::EncodeError& e) {
    done(failure(CommandError::InvalidArgument, e.what()));
    return;
  }
  session.call(std::string(Request::kAction), json, [done](CallOutcome outcome) {
    CommandResult r;
    r.action = std::string(Request::kAction);
    switch (outcome.kind) {
      case CallOutcome::Kind::Result: {
        typename Request::Response response;
        ocpp::DecodeContext ctx;
        if (!read(outcome.frame->payload(), response, ctx)) {
          r.error = CommandError::Internal;
          r.message = "the station's answer violates the OCPP 1.6 schema: " + ctx.description();
        } else {
          r.response_json = w::to_json(response);
        }
        break;
      }
      case CallOutcome::Kind::Error:
        r.error = CommandError::CallError;
        r.error_code = outcome.frame->error_code();
        r.message = "the station answered " + outcome.frame->error_code() + ": " +
                    outcome.frame->error_description();
        break;
      case CallOutcome::Kind::Timeout:
        r.error = CommandError::Timeout;
        r.message = outcome.message;
        break;
      case CallOutcome::Kind::Closed:
        r.error = CommandError::Offline;
        r.message = outcome.message;
        break;
    }
    done(std::move(r));
  });
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = {"remote-start", "remote-stop",  "reset",
                                                 "unlock",       "availability", "get-config",
                                                 "set-config",   "clear-cache",  "data-transfer"};
  return names;
}

void execute_command(StationSession& session, const Command& command,
                     std::function<void(CommandResult)> done) {
  Params p(command.name, command.params_json);
  auto invalid = [&] { done(failure(CommandError::InvalidArgument, p.problem())); };
  const std::string& name = command.name;

  if (name == "remote-start") {
    p.allow({"connector", "idTag"});
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
    p.allow({"type"});
    w::ResetRequest req;
    req.type = p.enumeration<w::ResetType>("type", false, "Soft, Hard (OCPP 1.6)")
                   .value_or(w::ResetType::Soft);
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "unlock") {
    p.allow({"connector"});
    w::UnlockConnectorRequest req;
    if (auto c = p.integer("connector", true)) req.connectorId = *c;
    if (!p.ok()) return invalid();
    return send(session, req, done);
  }
  if (name == "availability") {
    p.allow({"connector", "type"});
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
  std::string known;
  for (const auto& n : command_names()) known += (known.empty() ? "" : ", ") + n;
  done(failure(CommandError::Unsupported,
               "unknown command '" + name + "' for an OCPP 1.6 station; known: " + known));
}

}  // namespace csms::v16
