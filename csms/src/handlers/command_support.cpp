#include "handlers/command_support.hpp"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <set>

#include "ocpp/common/datetime.hpp"

namespace csms {

Params::Params(std::string command, const std::string& json, std::string version)
    : command_(std::move(command)), version_(std::move(version)) {
  if (ocpp::parse_json(json, doc_).IsError() || !doc_.IsObject())
    problem_ = "parameters must be a JSON object";
}

void Params::allow(std::initializer_list<const char*> known,
                   const std::map<std::string, std::string>& elsewhere) {
  if (!ok()) return;
  std::set<std::string> names(known.begin(), known.end());
  for (auto it = doc_.MemberBegin(); it != doc_.MemberEnd(); ++it) {
    std::string name = it->name.GetString();
    if (names.count(name)) continue;
    const std::string other = version_ == "1.6" ? "2.0.1" : "1.6";
    if (auto advice = elsewhere.find(name); advice != elsewhere.end())
      fail("'" + name + "' is an OCPP " + other + " parameter; " + advice->second);
    else if (name == "keys")  // csmsctl turns extra words into "keys".
      fail(command_ + " takes no words (\"keys\") on an OCPP " + version_ + " station");
    else
      fail("unknown parameter '" + name + "' for " + command_ + " on an OCPP " + version_ +
           " station");
    return;
  }
}

std::optional<std::int64_t> Params::integer(const char* name, bool required) {
  const rapidjson::Value* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) {
    std::string s = v->GetString();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0') return n;
  }
  fail("'" + std::string(name) + "' must be an integer");
  return std::nullopt;
}

std::optional<double> Params::number(const char* name, bool required) {
  const rapidjson::Value* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) {
    std::string s = v->GetString();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(d)) return d;
  }
  fail("'" + std::string(name) + "' must be a number");
  return std::nullopt;
}

std::optional<std::string> Params::string(const char* name, bool required) {
  const rapidjson::Value* v = get(name, required);
  if (v == nullptr) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  fail("'" + std::string(name) + "' must be a string");
  return std::nullopt;
}

std::vector<std::string> Params::strings(const char* name) {
  std::vector<std::string> out;
  const rapidjson::Value* v = get(name, false);
  if (v == nullptr) return out;
  if (v->IsArray()) {
    for (const auto& e : v->GetArray()) {
      if (!e.IsString()) break;
      out.emplace_back(e.GetString(), e.GetStringLength());
    }
    if (out.size() == v->Size()) return out;
  }
  fail("'" + std::string(name) + "' must be an array of strings");
  return {};
}

bool Params::flag(const char* name) {
  const rapidjson::Value* v = get(name, false);
  if (v == nullptr) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) {
    const std::string text = v->GetString();
    if (text == "true" || text == "false") return text == "true";
  }
  fail("'" + std::string(name) + "' must be true or false");
  return false;
}

std::optional<std::string> Params::first_word_or(const char* name) {
  auto words = strings("keys");
  if (!words.empty()) return words.front();
  return string(name, false);
}

const rapidjson::Value* Params::get(const char* name, bool required) {
  if (!ok()) return nullptr;
  auto it = doc_.FindMember(name);
  if (it == doc_.MemberEnd() || it->value.IsNull()) {
    if (required) fail(command_ + " needs '" + name + "'");
    return nullptr;
  }
  return &it->value;
}

CommandResult command_failure(CommandError error, std::string message) {
  CommandResult r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

CommandResult command_result(
    const std::string& action, const std::string& version, CallOutcome outcome,
    const std::function<bool(const rapidjson::Value&, std::string&, std::string&)>& check) {
  CommandResult r;
  r.action = action;
  switch (outcome.kind) {
    case CallOutcome::Kind::Result: {
      std::string why;
      if (!check(outcome.frame->payload(), r.response_json, why)) {
        r.error = CommandError::Internal;
        r.message = "the station's answer violates the OCPP " + version + " schema: " + why;
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
  return r;
}

// From the clock at start-up, in seconds since 2024, then counting: distinct
// across restarts, and within the 32-bit integers stations commonly keep ids in
// until 2092.
std::int64_t next_request_id() {
  constexpr std::int64_t k2024 = 1704067200;
  // A seed that differs between runs, not a time anything is decided on.
  static std::atomic<std::int64_t> next{ocpp::DateTime::now().unix_micros() / 1000000 - k2024};
  return ++next;
}

void run_command(const CommandTable& table, const std::map<std::string, std::string>& other_version,
                 const std::string& version, Services& services, StationSession& session,
                 const Command& command, CommandDone done) {
  auto it = table.find(command.name);
  if (it == table.end()) {
    if (auto other = other_version.find(command.name); other != other_version.end())
      return done(command_failure(
          CommandError::Unsupported,
          command.name + " is an OCPP " + std::string(version == "1.6" ? "2.0.1" : "1.6") +
              " command; this station speaks " + version + ": use " + other->second));
    return done(unknown_command(command.name, version, names_of(table)));
  }
  Params p(command.name, command.params_json, version);
  if (p.ok()) it->second.run(services, session, p, done);
  if (!p.ok()) done(command_failure(CommandError::InvalidArgument, p.problem()));
}

Role role_of(const CommandTable& table, const std::string& name) {
  Role role = default_command_role(name);
  auto it = table.find(name);
  if (it != table.end() && !role_allows(role, it->second.role)) role = it->second.role;
  return role;
}

std::vector<std::string> names_of(const CommandTable& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry.first);
  return names;
}

CommandResult unknown_command(const std::string& name, const std::string& version,
                              const std::vector<std::string>& known) {
  std::string list;
  for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
  return command_failure(CommandError::Unsupported, "unknown command '" + name + "' for an OCPP " +
                                                        version + " station; known: " + list);
}

}  // namespace csms
