// /openapi.json's body schemas: every route that takes a body has one (from
// the tables its handler checks bodies with), and real responses of the main
// GET routes validate against theirs.
#include <rapidjson/schema.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "admin/api.hpp"
#include "admin/bodies.hpp"
#include "admin/openapi.hpp"
#include "admin_rig.hpp"
#include "ocpp/common/json.hpp"

using namespace admin_rig;

namespace {

rapidjson::Document openapi() {
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(csms::admin::openapi_json(), doc).IsError());
  return doc;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// OpenAPI 3.0's `nullable: true` as JSON Schema (draft 4) says it: the type
// or null. rapidjson's validator knows draft 4.
void nullable_to_types(rapidjson::Value& v, rapidjson::Document::AllocatorType& a) {
  if (v.IsArray()) {
    for (auto& item : v.GetArray()) nullable_to_types(item, a);
    return;
  }
  if (!v.IsObject()) return;
  if (v.HasMember("nullable") && v["nullable"].IsTrue() && v.HasMember("type") &&
      v["type"].IsString()) {
    rapidjson::Value types(rapidjson::kArrayType);
    types.PushBack(rapidjson::Value(v["type"], a), a);
    types.PushBack("null", a);
    v["type"] = types;
    v.RemoveMember("nullable");
  }
  for (auto& m : v.GetObject()) nullable_to_types(m.value, a);
}

// Validates `body` against the 200 schema of GET `path` in the document.
void check_against_schema(const rapidjson::Document& doc, const std::string& path,
                          const std::string& body) {
  INFO("GET " << path << ": " << body);
  const auto& op = doc["paths"][path.c_str()]["get"];
  REQUIRE(op["responses"].HasMember("200"));
  rapidjson::Document schema_doc;
  schema_doc.CopyFrom(op["responses"]["200"]["content"]["application/json"]["schema"],
                      schema_doc.GetAllocator());
  nullable_to_types(schema_doc, schema_doc.GetAllocator());
  rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::SchemaValidator validator(schema);
  rapidjson::Document value;
  REQUIRE_FALSE(value.Parse(body.c_str()).HasParseError());
  const bool valid = value.Accept(validator);
  if (!valid) {
    rapidjson::StringBuffer where;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
    FAIL("invalid at " << where.GetString() << ": keyword " << validator.GetInvalidSchemaKeyword());
  }
}

}  // namespace

TEST_CASE("openapi: every route that takes a body has its request schema", "[admin][openapi]") {
  const auto doc = openapi();
  // The POST routes without a body: an action named by the path alone.
  const std::set<std::string> no_body = {"/api/idtags/{tag}/block", "/api/tls/reload"};
  std::size_t with_body = 0;
  for (const auto& d : csms::admin::route_docs()) {
    const std::string method = d.method;
    if (method != "POST" && method != "PUT" && method != "PATCH") continue;
    INFO(d.method << " " << d.path);
    const auto& op = doc["paths"][d.path.c_str()][lower(method).c_str()];
    if (no_body.count(d.path)) {
      CHECK_FALSE(op.HasMember("requestBody"));
      continue;
    }
    REQUIRE(op.HasMember("requestBody"));
    const auto& schema = op["requestBody"]["content"]["application/json"]["schema"];
    const auto& object =
        std::string(schema["type"].GetString()) == "array" ? schema["items"] : schema;
    CHECK(std::string(object["type"].GetString()) == "object");
    const auto* body = csms::admin::request_body(method, csms::admin::route_shape(d.path));
    REQUIRE(body != nullptr);
    if (!body->open) {
      // Exactly the members the handler accepts, each with a type.
      REQUIRE(object.HasMember("properties"));
      CHECK(object["properties"].MemberCount() == body->members.size());
      CHECK(object["additionalProperties"].IsFalse());
      for (const auto& m : object["properties"].GetObject()) CHECK(m.value.HasMember("type"));
    }
    ++with_body;
  }
  CHECK(with_body >= 20);
}

TEST_CASE("openapi: the main GET routes have a response schema", "[admin][openapi]") {
  const auto doc = openapi();
  for (const char* path : {"/api/stations", "/api/stations/{id}", "/api/transactions",
                           "/api/idtags", "/api/alerts", "/api/tokens", "/api/commands"}) {
    INFO(path);
    CHECK(doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"].HasMember(
        "schema"));
  }
}

TEST_CASE("openapi: real responses validate against their schemas", "[admin][openapi]") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c.request(http::verb::post, "/api/stations",
                    "{\"id\":\"CP1\",\"password\":\"" + kPassword + "\"}")
              .status == 201);
  REQUIRE(c.request(http::verb::post, "/api/stations", R"({"id":"CP2"})").status == 201);
  REQUIRE(c.request(http::verb::post, "/api/idtags", R"({"idTag":"TAG1"})").status < 300);
  REQUIRE(
      c.request(
           http::verb::post, "/api/idtags",
           R"({"idTag":"TAG2","status":"Blocked","expiry":"2030-01-01T00:00:00Z","parentIdTag":"GROUP"})")
          .status < 300);
  f.write([](storage::Session& s) {
    storage::Transaction done;
    done.station_id = "CP1";
    done.id_tag = "TAG1";
    done.start_time = *DateTime::parse("2026-01-01T10:00:00Z");
    done.stop_time = *DateTime::parse("2026-01-01T11:00:00Z");
    done.meter_start = 100;
    done.meter_stop = 5100;
    done.energy_wh = 5000;
    done.stop_reason = "Local";
    s.transactions.insert(done);
    storage::Transaction running;
    running.station_id = "CP2";
    running.station_tx_id = "tx-1";
    running.id_tag = "TAG1";
    running.start_time = *DateTime::parse("2026-01-02T10:00:00Z");
    s.transactions.insert(running);
    storage::Alert open;
    open.kind = "station_offline";
    open.station_id = "CP1";
    open.opened_at = *DateTime::parse("2026-01-02T10:00:00Z");
    open.details = "offline for 300 s";
    s.operations.open_alert(open);
    storage::Alert closed = open;
    closed.kind = "connector_faulted";
    closed.connector_id = 1;
    s.operations.open_alert(closed);
    s.operations.close_alert("connector_faulted", "CP1", 1,
                             *DateTime::parse("2026-01-02T11:00:00Z"), "recovered");
  });
  const auto doc = openapi();
  for (const auto& [route, path] :
       std::vector<std::pair<std::string, std::string>>{{"/api/stations", "/api/stations"},
                                                        {"/api/stations/{id}", "/api/stations/CP1"},
                                                        {"/api/transactions", "/api/transactions"},
                                                        {"/api/idtags", "/api/idtags"},
                                                        {"/api/alerts", "/api/alerts"},
                                                        {"/api/tokens", "/api/tokens"},
                                                        {"/api/commands", "/api/commands"}}) {
    auto answer = c.request(http::verb::get, path);
    INFO(path);
    REQUIRE(answer.status == 200);
    check_against_schema(doc, route, answer.body);
  }
}
