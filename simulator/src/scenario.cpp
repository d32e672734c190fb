#include "simulator/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "ocpp/common/json.hpp"

namespace simulator {
namespace {

struct KindInfo {
  StepKind kind;
  std::string_view name;
  std::vector<std::string_view> fields;  // allowed besides "do" and "comment"
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = {
      {StepKind::Authorize, "authorize", {"idTag", "expect"}},
      {StepKind::Start, "start", {"connector", "idTag", "repeat", "expect"}},
      {StepKind::Charge, "charge", {"connector", "seconds"}},
      {StepKind::Stop, "stop", {"connector", "reason", "repeat"}},
      {StepKind::Status, "status", {"connector", "status", "errorCode", "info"}},
      {StepKind::Wait, "wait", {"seconds"}},
      {StepKind::Offline, "offline", {"seconds"}},
      {StepKind::Online, "online", {}},
      {StepKind::WaitFor, "wait_for", {"event", "timeout"}},
      {StepKind::Heartbeat, "heartbeat", {}},
      {StepKind::DataTransfer, "data_transfer", {"vendorId", "messageId", "data", "expect"}},
      {StepKind::Exit, "exit", {}},
  };
  return table;
}

constexpr double kMaxSeconds = 7 * 24 * 3600.0;

/// Reads one step's members, recording the first problem.
class StepReader {
 public:
  StepReader(const rapidjson::Value& obj, std::string path, std::string& error)
      : obj_(obj), path_(std::move(path)), error_(error) {}

  bool failed() const { return failed_; }
  bool fail(std::string_view field, std::string_view problem) {
    if (!failed_) {
      error_ = field.empty() ? fmt::format("{}: {}", path_, problem)
                             : fmt::format("{}.{}: {}", path_, field, problem);
    }
    failed_ = true;
    return false;
  }
  const rapidjson::Value* member(const char* name) {
    auto it = obj_.FindMember(name);
    return it == obj_.MemberEnd() ? nullptr : &it->value;
  }
  void string(const char* name, std::string& out, bool required, std::size_t max_len = 10000) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) {
      if (required) fail(name, "required");
      return;
    }
    if (!v->IsString()) {
      fail(name, "must be a string");
      return;
    }
    if (v->GetStringLength() == 0 || v->GetStringLength() > max_len) {
      fail(name, fmt::format("must be 1..{} characters", max_len));
      return;
    }
    out.assign(v->GetString(), v->GetStringLength());
  }
  void optional_string(const char* name, std::optional<std::string>& out, bool allow_empty) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) return;
    if (!v->IsString() || (!allow_empty && v->GetStringLength() == 0)) {
      fail(name, allow_empty ? "must be a string" : "must be a non-empty string");
      return;
    }
    out = std::string(v->GetString(), v->GetStringLength());
  }
  void integer(const char* name, std::int64_t& out, std::int64_t min, std::int64_t max) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) return;
    if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max) {
      fail(name, fmt::format("must be an integer in {}..{}", min, max));
      return;
    }
    out = v->GetInt64();
  }
  void number(const char* name, std::optional<double>& out, bool required, bool positive) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) {
      if (required) fail(name, "required");
      return;
    }
    if (!v->IsNumber() || !std::isfinite(v->GetDouble()) || v->GetDouble() < 0 ||
        (positive && v->GetDouble() == 0) || v->GetDouble() > kMaxSeconds) {
      fail(name, positive ? "must be a number of seconds > 0" : "must be a number of seconds >= 0");
      return;
    }
    out = v->GetDouble();
  }

 private:
  const rapidjson::Value& obj_;
  std::string path_;
  std::string& error_;
  bool failed_ = false;
};

bool parse_step(const rapidjson::Value& v, std::size_t index, Step& step, std::string& error) {
  const std::string path = fmt::format("steps[{}]", index);
  if (!v.IsObject()) {
    error = path + ": must be an object";
    return false;
  }
  StepReader r(v, path, error);
  const rapidjson::Value* what = r.member("do");
  if (what == nullptr || !what->IsString()) return r.fail("do", "required: the step's action");
  const std::string_view name(what->GetString(), what->GetStringLength());
  auto info = std::find_if(kinds().begin(), kinds().end(),
                           [&](const KindInfo& k) { return k.name == name; });
  if (info == kinds().end()) {
    std::string known;
    for (const auto& k : kinds()) known += (known.empty() ? "" : ", ") + std::string(k.name);
    return r.fail("do", fmt::format("unknown step \"{}\" (known: {})", name, known));
  }
  step.kind = info->kind;
  step.index = index;
  // Unknown members are errors: a misspelt "conector" must not silently mean 1.
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    const std::string_view field(m->name.GetString(), m->name.GetStringLength());
    if (field == "do" || field == "comment") continue;
    if (std::find(info->fields.begin(), info->fields.end(), field) == info->fields.end()) {
      return r.fail(field, fmt::format("not a member of a \"{}\" step", info->name));
    }
  }

  std::int64_t repeat = 1;
  switch (step.kind) {
    case StepKind::Authorize:
      r.optional_string("idTag", step.id_tag, false);
      r.optional_string("expect", step.expect, false);
      break;
    case StepKind::Start:
      r.integer("connector", step.connector, 1, 1000);
      r.optional_string("idTag", step.id_tag, false);
      r.integer("repeat", repeat, 1, 100);
      r.optional_string("expect", step.expect, false);
      break;
    case StepKind::Charge:
      r.integer("connector", step.connector, 1, 1000);
      r.number("seconds", step.seconds, true, false);
      break;
    case StepKind::Stop:
      r.integer("connector", step.connector, 1, 1000);
      r.string("reason", step.reason, false);
      r.integer("repeat", repeat, 1, 100);
      break;
    case StepKind::Status:
      r.integer("connector", step.connector, 0, 1000);
      r.string("status", step.status, true);
      r.string("errorCode", step.error_code, false);
      r.optional_string("info", step.info, true);
      break;
    case StepKind::Wait:
      r.number("seconds", step.seconds, true, false);
      break;
    case StepKind::Offline:
      r.number("seconds", step.seconds, false, true);
      break;
    case StepKind::WaitFor: {
      r.string("event", step.event, true, 100);
      std::optional<double> timeout;
      r.number("timeout", timeout, false, true);
      if (timeout) step.timeout = *timeout;
      break;
    }
    case StepKind::DataTransfer:
      r.string("vendorId", step.vendor_id, true);
      r.optional_string("messageId", step.message_id, false);
      r.optional_string("data", step.data, true);
      r.optional_string("expect", step.expect, false);
      break;
    case StepKind::Online:
    case StepKind::Heartbeat:
    case StepKind::Exit:
      break;
  }
  step.repeat = static_cast<int>(repeat);
  return !r.failed();
}

}  // namespace

std::string_view to_string(StepKind kind) {
  for (const auto& k : kinds()) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

std::string describe(const Step& step) {
  return fmt::format("step {} ({})", step.index + 1, to_string(step.kind));
}

std::optional<Scenario> parse_scenario(std::string_view json, std::string& error) {
  rapidjson::Document doc;
  if (const auto parsed = ocpp::parse_json(json, doc); parsed.IsError()) {
    error = fmt::format("not valid JSON at offset {}: {}", parsed.Offset(),
                        rapidjson::GetParseError_En(parsed.Code()));
    return std::nullopt;
  }
  if (!doc.IsObject()) {
    error = "scenario: must be an object with a \"steps\" array";
    return std::nullopt;
  }
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    const std::string_view field(m->name.GetString(), m->name.GetStringLength());
    if (field != "steps" && field != "comment" && field != "description") {
      error = fmt::format("{}: not a scenario member (expected \"steps\")", field);
      return std::nullopt;
    }
  }
  auto steps = doc.FindMember("steps");
  if (steps == doc.MemberEnd() || !steps->value.IsArray()) {
    error = "steps: required, an array of step objects";
    return std::nullopt;
  }
  Scenario scenario;
  std::size_t index = 0;
  for (const auto& v : steps->value.GetArray()) {
    Step step;
    if (!parse_step(v, index, step, error)) return std::nullopt;
    scenario.steps.push_back(std::move(step));
    ++index;
  }
  return scenario;
}

std::optional<Scenario> load_scenario_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto scenario = parse_scenario(text.str(), error);
  if (!scenario) error = path + ": " + error;
  return scenario;
}

}  // namespace simulator
