// The device-model commands only 2.0.1 has: get-variables, set-variables and
// report (GetBaseReport/GetReport). Accepted values are stored.
#include <charconv>

#include "handlers/v201/commands.hpp"
#include "ocpp/v201/codec.hpp"
#include "rpc/secrets.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;

namespace {

// A whole non-negative decimal number, as EVSE and connector ids are.
std::optional<std::int64_t> id_number(const std::string& text) {
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n < 0) return std::nullopt;
  return n;
}

}  // namespace

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

namespace {

// The stored form of a device-model attribute the station named in an answer.
storage::DeviceVariable stored(const std::string& station_id, const w::ComponentType& c,
                               const w::VariableType& v,
                               const std::optional<w::AttributeEnumType>& type,
                               std::optional<std::string> value) {
  // A password (write-only in the device model) is never kept in clear.
  if (value && is_secret_variable(c.name, v.name)) value = std::string(kRedacted);
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

void add_device_model_commands(CommandTable& table) {
  table["get-variables"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys"});
    get_variables(sv, session, p, std::move(done));
  };
  table["set-variables"] = [](Services& sv, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys"});
    set_variables(sv, session, p, std::move(done));
  };
  table["report"] = [](Services&, StationSession& session, Params& p, CommandDone done) {
    p.allow({"keys", "base"});
    report(session, p, std::move(done));
  };
}

}  // namespace csms::v201
