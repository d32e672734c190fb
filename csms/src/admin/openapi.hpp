#pragma once
// The OpenAPI 3 document of the admin API (GET /openapi.json).

#include <string>
#include <vector>

namespace csms::admin {

/// What the OpenAPI document says about one route.
struct RouteDoc {
  const char* method;  ///< "GET", "POST", "DELETE"
  std::string path;    ///< With named parameters: "/api/stations/{id}/log".
  const char* summary;
  const char* tag;
  std::vector<std::string> query;  ///< Query parameters the route reads.
};

/// Every documented route.
const std::vector<RouteDoc>& route_docs();

/// A documented path in the route table's form: "/api/stations/{}/log".
std::string route_shape(const std::string& documented_path);

/// The document, built from the route table and route_docs().
std::string openapi_json();

}  // namespace csms::admin
