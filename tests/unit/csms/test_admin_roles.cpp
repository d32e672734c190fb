// Admin API tokens, roles and the audit log, over real HTTP (the rig is the one
// of test_admin_api.cpp): every route refuses a lower role (403) and no token
// (401); named tokens are created, listed and revoked at once; changes,
// commands and refusals are audited without secrets.

#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "csms/admin/admin_server.hpp"
#include "csms/commands.hpp"
#include "csms/metrics.hpp"
#include "csms/station_registry.hpp"
#include "csms/version.hpp"
#include "ocpp/common/json.hpp"
#include "storage/database.hpp"
#include "support/temp_dir.hpp"

#include "admin_rig.hpp"

namespace {

using namespace admin_rig;

/// Creates a named token with the bootstrap token; returns the secret.
std::string create_token(Client& c, const std::string& name, const std::string& role) {
  auto a = c.request(http::verb::post, "/api/tokens",
                     "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
  INFO(a.body);
  REQUIRE(a.status == 201);
  auto doc = parse(a.body);
  return doc["token"].GetString();
}

std::string bearer(const std::string& token) {
  return "Bearer " + token;
}

/// The route's path with placeholders filled in (a command route names `command`).
std::string concrete(const std::string& pattern, const std::string& command = "reset") {
  std::string out;
  std::size_t placeholders = 0;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 2, "{}") == 0) {
      const bool is_command =
          pattern.find("/commands/{}") != std::string::npos && placeholders == 1;
      out += is_command ? command : "x";
      ++placeholders;
      i += 2;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

http::verb verb_of(const std::string& method) {
  return http::string_to_verb(method);
}

std::vector<rapidjson::Document> audit_entries(Client& c, const std::string& query = "") {
  auto a = c.request(http::verb::get, "/api/audit" + query);
  INFO(a.body);
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  REQUIRE(doc.IsArray());
  std::vector<rapidjson::Document> out;
  for (const auto& e : doc.GetArray()) {
    rapidjson::Document copy;
    copy.CopyFrom(e, copy.GetAllocator());
    out.push_back(std::move(copy));
  }
  return out;
}

std::string field(const rapidjson::Value& v, const char* name) {
  return v[name].IsString() ? v[name].GetString() : "";
}

}  // namespace

TEST_CASE("admin roles: every route refuses a lower role with 403 and no token with 401",
          "[admin][roles]") {
  Fixture f;
  auto c = f.client();
  const std::string viewer = create_token(c, "view", "viewer");
  const std::string op = create_token(c, "ops", "operator");
  const auto routes = csms::admin::AdminServer::routes();
  REQUIRE(routes.size() > 50);
  for (const auto& route : routes) {
    const std::string path = concrete(route.path);
    INFO(route.method << " " << route.path);
    // Reads are viewer or admin; nothing that changes anything is viewer.
    if (route.method != "GET") CHECK(route.role != csms::Role::Viewer);
    const std::string body = route.method == "GET" ? "" : "{}";
    if (route.path != "/health" && route.path != "/openapi.json") {  // Public: no data.
      // A refused request with a body ends its connection (the body is never
      // read): a fresh client each.
      auto none = f.client().request(verb_of(route.method), path, body, std::nullopt);
      CHECK(none.status == 401);
      auto wrong = f.client().request(verb_of(route.method), path, body, bearer("csms_wrong"));
      CHECK(wrong.status == 401);
    }
    const std::pair<csms::Role, std::string> holders[] = {{csms::Role::Viewer, viewer},
                                                          {csms::Role::Operator, op}};
    for (const auto& [role, token] : holders) {
      if (csms::role_allows(role, route.role)) continue;
      auto a = c.request(verb_of(route.method), path, body, bearer(token));
      INFO("as " << csms::to_string(role) << ": " << a.body);
      CHECK(a.status == 403);
      if (a.status == 403)
        CHECK(error_of(a).find(std::string("needs the ") + csms::to_string(route.role) + " role") !=
              std::string::npos);
    }
  }
  // Nothing was run for a refused request.
  CHECK(f.gateway().calls().empty());
}

TEST_CASE("admin roles: security commands need the admin role", "[admin][roles]") {
  Fixture f;
  auto c = f.client();
  const std::string op = create_token(c, "ops", "operator");
  add_station(c, "CP1");
  f.gateway().set_connected("CP1");
  csms::CommandResult ok;
  ok.action = "Reset";
  ok.response_json = "{\"status\":\"Accepted\"}";
  f.gateway().set_result(ok);

  CHECK(c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{}", bearer(op)).status ==
        200);
  for (const std::string command : {"rotate-password", "upgrade-security", "revoke-certificate",
                                    "cert-install", "network-profile"}) {
    auto a = c.request(http::verb::post, "/api/stations/CP1/commands/" + command, "{}", bearer(op));
    INFO(command << ": " << a.body);
    CHECK(a.status == 403);
    CHECK(error_of(a).find("needs the admin role") != std::string::npos);
  }
  // Security settings through the generic commands are admin too.
  auto key = c.request(http::verb::post, "/api/stations/CP1/commands/set-config",
                       "{\"key\":\"AuthorizationKey\",\"value\":\"0011223344556677\"}", bearer(op));
  CHECK(key.status == 403);
  auto profile = c.request(http::verb::post, "/api/stations/CP1/commands/set-variables",
                           "{\"keys\":[\"SecurityCtrlr.SecurityProfile=1\"]}", bearer(op));
  CHECK(profile.status == 403);
  CHECK(c.request(http::verb::post, "/api/stations/CP1/commands/set-config",
                  "{\"key\":\"HeartbeatInterval\",\"value\":\"60\"}", bearer(op))
            .status == 200);
  // The bootstrap token is admin.
  CHECK(c.request(http::verb::post, "/api/stations/CP1/commands/rotate-password", "{}").status ==
        200);
  CHECK(csms::default_command_role("reset") == csms::Role::Operator);
}

TEST_CASE("admin tokens: created once, listed without secrets, revoked at once", "[admin][roles]") {
  Fixture f;
  auto c = f.client();
  auto created =
      c.request(http::verb::post, "/api/tokens", "{\"name\":\"ops\",\"role\":\"operator\"}");
  REQUIRE(created.status == 201);
  auto doc = parse(created.body);
  const std::string secret = doc["token"].GetString();
  CHECK(secret.rfind("csms_", 0) == 0);
  CHECK(secret.size() == 5 + 64);
  CHECK(field(doc, "role") == "operator");
  CHECK(field(doc, "createdBy") == "bootstrap");

  // It works at once, with its role.
  CHECK(c.request(http::verb::get, "/api/stations", "", bearer(secret)).status == 200);
  CHECK(c.request(http::verb::get, "/api/tokens", "", bearer(secret)).status == 403);

  auto list = c.request(http::verb::get, "/api/tokens");
  REQUIRE(list.status == 200);
  CHECK(list.body.find(secret) == std::string::npos);
  CHECK(list.body.find(secret.substr(5, 16)) == std::string::npos);
  CHECK(list.body.find("hash") == std::string::npos);
  auto names = parse(list.body);
  REQUIRE(names.Size() == 2);
  CHECK(field(names[0], "name") == "bootstrap");
  CHECK(field(names[1], "name") == "ops");
  CHECK(names[1]["revokedAt"].IsNull());

  // Names are unique, roles known, "bootstrap" reserved.
  CHECK(
      c.request(http::verb::post, "/api/tokens", "{\"name\":\"ops\",\"role\":\"viewer\"}").status ==
      409);
  auto bad_role = c.request(http::verb::post, "/api/tokens", "{\"name\":\"x\",\"role\":\"root\"}");
  CHECK(bad_role.status == 400);
  CHECK(error_of(bad_role).find("viewer, operator or admin") != std::string::npos);
  CHECK(c.request(http::verb::post, "/api/tokens", "{\"name\":\"bootstrap\",\"role\":\"admin\"}")
            .status == 400);
  CHECK(
      c.request(http::verb::post, "/api/tokens", "{\"name\":\"a b\",\"role\":\"admin\"}").status ==
      400);

  // An admin token may make tokens; the maker is recorded.
  const std::string admin = create_token(c, "root", "admin");
  auto by_admin = c.request(http::verb::post, "/api/tokens", "{\"name\":\"v\",\"role\":\"viewer\"}",
                            bearer(admin));
  REQUIRE(by_admin.status == 201);
  CHECK(field(parse(by_admin.body), "createdBy") == "root");

  auto revoked = c.request(http::verb::delete_, "/api/tokens/ops");
  REQUIRE(revoked.status == 200);
  CHECK_FALSE(parse(revoked.body)["revokedAt"].IsNull());
  auto after = c.request(http::verb::get, "/api/stations", "", bearer(secret));
  CHECK(after.status == 401);
  CHECK(c.request(http::verb::delete_, "/api/tokens/ops").status == 409);
  CHECK(c.request(http::verb::delete_, "/api/tokens/nobody").status == 404);
  CHECK(c.request(http::verb::delete_, "/api/tokens/bootstrap").status == 400);
  // A revoked name is not reused.
  CHECK(
      c.request(http::verb::post, "/api/tokens", "{\"name\":\"ops\",\"role\":\"viewer\"}").status ==
      409);
}

TEST_CASE("admin tokens: named tokens work without a bootstrap token after a restart",
          "[admin][roles]") {
  TempDir dir;
  std::string secret;
  {
    Fixture f(kToken, dir.file("csms.db"));
    auto c = f.client();
    secret = create_token(c, "ops", "operator");
  }
  Fixture f("", dir.file("csms.db"));
  auto c = f.client();
  CHECK(c.request(http::verb::get, "/api/stations", "", bearer(secret)).status == 200);
  CHECK(c.request(http::verb::get, "/api/stations", "", bearer(kToken)).status == 401);
}

TEST_CASE("admin audit: changes, commands and refusals are recorded without secrets",
          "[admin][roles]") {
  Fixture f;
  auto c = f.client();
  const std::string viewer = create_token(c, "view", "viewer");
  REQUIRE(c.request(http::verb::post, "/api/stations",
                    "{\"id\":\"CP1\",\"password\":\"" + kPassword + "\"}")
              .status == 201);
  f.gateway().set_connected("CP1");
  csms::CommandResult ok;
  ok.action = "Reset";
  ok.response_json = "{\"status\":\"Accepted\"}";
  f.gateway().set_result(ok);
  REQUIRE(c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{\"type\":\"Hard\"}")
              .status == 200);
  REQUIRE(c.request(http::verb::post, "/api/stations/CP1/commands/set-config",
                    "{\"key\":\"AuthorizationKey\",\"value\":\"00112233445566778899\"}")
              .status == 200);
  REQUIRE(c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{}", bearer(viewer))
              .status == 403);
  REQUIRE(c.request(http::verb::get, "/api/stations", "", bearer("csms_not-a-token")).status ==
          401);
  REQUIRE(c.request(http::verb::get, "/api/stations").status == 200);  // Reads are not audited.

  auto raw = c.request(http::verb::get, "/api/audit");
  REQUIRE(raw.status == 200);
  CHECK(raw.body.find(kPassword) == std::string::npos);
  CHECK(raw.body.find("00112233445566778899") == std::string::npos);
  CHECK(raw.body.find("not-a-token") == std::string::npos);
  CHECK(raw.body.find(kToken) == std::string::npos);

  const auto entries = audit_entries(c);
  // Newest first: 401, 403, set-config, reset, station, token.
  REQUIRE(entries.size() == 6);
  CHECK(entries[0]["status"].GetInt() == 401);
  CHECK(field(entries[0], "token").empty());
  CHECK(field(entries[0], "path") == "/api/stations");
  CHECK(entries[1]["status"].GetInt() == 403);
  CHECK(field(entries[1], "token") == "view");
  CHECK(field(entries[1], "role") == "viewer");
  CHECK(field(entries[2], "summary").find("********") != std::string::npos);
  CHECK(field(entries[3], "method") == "POST");
  CHECK(field(entries[3], "path") == "/api/stations/CP1/commands/reset");
  CHECK(field(entries[3], "target") == "CP1");
  CHECK(field(entries[3], "result") == "Accepted");
  CHECK(field(entries[3], "summary") == "{\"type\":\"Hard\"}");
  CHECK(field(entries[3], "token") == "bootstrap");
  CHECK(field(entries[4], "target") == "CP1");
  CHECK(field(entries[4], "summary").find("********") != std::string::npos);
  CHECK(entries[4]["status"].GetInt() == 201);
  CHECK(field(entries[5], "path") == "/api/tokens");

  CHECK(audit_entries(c, "?limit=2").size() == 2);
  CHECK(audit_entries(c, "?since=2999-01-01T00:00:00Z").empty());
  CHECK(c.request(http::verb::get, "/api/audit?limit=0").status == 400);
  CHECK(c.request(http::verb::get, "/api/audit?since=yesterday").status == 400);
  CHECK(c.request(http::verb::get, "/api/audit", "", bearer(viewer)).status == 403);
}
