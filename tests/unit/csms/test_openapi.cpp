// /openapi.json is kept true: every route of the table is documented, every
// documented route exists, and the document is well-formed OpenAPI 3.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "admin/api.hpp"
#include "admin/openapi.hpp"
#include "ocpp/common/json.hpp"

using csms::admin::Api;

namespace {

std::set<std::pair<std::string, std::string>> documented() {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& d : csms::admin::route_docs())
    out.emplace(d.method, csms::admin::route_shape(d.path));
  return out;
}

}  // namespace

TEST_CASE("openapi: every route in the route table is documented", "[admin][openapi]") {
  const auto docs = documented();
  for (const auto& route : Api::route_table()) {
    INFO(route.method << " " << route.path);
    CHECK(docs.count({route.method, route.path}) == 1);
  }
}

TEST_CASE("openapi: every documented route exists in the route table", "[admin][openapi]") {
  const auto routes = Api::route_table();
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& route : routes) table.insert({route.method, route.path});
  CHECK(table.size() == routes.size());  // No route is in the table twice.
  for (const auto& d : csms::admin::route_docs()) {
    INFO(d.method << " " << d.path);
    CHECK(table.count({d.method, csms::admin::route_shape(d.path)}) == 1);
  }
  CHECK(documented().size() == csms::admin::route_docs().size());  // None documented twice.
}

TEST_CASE("openapi: the document is OpenAPI 3 with every path and its parameters",
          "[admin][openapi]") {
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(csms::admin::openapi_json(), doc).IsError());
  CHECK(std::string(doc["openapi"].GetString()).rfind("3.", 0) == 0);
  CHECK(doc["info"]["version"].IsString());
  const auto& paths = doc["paths"];
  std::size_t operations = 0;
  for (const auto& d : csms::admin::route_docs()) {
    INFO(d.method << " " << d.path);
    REQUIRE(paths.HasMember(d.path.c_str()));
    std::string method = d.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    REQUIRE(paths[d.path.c_str()].HasMember(method.c_str()));
    const auto& op = paths[d.path.c_str()][method.c_str()];
    CHECK(op["summary"].GetStringLength() > 0);
    // One path parameter per {name} of the path, then the query parameters.
    std::size_t placeholders = 0;
    for (char c : d.path) placeholders += c == '{';
    CHECK(op["parameters"].Size() == placeholders + d.query.size());
    ++operations;
  }
  std::size_t in_doc = 0;
  for (const auto& p : paths.GetObject()) in_doc += p.value.MemberCount();
  CHECK(in_doc == operations);
  // Only the public routes drop the bearer token requirement.
  CHECK(paths["/health"]["get"]["security"].Size() == 0);
  CHECK(paths["/openapi.json"]["get"]["security"].Size() == 0);
  CHECK_FALSE(paths["/api/backup"]["get"].HasMember("security"));
}
