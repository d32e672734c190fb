#include "admin/bodies.hpp"

#include <algorithm>

#include "admin/api.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"

namespace csms::admin {

namespace {
constexpr std::string_view S = R"({"type":"string"})";
constexpr std::string_view T = R"({"type":"string","format":"date-time"})";
constexpr std::string_view N = R"({"type":"number"})";
constexpr std::string_view I = R"({"type":"integer"})";
constexpr std::string_view B = R"({"type":"boolean"})";
constexpr std::string_view Strings = R"({"type":"array","items":{"type":"string"}})";
constexpr std::string_view Numbers = R"({"type":"array","items":{"type":"number"}})";
constexpr std::string_view Windows =
    R"({"type":"array","items":{"type":"object","additionalProperties":false,"required":["start","end","importLimitKw"],"properties":{"start":{"type":"string","example":"17:00"},"end":{"type":"string","example":"21:00"},"importLimitKw":{"type":"number"}}}})";
}  // namespace

namespace bodies {
const BodySchema station{
    {{"id", S, true}, {"password", S}, {"securityProfile", I}, {"allowDowngrade", B}},
    false,
    false,
    "password null keeps it, \"\" removes it"};
const BodySchema station_import{{{"id", S, true}, {"password", S}}, true};
const BodySchema station_security{{{"securityProfile", I, true}, {"allowDowngrade", B}}};
const BodySchema command{
    {},
    false,
    true,
    "the command's parameters; csmsctl cmd --help and GET /api/commands list them"};
const BodySchema station_carbon{{{"siteId", S}, {"currentType", S}, {"meterPublicKey", S}}};
const BodySchema evse_energy{{{"circuit", S},
                              {"phases", I},
                              {"rotation", S},
                              {"minCurrentA", N},
                              {"maxCurrentA", N},
                              {"priority", I},
                              {"mode", S}}};
const BodySchema idtag{{{"idTag", S, true}, {"status", S}, {"expiry", T}, {"parentIdTag", S}}};
const BodySchema idtag_import{idtag.members, true};
const BodySchema site{{{"id", S, true},
                       {"name", S},
                       {"address", S},
                       {"region", S},
                       {"timezone", S},
                       {"latitude", N},
                       {"longitude", N}}};
const BodySchema green_certificates{{{"month", S, true}, {"kwh", N, true}, {"ids", Strings, true}}};
const BodySchema site_energy{{{"importLimitKw", N},
                              {"marginKw", N},
                              {"maxBaseKw", N},
                              {"batteryPrioritySoc", N},
                              {"batteryMaxDischargeKw", N},
                              {"defaultMode", S},
                              {"smartKeepMinimum", B},
                              {"periodS", I},
                              {"readingMaxAgeS", I},
                              {"safeCurrentA", N},
                              {"leaseS", I},
                              {"windows", Windows}}};
const BodySchema limit_window{{{"start", S, true}, {"end", S, true}, {"importLimitKw", N, true}}};
const BodySchema circuit{{{"id", S, true}, {"parent", S}, {"maxCurrentA", N}, {"maxPowerKw", N}}};
const BodySchema reading{{{"gridW", N},
                          {"pvW", N},
                          {"batteryW", N},
                          {"batterySoc", N},
                          {"baseW", N},
                          {"time", T},
                          {"maxAgeS", I},
                          {"source", S},
                          {"circuit", S},
                          {"currentsA", Numbers}}};
const BodySchema meter{{{"name", S, true},
                        {"host", S, true},
                        {"port", I},
                        {"unitId", I},
                        {"role", S},
                        {"circuit", S},
                        {"pollIntervalS", I},
                        {"maxAgeS", I}}};
const BodySchema factor{{{"kind", S, true},
                         {"variant", S},
                         {"value", N, true},
                         {"unit", S},
                         {"region", S},
                         {"vintage", I},
                         {"validFrom", T},
                         {"source", S}}};
const BodySchema ledger_operation{{{"points", I, true}, {"reason", S}, {"to", S}, {"ref", S}}};
const BodySchema carbon_link{{{"idTag", S, true}, {"account", S, true}}};
const BodySchema api_token{{{"name", S, true}, {"role", S, true}}};
const BodySchema ca_init{{{"organization", S, true}}};
const BodySchema server_certificate{{{"dns", Strings}, {"ip", Strings}}};
const BodySchema revoke_certificate{{{"reason", S}}};
const BodySchema close_transaction{{{"reason", S, true}, {"stationId", S}}};
}  // namespace bodies

void expect_object(const rapidjson::Value& v, const std::string& where, const BodySchema& body) {
  if (!v.IsObject())
    throw ApiError(400, where + "expected a JSON object, got " + json_type_name(v));
  for (const auto& m : v.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    const bool known = std::any_of(body.members.begin(), body.members.end(),
                                   [name](const BodyMember& b) { return b.name == name; });
    if (!known) {
      std::string names;
      for (const auto& b : body.members) names += (names.empty() ? "" : ", ") + std::string(b.name);
      throw ApiError(400, where + "unknown field " + quoted(name) + " (expected " + names + ")");
    }
  }
}

std::string body_schema_json(const BodySchema& body) {
  JsonOut out;
  if (body.array) out.object().key("type").str("array").key("items");
  out.object().key("type").str("object");
  if (!body.description.empty()) out.key("description").str(body.description);
  if (!body.open) {
    out.key("additionalProperties").flag(false);
    bool any_required = false;
    for (const auto& m : body.members) any_required |= m.required;
    if (any_required) {
      out.key("required").array();
      for (const auto& m : body.members)
        if (m.required) out.str(m.name);
      out.end_array();
    }
    out.key("properties").object();
    for (const auto& m : body.members) {
      rapidjson::Document schema;
      schema.Parse(m.schema.data(), m.schema.size());
      // Optional members may be null: absent and null mean the same.
      if (!m.required) schema.AddMember("nullable", true, schema.GetAllocator());
      out.key(m.name).value(schema);
    }
    out.end_object();
  }
  out.end_object();
  if (body.array) out.end_object();
  return out.text();
}

const BodySchema* request_body(std::string_view method, std::string_view shape) {
  if (method != "POST") return nullptr;
  using namespace bodies;
  static const std::vector<std::pair<std::string_view, const BodySchema*>> table = {
      {"/api/stations", &station},
      {"/api/stations/import", &station_import},
      {"/api/stations/{}/security", &station_security},
      {"/api/stations/{}/commands/{}", &command},
      {"/api/stations/{}/carbon", &station_carbon},
      {"/api/stations/{}/evses/{}/energy", &evse_energy},
      {"/api/idtags", &idtag},
      {"/api/idtags/import", &idtag_import},
      {"/api/sites", &site},
      {"/api/sites/{}/green-certificates", &green_certificates},
      {"/api/sites/{}/energy", &site_energy},
      {"/api/sites/{}/circuits", &circuit},
      {"/api/sites/{}/readings", &reading},
      {"/api/sites/{}/meters", &meter},
      {"/api/carbon/factors", &factor},
      {"/api/carbon/accounts/{}/{}", &ledger_operation},
      {"/api/carbon/links", &carbon_link},
      {"/api/tokens", &api_token},
      {"/api/ca", &ca_init},
      {"/api/ca/server-certificate", &server_certificate},
      {"/api/stations/{}/certificates/{}/revoke", &revoke_certificate},
      {"/api/transactions/{}/close", &close_transaction},
  };
  for (const auto& [path, body] : table)
    if (path == shape) return body;
  return nullptr;
}

namespace {
// The objects of the main GET routes, written like json_out.cpp writes them.
constexpr std::string_view kStation =
    R"({"type":"object","required":["id","connected","vendor","model","serialNumber","firmwareVersion","ocppVersion","registration","lastSeen","hasPassword","securityProfile"],
"properties":{"id":{"type":"string"},"connected":{"type":"boolean"},"vendor":{"type":"string"},"model":{"type":"string"},
"serialNumber":{"type":"string"},"firmwareVersion":{"type":"string"},"ocppVersion":{"type":"string"},
"bootReason":{"type":"string","nullable":true},"registration":{"type":"string","enum":["Accepted","Pending","Rejected"]},
"lastSeen":{"type":"string","format":"date-time","nullable":true},"hasPassword":{"type":"boolean"},"securityProfile":{"type":"integer","minimum":0,"maximum":3}}})";
constexpr std::string_view kTransaction =
    R"({"type":"object","required":["id","stationId","evseId","connectorId","idTag","startTime","stopTime","meterStart","meterStop","energyWh","meterAnomaly","authRejected"],
"properties":{"id":{"oneOf":[{"type":"integer"},{"type":"string"}]},"stationId":{"type":"string"},"stationTxId":{"type":"string","nullable":true},
"evseId":{"type":"integer"},"connectorId":{"type":"integer"},"idTag":{"type":"string"},"startTime":{"type":"string","format":"date-time"},
"stopTime":{"type":"string","format":"date-time","nullable":true},"meterStart":{"type":"integer"},"meterStop":{"type":"integer","nullable":true},
"energyWh":{"type":"number","nullable":true},"stopReason":{"type":"string","nullable":true},"meterAnomaly":{"type":"boolean"},"authRejected":{"type":"boolean"},
"offline":{"type":"boolean"},"chargingState":{"type":"string","nullable":true},"remoteStartId":{"type":"integer","nullable":true}}})";
constexpr std::string_view kIdTag =
    R"({"type":"object","required":["idTag","status","expiry","parentIdTag"],"additionalProperties":false,
"properties":{"idTag":{"type":"string"},"status":{"type":"string"},"expiry":{"type":"string","format":"date-time","nullable":true},"parentIdTag":{"type":"string","nullable":true}}})";
constexpr std::string_view kAlert =
    R"({"type":"object","required":["id","kind","stationId","connectorId","openedAt","details","open","closedAt","closeReason"],"additionalProperties":false,
"properties":{"id":{"type":"integer"},"kind":{"type":"string"},"stationId":{"type":"string"},"connectorId":{"type":"integer"},
"openedAt":{"type":"string","format":"date-time"},"details":{"type":"string"},"open":{"type":"boolean"},
"closedAt":{"type":"string","format":"date-time","nullable":true},"closeReason":{"type":"string","nullable":true}}})";
constexpr std::string_view kApiToken =
    R"({"type":"object","required":["name","role"],"properties":{"name":{"type":"string"},"role":{"type":"string","enum":["viewer","operator","admin"]}}})";
}  // namespace

std::string_view response_schema(std::string_view method, std::string_view shape) {
  if (method != "GET") return "";
  static const std::string stations = R"({"type":"array","items":)" + std::string(kStation) + "}";
  static const std::string transactions =
      R"({"type":"array","items":)" + std::string(kTransaction) + "}";
  static const std::string idtags = R"({"type":"array","items":)" + std::string(kIdTag) + "}";
  static const std::string alerts = R"({"type":"array","items":)" + std::string(kAlert) + "}";
  static const std::string tokens = R"({"type":"array","items":)" + std::string(kApiToken) + "}";
  static const std::string commands = R"({"type":"array","items":{"type":"string"}})";
  static const std::vector<std::pair<std::string_view, std::string_view>> table = {
      {"/api/stations", stations},
      {"/api/stations/{}", kStation},
      {"/api/transactions", transactions},
      {"/api/idtags", idtags},
      {"/api/alerts", alerts},
      {"/api/tokens", tokens},
      {"/api/commands", commands},
  };
  for (const auto& [path, schema] : table)
    if (path == shape) return schema;
  return "";
}

}  // namespace csms::admin
