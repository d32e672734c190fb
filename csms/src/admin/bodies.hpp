#pragma once
// The request bodies of the admin API as tables: the handlers accept exactly
// these members (expect_object), and /openapi.json describes them from the
// same tables, so the two cannot drift apart.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocpp/common/json.hpp"

namespace csms::admin {

/// One member of a JSON request body.
struct BodyMember {
  constexpr BodyMember(std::string_view n, std::string_view s, bool r = false)
      : name(n), schema(s), required(r) {}
  std::string_view name;
  /// A JSON Schema fragment for the value, e.g. R"({"type":"string"})".
  std::string_view schema;
  bool required = false;
};

/// A request body: an object of `members`, or (`array`) a list of them, or
/// (`open`) an object whose members the route checks itself.
struct BodySchema {
  BodySchema(std::vector<BodyMember> m, bool is_array = false, bool is_open = false,
             std::string_view text = {})
      : members(std::move(m)), array(is_array), open(is_open), description(text) {}
  std::vector<BodyMember> members;
  bool array = false;
  bool open = false;
  std::string_view description;
};

/// Checks that `v` is an object with only the members of `body`; `where`
/// prefixes messages ("" or "item 3: "). 400 otherwise.
void expect_object(const rapidjson::Value& v, const std::string& where, const BodySchema& body);

/// The OpenAPI schema of a body (JSON text).
std::string body_schema_json(const BodySchema& body);

/// The request body of a route ("POST", "/api/stations/{}"), or nullptr for a
/// route that takes none.
const BodySchema* request_body(std::string_view method, std::string_view shape);

/// The response schema (JSON text) of the main GET routes, or "" when the
/// route's body is described in docs/admin-api.md only.
std::string_view response_schema(std::string_view method, std::string_view shape);

namespace bodies {
extern const BodySchema station, station_import, station_security, command, station_carbon,
    evse_energy, idtag, idtag_import, site, green_certificates, site_energy, limit_window, circuit,
    reading, meter, factor, ledger_operation, carbon_link, api_token, ca_init, server_certificate,
    revoke_certificate, close_transaction;
}  // namespace bodies

}  // namespace csms::admin
