// GET /openapi.json: an OpenAPI 3 description of the admin API. The paths come
// from the route table (Api::route_table, with each route's role); this file adds what a table of
// handlers cannot say: a summary, the path parameters' names, the query
// parameters. A unit test keeps the two in step both ways.
#include "admin/openapi.hpp"

#include <map>
#include <set>
#include <string_view>

#include "admin/api.hpp"
#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "csms/roles.hpp"
#include "csms/version.hpp"

namespace csms::admin {

namespace {

// clang-format off
const std::vector<RouteDoc>& docs() {
  static const std::vector<RouteDoc> table = {
      {"GET", "/health", "Liveness and the server's version (no token needed)", "operations", {}},
      {"GET", "/openapi.json", "This document (no token needed)", "operations", {}},
      {"GET", "/metrics", "Prometheus metrics (text format)", "operations", {}},
      {"GET", "/api/backup", "A consistent copy of the database (SQLite file)", "operations", {}},
      {"GET", "/api/commands", "The command names stations accept", "stations", {}},
      {"GET", "/api/cluster", "This node, the cluster's nodes (heartbeat age, alive) and the NOTIFY queue usage; {\"enabled\":false} on SQLite", "operations", {}},
      {"GET", "/api/cluster/sessions", "Which node holds each station's socket, with its epoch", "operations", {}},
      {"GET", "/api/stations", "The registered stations", "stations", {}},
      {"POST", "/api/stations", "Register a station or change its password", "stations", {}},
      {"POST", "/api/stations/import", "Register many stations: all or nothing", "stations", {}},
      {"GET", "/api/stations/{id}", "A station, its connectors and device-model summary", "stations", {}},
      {"DELETE", "/api/stations/{id}", "Unregister a station (its history stays)", "stations", {}},
      {"POST", "/api/stations/{id}/commands/{command}", "Send an operator command and return the station's answer", "stations", {}},
      {"GET", "/api/stations/{id}/log", "The station's recent OCPP frames, newest first", "stations", {"limit"}},
      {"GET", "/api/stations/{id}/uptime", "The station's online/offline history over the last 24 h or 7 d", "stations", {"period"}},
      {"GET", "/api/stations/{id}/variables", "Every device-model variable a 2.0.1 station reported", "stations", {}},
      {"GET", "/api/stations/{id}/display-messages", "Display messages a 2.0.1 station reported", "stations", {"requestId"}},
      {"GET", "/api/stations/{id}/customer-information", "Customer information reports, assembled", "stations", {"requestId"}},
      {"GET", "/api/stations/{id}/profiles", "Charging profiles installed on the station", "stations", {}},
      {"GET", "/api/stations/{id}/monitors", "Variable monitors of a 2.0.1 station", "stations", {}},
      {"GET", "/api/stations/{id}/local-list", "The local authorization list the station accepted", "stations", {}},
      {"GET", "/api/stations/{id}/firmware", "Firmware, diagnostics and log upload status", "stations", {"topic", "limit"}},
      {"POST", "/api/stations/{id}/carbon", "A station's site, current type and meter key", "carbon", {}},
      {"POST", "/api/stations/{id}/evses/{evse}/energy", "How one EVSE is wired and charges", "energy", {}},
      {"GET", "/api/notifications", "What stations notified, newest first", "stations", {"stationId", "action", "limit"}},
      {"GET", "/api/idtags", "The id tags", "idtags", {}},
      {"POST", "/api/idtags", "Add or replace an id tag", "idtags", {}},
      {"POST", "/api/idtags/import", "Import id tags: all or nothing", "idtags", {}},
      {"POST", "/api/idtags/{tag}/block", "Block an id tag", "idtags", {}},
      {"DELETE", "/api/idtags/{tag}", "Delete an id tag", "idtags", {}},
      {"GET", "/api/transactions", "Transactions, newest first", "transactions", {"stationId", "idTag", "from", "to", "active", "limit"}},
      {"GET", "/api/transactions/{id}", "A transaction and its meter values", "transactions", {"stationId"}},
      {"GET", "/api/events", "Security events, newest first", "stations", {"stationId", "critical", "limit"}},
      {"GET", "/api/reservations", "Reservations, newest first", "transactions", {"stationId", "active", "limit"}},
      {"GET", "/api/files", "Files stations uploaded, newest first", "stations", {"stationId", "limit"}},
      {"GET", "/api/files/{id}", "An uploaded file's bytes", "stations", {}},
      {"GET", "/api/sites", "The sites", "sites", {}},
      {"POST", "/api/sites", "Add or change a site", "sites", {}},
      {"GET", "/api/sites/{site}", "A site, its stations and green certificates", "sites", {}},
      {"DELETE", "/api/sites/{site}", "Remove a site", "sites", {}},
      {"POST", "/api/sites/{site}/green-certificates", "Record retired green certificates of a month", "carbon", {}},
      {"GET", "/api/sites/{site}/energy", "The energy controller's live view", "energy", {}},
      {"POST", "/api/sites/{site}/energy", "Grid limit and controller settings", "energy", {}},
      {"GET", "/api/sites/{site}/circuits", "The site's circuit tree", "energy", {}},
      {"POST", "/api/sites/{site}/circuits", "Add or replace a circuit", "energy", {}},
      {"DELETE", "/api/sites/{site}/circuits/{circuit}", "Remove a circuit", "energy", {}},
      {"POST", "/api/sites/{site}/readings", "Push a meter reading", "energy", {}},
      {"GET", "/api/sites/{site}/decisions", "The controller's decision log, newest first", "energy", {"limit"}},
      {"GET", "/api/sites/{site}/meters", "The site's polled Modbus/SunSpec meters", "energy", {}},
      {"POST", "/api/sites/{site}/meters", "Add or replace a polled meter", "energy", {}},
      {"DELETE", "/api/sites/{site}/meters/{name}", "Remove a polled meter", "energy", {}},
      {"GET", "/api/carbon/factors", "The carbon parameter registry", "carbon", {"kind", "region"}},
      {"POST", "/api/carbon/factors", "Add a carbon parameter", "carbon", {}},
      {"GET", "/api/carbon/transactions/{id}", "A transaction's carbon record", "carbon", {"stationId"}},
      {"GET", "/api/carbon/accounts/{tag}", "A driver's carbon account", "carbon", {}},
      {"POST", "/api/carbon/accounts/{tag}/{operation}", "Redeem, donate or adjust points", "carbon", {}},
      {"POST", "/api/carbon/links", "Credit a token's sessions to an account", "carbon", {}},
      {"GET", "/api/carbon/ledger", "Carbon ledger entries, oldest first", "carbon", {"account", "from", "to"}},
      {"GET", "/api/carbon/verify", "Recompute the ledger's hash chain", "carbon", {}},
      {"GET", "/api/carbon/report", "A site's monthly report or a driver's statement", "carbon", {"site", "account", "month", "format"}},
      {"GET", "/api/carbon/bundle", "A verification bundle of a site and month", "carbon", {"site", "month"}},
      {"GET", "/api/stream", "Live events (server-sent events) for the console", "operations", {}},
      {"POST", "/api/stations/{id}/security", "Set a station's security profile (lowering needs allowDowngrade)", "security", {}},
      {"GET", "/api/tokens", "The named API tokens (never the tokens themselves)", "security", {}},
      {"POST", "/api/tokens", "Create a named API token with a role; the token is shown once", "security", {}},
      {"DELETE", "/api/tokens/{name}", "Revoke a named API token at once", "security", {}},
      {"GET", "/api/whoami", "The calling token's name and role", "security", {}},
      {"GET", "/api/audit", "The audit log of changes, commands and refusals, newest first", "security", {"limit", "since"}},
      {"GET", "/api/ca", "The station CA's certificate and fingerprint", "security", {}},
      {"POST", "/api/ca", "Create the station CA", "security", {}},
      {"POST", "/api/ca/server-certificate", "Issue a lab server certificate from the station CA", "security", {}},
      {"GET", "/api/stations/{id}/certificates", "Certificates issued to a station", "security", {"expired"}},
      {"POST", "/api/stations/{id}/certificates/{serial}/revoke", "Revoke a station certificate and disconnect the station", "security", {}},
      {"POST", "/api/tls/reload", "Reload the TLS certificate, key, client CAs and CRLs", "security", {}},
      {"GET", "/api/alerts", "Alerts, newest first", "operations", {"open", "stationId", "limit"}},
      {"GET", "/api/reports/availability", "Availability per connector and station over a month", "operations", {"month", "stationId", "format"}},
      {"POST", "/api/transactions/{id}/close", "Close a transaction the station will never end", "transactions", {}},
  };
  return table;
}
// clang-format on

// "/api/stations/{id}/log" -> "/api/stations/{}/log"
std::string shape(const std::string& path) {
  std::string out;
  bool in_name = false;
  for (char c : path) {
    if (c == '{') {
      out += "{}";
      in_name = true;
    } else if (c == '}') {
      in_name = false;
    } else if (!in_name) {
      out.push_back(c);
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const std::vector<RouteDoc>& route_docs() {
  return docs();
}

std::string route_shape(const std::string& documented_path) {
  return shape(documented_path);
}

std::string openapi_json() {
  // Documentation by (method, shape); the routes themselves come from the table.
  std::map<std::pair<std::string, std::string>, const RouteDoc*> by_route;
  for (const auto& d : docs()) by_route[{d.method, shape(d.path)}] = &d;
  // Paths in route-table order, each with its methods.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RouteDoc*>> paths;
  std::set<std::string> tags;
  std::map<const RouteDoc*, Role> roles;
  for (const auto& route : Api::route_table()) {
    auto it = by_route.find({route.method, route.path});
    if (it == by_route.end()) continue;  // Undocumented: the unit test fails on it.
    const RouteDoc& d = *it->second;
    if (!paths.count(d.path)) order.push_back(d.path);
    paths[d.path].push_back(&d);
    roles[&d] = route.role;
    tags.insert(d.tag);
  }

  JsonOut out;
  out.object().key("openapi").str("3.0.3");
  out.key("info").object().key("title").str("csms admin API").key("version").str(kVersion);
  out.key("description")
      .str(
          "The admin API of the csms OCPP central system (docs/admin-api.md). Every route "
          "but /health and /openapi.json needs the admin bearer token.")
      .end_object();
  out.key("security")
      .array()
      .object()
      .key("bearerAuth")
      .array()
      .end_array()
      .end_object()
      .end_array();
  out.key("tags").array();
  for (const auto& t : tags) out.object().key("name").str(t).end_object();
  out.end_array();
  out.key("paths").object();
  for (const auto& path : order) {
    out.key(path).object();
    for (const RouteDoc* d : paths[path]) {
      out.key(lower(d->method)).object();
      out.key("summary").str(d->summary).key("tags").array().str(d->tag).end_array();
      std::string op_id = lower(d->method);
      for (char c : shape(d->path))
        op_id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
      out.key("operationId").str(op_id);
      // The least role of a token that may call it (docs/security.md).
      out.key("x-required-role").str(to_string(roles[d]));
      if (d->path == "/health" || d->path == "/openapi.json")
        out.key("security").array().end_array();  // No token needed.
      out.key("parameters").array();
      for (std::size_t i = 0; i < d->path.size(); ++i) {
        if (d->path[i] != '{') continue;
        const auto close = d->path.find('}', i);
        out.object()
            .key("name")
            .str(d->path.substr(i + 1, close - i - 1))
            .key("in")
            .str("path")
            .key("required")
            .flag(true)
            .key("schema")
            .object()
            .key("type")
            .str("string")
            .end_object()
            .end_object();
      }
      for (const auto& q : d->query) {
        out.object().key("name").str(q).key("in").str("query").key("required").flag(false);
        out.key("schema").object().key("type").str("string").end_object().end_object();
      }
      out.end_array();
      // Request and response schemas from the tables the handlers use
      // (admin/bodies.hpp), so they cannot drift apart.
      if (const BodySchema* body = request_body(d->method, shape(d->path))) {
        rapidjson::Document schema;
        schema.Parse(body_schema_json(*body).c_str());
        out.key("requestBody").object().key("required").flag(!body->open).key("content").object();
        out.key("application/json").object().key("schema").value(schema).end_object();
        out.end_object().end_object();
      }
      out.key("responses").object();
      const auto response = response_schema(d->method, shape(d->path));
      out.key(response.empty() ? "2XX" : "200")
          .object()
          .key("description")
          .str("Success (docs/admin-api.md describes the body)");
      if (!response.empty()) {
        rapidjson::Document schema;
        schema.Parse(response.data(), response.size());
        out.key("content").object().key("application/json").object().key("schema").value(schema);
        out.end_object().end_object();
      }
      out.end_object();
      out.key("default").object().key("description").str("An error naming the problem");
      out.key("content").object().key("application/json").object().key("schema").object();
      out.key("$ref").str("#/components/schemas/Error").end_object().end_object().end_object();
      out.end_object();
      out.end_object();  // responses
      out.end_object();  // method
    }
    out.end_object();
  }
  out.end_object();
  out.key("components").object();
  out.key("securitySchemes").object().key("bearerAuth").object();
  out.key("type").str("http").key("scheme").str("bearer").end_object().end_object();
  out.key("schemas").object().key("Error").object().key("type").str("object");
  out.key("required").array().str("error").end_array();
  out.key("properties").object();
  out.key("error").object().key("type").str("string").end_object();
  out.key("code").object().key("type").str("string").end_object();
  out.end_object().end_object().end_object().end_object();
  out.end_object();
  return out.text();
}

void Api::openapi(Call& call) {
  call.reply(json_response(200, openapi_json()));
}

}  // namespace csms::admin
