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

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using storage::DateTime;

constexpr std::chrono::seconds kTimeout{20};
constexpr const char* kToken = "test-token-0123456789";

using test_support::TempDir;

/// Scripted station connections: answers every command with `result`.
class FakeGateway : public csms::CommandGateway {
 public:
  bool is_connected(const std::string& station_id) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return connected_.count(station_id) != 0;
  }
  void execute(const std::string& station_id, const csms::Command& command,
               std::function<void(csms::CommandResult)> done) override {
    csms::CommandResult result;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.emplace_back(station_id, command);
      result = result_;
    }
    done(result);
  }
  std::vector<std::string> command_names() const override { return {"reset", "remote-start"}; }
  void disconnect(const std::string& station_id, const std::string&) override {
    disconnected.push_back(station_id);
  }
  std::vector<std::string> disconnected;

  void set_connected(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    connected_.insert(id);
  }
  void set_result(csms::CommandResult r) {
    std::lock_guard<std::mutex> lock(mutex_);
    result_ = std::move(r);
  }
  std::vector<std::pair<std::string, csms::Command>> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> connected_;
  csms::CommandResult result_;
  std::vector<std::pair<std::string, csms::Command>> calls_;
};

struct Answer {
  unsigned status = 0;
  std::string body;
  http::fields headers;
  bool keep_alive = false;
};

/// A Beast client on its own io_context; every exchange is bounded by kTimeout.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_), port_(port) {}

  Answer request(http::verb method, const std::string& target, const std::string& body = "",
                 std::optional<std::string> authorization = std::string("Bearer ") + kToken) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (authorization) req.set(http::field::authorization, *authorization);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return exchange([&](auto done) { http::async_write(stream_, req, done); });
  }

  /// Sends raw bytes (for malformed or oversized requests) and reads the answer.
  Answer raw(const std::string& bytes) {
    return exchange([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

 private:
  template <class Send>
  Answer exchange(Send send) {
    Answer answer;
    beast::error_code failure;
    http::response_parser<http::string_body> parser;
    auto read = [&](beast::error_code ec, std::size_t) {
      if (ec) {
        failure = ec;
        return;
      }
      http::async_read(stream_, buffer_, parser,
                       [&](beast::error_code rec, std::size_t) { failure = rec; });
    };
    stream_.expires_after(kTimeout);
    if (!connected_) {
      stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                            [&](beast::error_code ec) {
                              if (ec) {
                                failure = ec;
                                return;
                              }
                              connected_ = true;
                              send(read);
                            });
    } else {
      send(read);
    }
    io_.restart();
    io_.run();
    if (failure) throw std::runtime_error("HTTP exchange failed: " + failure.message());
    answer.status = parser.get().result_int();
    answer.body = parser.get().body();
    answer.headers = parser.get().base();
    answer.keep_alive = parser.get().keep_alive();
    return answer;
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::uint16_t port_;
  bool connected_ = false;
};

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  INFO("body: " << text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string error_of(const Answer& a) {
  auto doc = parse(a.body);
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("error"));
  REQUIRE(doc["error"].IsString());
  return doc["error"].GetString();
}

/// The server under test on its own network thread, with a real database.
class Fixture {
 public:
  /// `path`: the database (default: a new one in a temporary directory).
  explicit Fixture(std::string token = kToken, std::string path = "") {
    storage::SqliteOptions options;
    options.path = path.empty() ? dir_.file("csms.db") : path;
    db_ = storage::open_sqlite(options);
    registry_ = std::make_unique<csms::StationRegistry>(io_, *db_);
    registry_->load();
    csms::admin::AdminOptions admin;
    admin.host = "127.0.0.1";
    admin.port = 0;
    admin.token = std::move(token);
    server_ = std::make_unique<csms::admin::AdminServer>(
        io_, admin, csms::admin::AdminDeps{*db_, *registry_, gateway_, metrics_, config_});
    server_->start();
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Fixture() {
    stop_server();
    db_->flush();  // Every storage callback has been posted to io_.
    guard_.reset();
    io_.stop();
    thread_.join();
    server_.reset();
    registry_.reset();
    db_.reset();
  }

  Client client() { return Client(port_); }

  /// Stops the server on its network thread and waits for that.
  void stop_server() {
    std::promise<void> stopped;
    asio::post(io_, [this, &stopped] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait_for(kTimeout);
  }
  FakeGateway& gateway() { return gateway_; }
  csms::Metrics& metrics() { return metrics_; }

  /// Queues `work` without waiting, as the server logs frames and events.
  void queue_write(std::function<void(storage::Session&)> work) {
    db_->write(std::move(work), nullptr);
  }

  /// Runs `work` on the storage writer and waits for the commit.
  void write(std::function<void(storage::Session&)> work) {
    std::promise<std::exception_ptr> done;
    db_->write(std::move(work), [&done](std::exception_ptr e) { done.set_value(e); });
    auto f = done.get_future();
    REQUIRE(f.wait_for(kTimeout) == std::future_status::ready);
    if (auto e = f.get()) std::rethrow_exception(e);
  }

 private:
  TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  csms::Metrics metrics_;
  csms::Config config_;
  FakeGateway gateway_;
  std::unique_ptr<csms::StationRegistry> registry_;
  std::unique_ptr<csms::admin::AdminServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

const std::string kPassword = "a-good-password-123";

void add_station(Client& c, const std::string& id) {
  auto a = c.request(http::verb::post, "/api/stations", "{\"id\":\"" + id + "\"}");
  REQUIRE(a.status == 201);
}

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
