// The admin API over real HTTP: AdminServer on 127.0.0.1 (ephemeral port) with a
// real SQLite database and StationRegistry, a fake CommandGateway, and a small
// Beast client. Every wait is bounded.

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

DateTime at(const char* text) {
  auto t = DateTime::parse(text);
  if (!t) throw std::runtime_error(std::string("bad test time ") + text);
  return *t;
}

}  // namespace

// ---------------------------------------------------------------------------
// Health, auth, routing

TEST_CASE("admin: GET /health answers without a token", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto a = c.request(http::verb::get, "/health", "", std::nullopt);
  CHECK(a.status == 200);
  CHECK(a.headers[http::field::content_type] == "application/json");
  auto doc = parse(a.body);
  CHECK(std::string(doc["status"].GetString()) == "ok");
  CHECK(std::string(doc["version"].GetString()) == csms::kVersion);
}

TEST_CASE("admin: every other route needs the bearer token", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto missing = c.request(http::verb::get, "/api/stations", "", std::nullopt);
  CHECK(missing.status == 401);
  CHECK(error_of(missing).find("bearer token") != std::string::npos);
  CHECK(std::string(missing.headers[http::field::www_authenticate]).rfind("Bearer", 0) == 0);

  auto wrong = c.request(http::verb::get, "/api/stations", "", std::string("Bearer nope"));
  CHECK(wrong.status == 401);
  CHECK(error_of(wrong) == "invalid bearer token");
  CHECK(wrong.body.find("nope") == std::string::npos);  // Tokens are never echoed.

  auto basic = c.request(http::verb::get, "/metrics", "", std::string("Basic dXNlcjpwYXNz"));
  CHECK(basic.status == 401);

  // Unknown routes are not revealed without a token either.
  CHECK(c.request(http::verb::get, "/nothing", "", std::nullopt).status == 401);

  // The scheme is case-insensitive (RFC 7235).
  auto lower = c.request(http::verb::get, "/api/stations", "", std::string("bearer ") + kToken);
  CHECK(lower.status == 200);
}

TEST_CASE("admin: a server without a token refuses everything but /health", "[admin]") {
  Fixture f("");
  auto c = f.client();
  CHECK(c.request(http::verb::get, "/health", "", std::nullopt).status == 200);
  auto a = c.request(http::verb::get, "/api/stations", "", std::string("Bearer "));
  CHECK(a.status == 401);
  CHECK(error_of(a) == "the admin API has no token configured");
}

TEST_CASE("admin: stop() closes open connections and the listener", "[admin]") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c.request(http::verb::get, "/health").status == 200);
  f.stop_server();
  CHECK_THROWS(c.request(http::verb::get, "/health"));
  auto fresh = f.client();
  CHECK_THROWS(fresh.request(http::verb::get, "/health"));
}

TEST_CASE("admin: unknown routes are 404 and wrong methods 405 with Allow", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto unknown = c.request(http::verb::get, "/api/nothing");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown) == "no route for GET /api/nothing");

  auto put = c.request(http::verb::put, "/api/stations");
  CHECK(put.status == 405);
  CHECK(put.headers[http::field::allow] == "GET, POST");
  CHECK(error_of(put).find("PUT") != std::string::npos);
}

TEST_CASE("admin: GET /metrics renders Prometheus text", "[admin]") {
  Fixture f;
  f.metrics().message_in("Heartbeat");
  auto c = f.client();
  auto a = c.request(http::verb::get, "/metrics");
  CHECK(a.status == 200);
  CHECK(a.headers[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(a.body.find("# TYPE csms_connected_stations gauge\n") != std::string::npos);
  CHECK(a.body.find("csms_messages_received_total{action=\"Heartbeat\"} 1\n") != std::string::npos);
}

TEST_CASE("admin: connections are kept alive across requests", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto first = c.request(http::verb::get, "/health");
  CHECK(first.keep_alive);
  // The same Client reuses its connection; a closed one would fail here.
  auto second = c.request(http::verb::get, "/api/stations");
  CHECK(second.status == 200);
  CHECK(second.body == "[]");
}

TEST_CASE("admin: a body over 1 MiB is refused with 413", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto a = c.raw(std::string("POST /api/idtags/import HTTP/1.1\r\nHost: x\r\n") +
                 "Authorization: Bearer " + kToken +
                 "\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n[");
  CHECK(a.status == 413);
  CHECK(error_of(a).find("1 MiB") != std::string::npos);
  CHECK_FALSE(a.keep_alive);
}

TEST_CASE("admin: a malformed percent-escape in the path is a 400", "[admin]") {
  Fixture f;
  auto c = f.client();
  auto a = c.request(http::verb::get, "/api/stations/CP%2");
  CHECK(a.status == 400);
  CHECK(error_of(a).find("percent-encoding") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Stations

TEST_CASE("admin: POST /api/stations registers a station (201) and re-adding updates it (200)",
          "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  auto created = c.request(http::verb::post, "/api/stations",
                           "{\"id\":\"CP1\",\"password\":\"" + kPassword + "\"}");
  REQUIRE(created.status == 201);
  auto doc = parse(created.body);
  CHECK(std::string(doc["id"].GetString()) == "CP1");
  CHECK(doc["hasPassword"].GetBool());
  CHECK(doc["connected"].IsFalse());
  CHECK(std::string(doc["registration"].GetString()) == "Accepted");
  CHECK(doc["lastSeen"].IsNull());
  CHECK(created.body.find(kPassword) == std::string::npos);

  // null keeps the password; "" removes it.
  auto kept = c.request(http::verb::post, "/api/stations", R"({"id":"CP1","password":null})");
  CHECK(kept.status == 200);
  CHECK(parse(kept.body)["hasPassword"].GetBool());
  auto cleared = c.request(http::verb::post, "/api/stations", R"({"id":"CP1","password":""})");
  CHECK(cleared.status == 200);
  CHECK_FALSE(parse(cleared.body)["hasPassword"].GetBool());
}

TEST_CASE("admin: POST /api/stations refuses bad input with 400 naming the problem",
          "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  auto bad_id = c.request(http::verb::post, "/api/stations", R"({"id":"CP 1"})");
  CHECK(bad_id.status == 400);
  CHECK(error_of(bad_id).find("station id") != std::string::npos);

  auto short_pw = c.request(http::verb::post, "/api/stations", R"({"id":"CP1","password":"x"})");
  CHECK(short_pw.status == 400);

  auto not_json = c.request(http::verb::post, "/api/stations", "{\"id\":");
  CHECK(not_json.status == 400);
  CHECK(error_of(not_json).find("not valid JSON") != std::string::npos);

  auto empty = c.request(http::verb::post, "/api/stations", "");
  CHECK(empty.status == 400);
  CHECK(error_of(empty) == "a JSON body is required");

  auto unknown = c.request(http::verb::post, "/api/stations", R"({"id":"CP1","pasword":"x"})");
  CHECK(unknown.status == 400);
  CHECK(error_of(unknown).find("unknown field \"pasword\"") != std::string::npos);

  auto wrong_type = c.request(http::verb::post, "/api/stations", R"({"id":5})");
  CHECK(wrong_type.status == 400);
  CHECK(error_of(wrong_type) == "id must be a string, got a number");

  // Nothing was registered by the failed attempts.
  CHECK(c.request(http::verb::get, "/api/stations").body == "[]");
}

TEST_CASE("admin: GET /api/stations lists stations with live connection state",
          "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  add_station(c, "CP2");
  f.gateway().set_connected("CP2");
  auto a = c.request(http::verb::get, "/api/stations");
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  REQUIRE(doc.IsArray());
  REQUIRE(doc.Size() == 2);
  CHECK(std::string(doc[0]["id"].GetString()) == "CP1");
  CHECK(doc[0]["connected"].IsFalse());
  CHECK(doc[1]["connected"].IsTrue());
  for (const char* field : {"vendor", "model", "serialNumber", "firmwareVersion", "ocppVersion",
                            "registration", "lastSeen", "hasPassword"})
    CHECK(doc[0].HasMember(field));
}

TEST_CASE("admin: GET /api/stations/{id} shows connectors - unknown ids are 404",
          "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  f.write([](storage::Session& s) {
    auto st = *s.stations.get("CP1");
    st.vendor = "ACME";
    st.ocpp_version = "1.6";
    st.last_seen = at("2024-01-15T10:30:00Z");
    s.stations.put(st);
    storage::Connector con;
    con.station_id = "CP1";
    con.connector_id = 1;
    con.status = storage::ConnectorStatus::Charging;
    con.error_code = "NoError";
    con.updated_at = at("2024-01-15T10:31:00Z");
    s.stations.put_connector(con);
  });
  auto a = c.request(http::verb::get, "/api/stations/CP1");
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  CHECK(std::string(doc["vendor"].GetString()) == "ACME");
  CHECK(std::string(doc["lastSeen"].GetString()) == "2024-01-15T10:30:00Z");
  REQUIRE(doc["connectors"].Size() == 1);
  const auto& con = doc["connectors"][0];
  CHECK(con["evseId"].GetInt() == 0);
  CHECK(con["connectorId"].GetInt() == 1);
  CHECK(std::string(con["status"].GetString()) == "Charging");
  CHECK(std::string(con["errorCode"].GetString()) == "NoError");
  CHECK(std::string(con["updatedAt"].GetString()) == "2024-01-15T10:31:00Z");

  auto missing = c.request(http::verb::get, "/api/stations/NOPE");
  CHECK(missing.status == 404);
  CHECK(error_of(missing) == "station \"NOPE\" is not registered");
}

TEST_CASE("admin: a 2.0.1 station's device model is summarised and listed", "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CS1");
  add_station(c, "CP16");
  f.write([](storage::Session& s) {
    auto var = [](const char* component, int evse, int connector, const char* variable,
                  const char* value, const char* type = "Actual") {
      storage::DeviceVariable v;
      v.station_id = "CS1";
      v.component = component;
      v.evse_id = evse;
      v.connector_id = connector;
      v.variable = variable;
      v.attribute_type = type;
      v.value = value;
      v.mutability = "ReadWrite";
      v.updated_at = at("2024-01-15T10:00:00Z");
      return v;
    };
    s.device_model.put({var("OCPPCommCtrlr", 0, 0, "HeartbeatInterval", "300"),
                        var("OCPPCommCtrlr", 0, 0, "HeartbeatInterval", "3600", "MaxSet"),
                        var("AuthCtrlr", 0, 0, "LocalPreAuthorize", "true"),
                        var("ChargingStation", 0, 0, "Model", "M1"),
                        var("EVSE", 1, 0, "AvailabilityState", "Available"),
                        var("Connector", 1, 1, "ConnectorType", "cType2"),
                        var("LocalAuthListCtrlr", 0, 0, "Entries", "7")});
    s.device_model.add_report_part("CS1", 42, 0, false, 7, at("2024-01-15T10:00:00Z"),
                                   at("2024-01-15T10:00:01Z"));
    storage::Connector con;
    con.station_id = "CS1";
    con.evse_id = 1;
    con.connector_id = 1;
    con.status = storage::ConnectorStatus::Occupied;
    con.updated_at = at("2024-01-15T10:02:00Z");
    s.stations.put_connector(con);
    con.evse_id = 2;  // Known only from a StatusNotification.
    con.status = storage::ConnectorStatus::Available;
    s.stations.put_connector(con);
  });

  auto doc = parse(c.request(http::verb::get, "/api/stations/CS1").body);
  REQUIRE(doc.HasMember("deviceModel"));
  const auto& model = doc["deviceModel"];
  const auto& evses = model["evses"];
  REQUIRE(evses.Size() == 4);  // EVSE 1, its connector 1, EVSE 2, its connector 1.
  CHECK(evses[0]["evseId"].GetInt() == 1);
  CHECK(evses[0]["connectorId"].IsNull());
  CHECK(std::string(evses[0]["availability"].GetString()) == "Available");
  CHECK(evses[1]["connectorId"].GetInt() == 1);
  CHECK(std::string(evses[1]["connectorType"].GetString()) == "cType2");
  CHECK(std::string(evses[1]["status"].GetString()) == "Occupied");
  CHECK(std::string(evses[1]["updatedAt"].GetString()) == "2024-01-15T10:02:00Z");
  CHECK(evses[2]["evseId"].GetInt() == 2);
  CHECK(std::string(evses[3]["status"].GetString()) == "Available");

  // The key Actual values only; every attribute is counted.
  std::set<std::string> shown;
  for (const auto& v : model["variables"].GetArray()) {
    shown.insert(std::string(v["component"].GetString()) + "." + v["variable"].GetString() + "=" +
                 v["value"].GetString());
    CHECK(v["evseId"].IsNull());
    CHECK(std::string(v["mutability"].GetString()) == "ReadWrite");
  }
  CHECK(shown == std::set<std::string>{"AuthCtrlr.LocalPreAuthorize=true",
                                       "ChargingStation.Model=M1",
                                       "OCPPCommCtrlr.HeartbeatInterval=300"});
  CHECK(model["variableCount"].GetInt() == 7);
  REQUIRE(model["reports"].Size() == 1);
  CHECK(model["reports"][0]["requestId"].GetInt() == 42);
  CHECK(model["reports"][0]["parts"].GetInt() == 1);
  CHECK(model["reports"][0]["complete"].IsTrue());

  auto all = parse(c.request(http::verb::get, "/api/stations/CS1/variables").body);
  REQUIRE(all.IsArray());
  CHECK(all.Size() == 7);
  bool max_set = false;
  for (const auto& v : all.GetArray())
    max_set = max_set || (std::string(v["attributeType"].GetString()) == "MaxSet" &&
                          std::string(v["value"].GetString()) == "3600");
  CHECK(max_set);

  // A station without a device model has none; unknown stations are 404.
  CHECK_FALSE(
      parse(c.request(http::verb::get, "/api/stations/CP16").body).HasMember("deviceModel"));
  CHECK(parse(c.request(http::verb::get, "/api/stations/CP16/variables").body).Size() == 0);
  CHECK(c.request(http::verb::get, "/api/stations/NOPE/variables").status == 404);
}

TEST_CASE("admin: station ids in the path are percent-decoded", "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP|1@site");
  auto a = c.request(http::verb::get, "/api/stations/CP%7C1%40site");
  CHECK(a.status == 200);
  CHECK(std::string(parse(a.body)["id"].GetString()) == "CP|1@site");
  // '+' is literal in a path (it is a space only in query strings).
  add_station(c, "A+B");
  CHECK(c.request(http::verb::get, "/api/stations/A+B").status == 200);
}

TEST_CASE("admin: DELETE /api/stations/{id} is 204, then 404", "[admin][stations]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  auto removed = c.request(http::verb::delete_, "/api/stations/CP1");
  CHECK(removed.status == 204);
  CHECK(removed.body.empty());
  CHECK(c.request(http::verb::get, "/api/stations/CP1").status == 404);
  CHECK(c.request(http::verb::delete_, "/api/stations/CP1").status == 404);
  CHECK(c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{}").status == 404);
  // It can be registered again (201: new again).
  add_station(c, "CP1");
}

// ---------------------------------------------------------------------------
// Id tags

TEST_CASE("admin: POST /api/idtags adds a tag (Accepted by default) and lists it",
          "[admin][idtags]") {
  Fixture f;
  auto c = f.client();
  auto a = c.request(http::verb::post, "/api/idtags", R"({"idTag":"TAG1"})");
  REQUIRE(a.status == 201);
  CHECK(a.body == R"({"idTag":"TAG1","status":"Accepted","expiry":null,"parentIdTag":null})");
  auto full = c.request(http::verb::post, "/api/idtags",
                        R"({"idTag":"TAG2","status":"Blocked","expiry":"2030-01-01T00:00:00Z",)"
                        R"("parentIdTag":"GROUP"})");
  REQUIRE(full.status == 201);
  auto replaced =
      c.request(http::verb::post, "/api/idtags", R"({"idTag":"TAG1","status":"Expired"})");
  CHECK(replaced.status == 200);

  auto list = parse(c.request(http::verb::get, "/api/idtags").body);
  REQUIRE(list.Size() == 2);
  CHECK(std::string(list[0]["status"].GetString()) == "Expired");
  CHECK(std::string(list[1]["expiry"].GetString()) == "2030-01-01T00:00:00Z");
  CHECK(std::string(list[1]["parentIdTag"].GetString()) == "GROUP");
}

TEST_CASE("admin: POST /api/idtags validates tag, status and expiry", "[admin][idtags]") {
  Fixture f;
  auto c = f.client();
  const std::string tag36(36, 'x');
  CHECK(c.request(http::verb::post, "/api/idtags", "{\"idTag\":\"" + tag36 + "\"}").status == 201);
  auto too_long = c.request(http::verb::post, "/api/idtags", "{\"idTag\":\"" + tag36 + "y\"}");
  CHECK(too_long.status == 400);
  CHECK(error_of(too_long) == "idTag must be 1 to 36 characters, got 37");
  auto empty = c.request(http::verb::post, "/api/idtags", R"({"idTag":""})");
  CHECK(empty.status == 400);
  auto status = c.request(http::verb::post, "/api/idtags", R"({"idTag":"T","status":"Maybe"})");
  CHECK(status.status == 400);
  CHECK(error_of(status).find("Accepted, Blocked, Expired or Invalid") != std::string::npos);
  auto concurrent =
      c.request(http::verb::post, "/api/idtags", R"({"idTag":"T","status":"ConcurrentTx"})");
  CHECK(concurrent.status == 400);
  auto expiry = c.request(http::verb::post, "/api/idtags", R"({"idTag":"T","expiry":"tomorrow"})");
  CHECK(expiry.status == 400);
  CHECK(error_of(expiry).find("RFC 3339") != std::string::npos);
}

TEST_CASE("admin: POST /api/idtags/{tag}/block blocks - unknown tags are 404", "[admin][idtags]") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c.request(http::verb::post, "/api/idtags", R"({"idTag":"A/B"})").status == 201);
  auto blocked = c.request(http::verb::post, "/api/idtags/A%2FB/block");
  CHECK(blocked.status == 200);
  CHECK(std::string(parse(blocked.body)["status"].GetString()) == "Blocked");
  auto unknown = c.request(http::verb::post, "/api/idtags/NOPE/block");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown) == "id tag \"NOPE\" is not known");
}

TEST_CASE("admin: DELETE /api/idtags/{tag} is 204, then 404", "[admin][idtags]") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c.request(http::verb::post, "/api/idtags", R"({"idTag":"T1"})").status == 201);
  CHECK(c.request(http::verb::delete_, "/api/idtags/T1").status == 204);
  CHECK(c.request(http::verb::delete_, "/api/idtags/T1").status == 404);
  CHECK(c.request(http::verb::get, "/api/idtags").body == "[]");
}

TEST_CASE("admin: POST /api/idtags/import writes all tags or none", "[admin][idtags]") {
  Fixture f;
  auto c = f.client();
  auto ok = c.request(http::verb::post, "/api/idtags/import",
                      R"([{"idTag":"A"},{"idTag":"B","status":"Blocked"},{"idTag":"C"}])");
  REQUIRE(ok.status == 200);
  CHECK(ok.body == R"({"imported":3})");

  auto bad = c.request(http::verb::post, "/api/idtags/import",
                       R"([{"idTag":"D"},{"idTag":"E","status":"Nope"}])");
  CHECK(bad.status == 400);
  CHECK(error_of(bad).rfind("item 2: status", 0) == 0);
  auto dup = c.request(http::verb::post, "/api/idtags/import", R"([{"idTag":"D"},{"idTag":"D"}])");
  CHECK(dup.status == 400);
  CHECK(error_of(dup) == "item 2: idTag \"D\" repeats item 1");
  auto not_array = c.request(http::verb::post, "/api/idtags/import", R"({"idTag":"D"})");
  CHECK(not_array.status == 400);
  CHECK(c.request(http::verb::post, "/api/idtags/import", "[]").body == R"({"imported":0})");

  CHECK(parse(c.request(http::verb::get, "/api/idtags").body).Size() == 3);  // No D, no E.
}

// ---------------------------------------------------------------------------
// Transactions

namespace {

// A 1.6 transaction (numeric id) with two samples and an active 2.0.1 one.
void seed_transactions(Fixture& f) {
  f.write([](storage::Session& s) {
    for (const char* id : {"CP1", "CP2"}) {
      storage::Station st;
      st.id = id;
      st.created_at = at("2024-01-01T00:00:00Z");
      s.stations.put(st);
    }
    storage::Transaction v16;
    v16.station_id = "CP1";
    v16.connector_id = 1;
    v16.id_tag = "TAG1";
    v16.start_time = at("2024-01-15T10:00:00Z");
    v16.stop_time = at("2024-01-15T11:00:00Z");
    v16.meter_start = 1000;
    v16.meter_stop = 5000;
    v16.energy_wh = 4000;
    v16.stop_reason = "Local";
    const auto id = s.transactions.insert(v16);
    storage::MeterSample sample;
    sample.station_id = "CP1";
    sample.connector_id = 1;
    sample.transaction_id = id;
    sample.timestamp = at("2024-01-15T10:30:00Z");
    sample.value = "3000";
    sample.phase = "L1";
    s.meters.insert({sample});

    storage::Transaction v201;
    v201.station_id = "CP2";
    v201.station_tx_id = "tx-abc";
    v201.evse_id = 1;
    v201.connector_id = 1;
    v201.id_tag = "TAG2";
    v201.start_time = at("2024-01-16T09:00:00Z");
    v201.meter_start = 0;
    s.transactions.insert(v201);
  });
}

}  // namespace

TEST_CASE("admin: GET /api/transactions lists with the contract's id rule", "[admin][tx]") {
  Fixture f;
  seed_transactions(f);
  auto c = f.client();
  auto a = c.request(http::verb::get, "/api/transactions");
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  REQUIRE(doc.Size() == 2);
  // Newest first: the 2.0.1 one is known by its station's transactionId.
  CHECK(std::string(doc[0]["id"].GetString()) == "tx-abc");
  CHECK(std::string(doc[0]["stationTxId"].GetString()) == "tx-abc");
  CHECK(doc[0]["stopTime"].IsNull());
  CHECK(doc[0]["energyWh"].IsNull());
  CHECK(doc[1]["id"].IsInt64());
  CHECK(doc[1]["stationTxId"].IsNull());
  CHECK(doc[1]["meterStop"].GetInt64() == 5000);
  CHECK(doc[1]["energyWh"].GetDouble() == 4000.0);
  CHECK(std::string(doc[1]["stopReason"].GetString()) == "Local");
  CHECK(doc[1]["meterAnomaly"].IsFalse());
  CHECK(doc[1]["authRejected"].IsFalse());
}

TEST_CASE("admin: GET /api/transactions filters by station, tag, time and activity",
          "[admin][tx]") {
  Fixture f;
  seed_transactions(f);
  auto c = f.client();
  auto count = [&](const std::string& q) {
    auto a = c.request(http::verb::get, "/api/transactions" + q);
    INFO(q << " -> " << a.body);
    REQUIRE(a.status == 200);
    return parse(a.body).Size();
  };
  CHECK(count("?stationId=CP1") == 1);
  CHECK(count("?idTag=TAG2") == 1);
  CHECK(count("?active=true") == 1);
  CHECK(count("?active=false") == 1);
  CHECK(count("?from=2024-01-16T00:00:00Z") == 1);
  CHECK(count("?to=2024-01-16T00:00:00Z") == 1);
  CHECK(count("?limit=1") == 1);
  CHECK(count("?stationId=&idTag=") == 2);  // Empty values do not filter.
}

TEST_CASE("admin: GET /api/transactions refuses bad query parameters", "[admin][tx]") {
  Fixture f;
  auto c = f.client();
  auto bad_from = c.request(http::verb::get, "/api/transactions?from=yesterday");
  CHECK(bad_from.status == 400);
  CHECK(error_of(bad_from).find("from: \"yesterday\" is not an RFC 3339") == 0);
  CHECK(c.request(http::verb::get, "/api/transactions?to=2024-13-01T00:00:00Z").status == 400);
  CHECK(c.request(http::verb::get, "/api/transactions?active=maybe").status == 400);
  CHECK(c.request(http::verb::get, "/api/transactions?limit=0").status == 400);
  auto typo = c.request(http::verb::get, "/api/transactions?station=CP1");
  CHECK(typo.status == 400);
  CHECK(error_of(typo).find("unknown query parameter \"station\"") == 0);
}

TEST_CASE("admin: GET /api/transactions/{id} shows a transaction with its samples", "[admin][tx]") {
  Fixture f;
  seed_transactions(f);
  auto c = f.client();
  auto list = parse(c.request(http::verb::get, "/api/transactions?stationId=CP1").body);
  const auto id = list[0]["id"].GetInt64();
  auto a = c.request(http::verb::get, "/api/transactions/" + std::to_string(id));
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  CHECK(doc["id"].GetInt64() == id);
  REQUIRE(doc["samples"].Size() == 1);
  const auto& s = doc["samples"][0];
  CHECK(std::string(s["timestamp"].GetString()) == "2024-01-15T10:30:00Z");
  CHECK(std::string(s["value"].GetString()) == "3000");
  CHECK(std::string(s["measurand"].GetString()) == "Energy.Active.Import.Register");
  CHECK(std::string(s["phase"].GetString()) == "L1");
  CHECK(std::string(s["unit"].GetString()) == "Wh");
  CHECK(std::string(s["context"].GetString()) == "Sample.Periodic");
  CHECK(std::string(s["location"].GetString()) == "Outlet");

  // A 2.0.1 transaction can be looked up by the id the listing shows.
  auto v201 = c.request(http::verb::get, "/api/transactions/tx-abc");
  REQUIRE(v201.status == 200);
  CHECK(std::string(parse(v201.body)["stationId"].GetString()) == "CP2");

  auto missing = c.request(http::verb::get, "/api/transactions/999999");
  CHECK(missing.status == 404);
  CHECK(error_of(missing) == "transaction \"999999\" is not known");
}

TEST_CASE("admin: a station transactionId held by two stations needs ?stationId=", "[admin][tx]") {
  Fixture f;
  seed_transactions(f);
  f.write([](storage::Session& s) {
    storage::Transaction other;
    other.station_id = "CP1";
    other.station_tx_id = "tx-abc";
    other.start_time = at("2024-01-17T09:00:00Z");
    s.transactions.insert(other);
  });
  auto c = f.client();
  auto ambiguous = c.request(http::verb::get, "/api/transactions/tx-abc");
  CHECK(ambiguous.status == 400);
  CHECK(error_of(ambiguous).find("stations CP1, CP2") != std::string::npos);
  auto chosen = c.request(http::verb::get, "/api/transactions/tx-abc?stationId=CP1");
  REQUIRE(chosen.status == 200);
  CHECK(std::string(parse(chosen.body)["stationId"].GetString()) == "CP1");
}

// ---------------------------------------------------------------------------
// Commands

TEST_CASE("admin: a command's station answer comes back as {action, response}",
          "[admin][commands]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  csms::CommandResult ok;
  ok.action = "RemoteStartTransaction";
  ok.response_json = R"({"status":"Accepted"})";
  f.gateway().set_result(ok);
  auto a = c.request(http::verb::post, "/api/stations/CP1/commands/remote-start",
                     R"({"connector":1,"idTag":"T1"})");
  REQUIRE(a.status == 200);
  CHECK(a.body == R"({"action":"RemoteStartTransaction","response":{"status":"Accepted"}})");
  const auto calls = f.gateway().calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].first == "CP1");
  CHECK(calls[0].second.name == "remote-start");
  CHECK(calls[0].second.params_json == R"({"connector":1,"idTag":"T1"})");

  // No body means no parameters.
  REQUIRE(c.request(http::verb::post, "/api/stations/CP1/commands/clear-cache").status == 200);
  CHECK(f.gateway().calls().back().second.params_json == "{}");
}

TEST_CASE("admin: command failures map to precise statuses", "[admin][commands]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  struct Case {
    csms::CommandError error;
    unsigned status;
  };
  for (const auto& k :
       {Case{csms::CommandError::UnknownStation, 404}, Case{csms::CommandError::Offline, 409},
        Case{csms::CommandError::InvalidArgument, 400}, Case{csms::CommandError::Unsupported, 400},
        Case{csms::CommandError::Timeout, 504}, Case{csms::CommandError::Internal, 500}}) {
    csms::CommandResult r;
    r.error = k.error;
    r.message = "because";
    f.gateway().set_result(r);
    auto a = c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{}");
    CHECK(a.status == k.status);
    CHECK(error_of(a) == "because");
  }
  csms::CommandResult call_error;
  call_error.error = csms::CommandError::CallError;
  call_error.message = "station refused";
  call_error.error_code = "NotSupported";
  f.gateway().set_result(call_error);
  auto a = c.request(http::verb::post, "/api/stations/CP1/commands/reset", "{}");
  CHECK(a.status == 502);
  CHECK(a.body == R"({"error":"station refused","code":"NotSupported"})");
}

TEST_CASE("admin: commands to unregistered stations are 404 - parameters must be an object",
          "[admin][commands]") {
  Fixture f;
  auto c = f.client();
  auto unknown = c.request(http::verb::post, "/api/stations/NOPE/commands/reset", "{}");
  CHECK(unknown.status == 404);
  add_station(c, "CP1");
  auto array = c.request(http::verb::post, "/api/stations/CP1/commands/reset", "[1]");
  CHECK(array.status == 400);
  CHECK(error_of(array) == "the command parameters must be a JSON object, got an array");
  CHECK(f.gateway().calls().empty());
}

TEST_CASE("admin: GET /api/commands lists the gateway's commands", "[admin][commands]") {
  Fixture f;
  auto c = f.client();
  CHECK(c.request(http::verb::get, "/api/commands").body == R"(["reset","remote-start"])");
}

// ---------------------------------------------------------------------------
// Message log and security events

TEST_CASE("admin: GET /api/stations/{id}/log returns frames newest first", "[admin][log]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  f.write([](storage::Session& s) {
    for (int i = 0; i < 3; ++i) {
      storage::LoggedFrame frame;
      frame.station_id = "CP1";
      frame.timestamp = DateTime::from_unix_micros(1'700'000'000'000'000 + i * 1'000'000);
      frame.direction = i % 2 == 0 ? storage::Direction::In : storage::Direction::Out;
      frame.frame = "[2,\"" + std::to_string(i) + "\",\"Heartbeat\",{}]";
      s.messages.append(frame);
    }
  });
  auto a = c.request(http::verb::get, "/api/stations/CP1/log?limit=2");
  REQUIRE(a.status == 200);
  auto doc = parse(a.body);
  REQUIRE(doc.Size() == 2);
  CHECK(std::string(doc[0]["direction"].GetString()) == "in");
  CHECK(std::string(doc[0]["frame"].GetString()) == "[2,\"2\",\"Heartbeat\",{}]");
  CHECK(std::string(doc[1]["direction"].GetString()) == "out");
  CHECK(doc[0].HasMember("timestamp"));

  CHECK(c.request(http::verb::get, "/api/stations/NOPE/log").status == 404);
  CHECK(c.request(http::verb::get, "/api/stations/CP1/log?limit=abc").status == 400);
}

TEST_CASE("admin: reads see writes the server queued before the request", "[admin][log]") {
  Fixture f;
  auto c = f.client();
  add_station(c, "CP1");
  for (int round = 0; round < 5; ++round) {
    f.queue_write([round](storage::Session& s) {
      storage::LoggedFrame frame;
      frame.station_id = "CP1";
      frame.timestamp = DateTime::now();
      frame.frame = "frame " + std::to_string(round);
      s.messages.append(frame);
    });
    auto log = parse(c.request(http::verb::get, "/api/stations/CP1/log").body);
    REQUIRE(log.Size() == static_cast<rapidjson::SizeType>(round + 1));
    CHECK(std::string(log[0]["frame"].GetString()) == "frame " + std::to_string(round));
  }
}

TEST_CASE("admin: GET /api/events lists security events, optionally by station",
          "[admin][events]") {
  Fixture f;
  f.write([](storage::Session& s) {
    storage::SecurityEvent e;
    e.station_id = "CP1";
    e.timestamp = at("2024-01-15T10:00:00Z");
    e.type = "InvalidCredentials";
    e.remote_address = "10.0.0.1";
    e.critical = true;
    s.events.append(e);
    e.station_id = "";
    e.type = "ConnectionRefused";
    s.events.append(e);
  });
  auto c = f.client();
  auto all = parse(c.request(http::verb::get, "/api/events").body);
  REQUIRE(all.Size() == 2);
  CHECK(std::string(all[0]["type"].GetString()) == "ConnectionRefused");
  CHECK(all[0]["stationId"].IsNull());
  auto one = parse(c.request(http::verb::get, "/api/events?stationId=CP1&limit=5").body);
  REQUIRE(one.Size() == 1);
  CHECK(one[0]["id"].IsInt64());
  CHECK(std::string(one[0]["stationId"].GetString()) == "CP1");
  CHECK(std::string(one[0]["timestamp"].GetString()) == "2024-01-15T10:00:00Z");
  CHECK(std::string(one[0]["remoteAddress"].GetString()) == "10.0.0.1");
  CHECK(one[0]["critical"].IsTrue());
  CHECK(one[0].HasMember("techInfo"));
}

// ---------------------------------------------------------------------------
// Sites and the carbon feature

TEST_CASE("admin: sites are validated, listed and removed", "[admin][carbon]") {
  Fixture f;
  auto c = f.client();
  auto bad = c.request(http::verb::post, "/api/sites", R"({"id":"S","latitude":95,"longitude":1})");
  CHECK(bad.status == 400);
  CHECK(error_of(bad) == "latitude must be from -90 to 90");
  auto half = c.request(http::verb::post, "/api/sites", R"({"id":"S","latitude":45})");
  CHECK(error_of(half) == "give latitude and longitude together");
  CHECK(error_of(c.request(http::verb::post, "/api/sites", R"({"id":"S","zone":"x"})"))
            .find("unknown field \"zone\"") != std::string::npos);
  auto made =
      c.request(http::verb::post, "/api/sites", R"({"id":"S","name":"Depot","region":"CN-South"})");
  CHECK(made.status == 201);
  CHECK(c.request(http::verb::post, "/api/sites", R"({"id":"S","name":"Depot 2"})").status == 200);
  auto shown = parse(c.request(http::verb::get, "/api/sites/S").body);
  CHECK(std::string(shown["name"].GetString()) == "Depot 2");
  CHECK(shown["stations"].Size() == 0);
  // A station must be registered and the site known.
  auto unknown = c.request(http::verb::post, "/api/stations/NOPE/carbon", R"({"siteId":"S"})");
  CHECK(unknown.status == 404);
  add_station(c, "CP1");
  CHECK(
      c.request(http::verb::post, "/api/stations/CP1/carbon", R"({"siteId":"ELSEWHERE"})").status ==
      404);
  CHECK(error_of(c.request(http::verb::post, "/api/stations/CP1/carbon",
                           R"({"currentType":"3-phase"})")) ==
        "currentType must be AC or DC, not \"3-phase\"");
  CHECK(c.request(http::verb::post, "/api/stations/CP1/carbon", R"({"siteId":"S"})").status == 200);
  CHECK(parse(c.request(http::verb::get, "/api/sites/S").body)["stations"].Size() == 1);
  CHECK(c.request(http::verb::delete_, "/api/sites/S").status == 204);
  CHECK(c.request(http::verb::delete_, "/api/sites/S").status == 404);
  CHECK(c.request(http::verb::get, "/api/sites/S").status == 404);
}

TEST_CASE("admin: carbon parameters, reports and ledger operations refuse bad input",
          "[admin][carbon]") {
  Fixture f;
  auto c = f.client();
  auto kind = c.request(http::verb::post, "/api/carbon/factors",
                        R"({"kind":"sunshine","value":1,"source":"x"})");
  CHECK(kind.status == 400);
  CHECK(error_of(kind).find("kind must be one of") != std::string::npos);
  CHECK(error_of(c.request(http::verb::post, "/api/carbon/factors",
                           R"({"kind":"charger-efficiency","value":0.9,"source":"x"})")) ==
        "charger-efficiency needs variant AC or DC");
  CHECK(error_of(c.request(http::verb::post, "/api/carbon/factors",
                           R"({"kind":"grid","value":0.5,"unit":"g/kWh","source":"x"})")) ==
        "unit of grid is kgCO2/kWh, not \"g/kWh\"");
  CHECK(c.request(http::verb::post, "/api/carbon/factors",
                  R"({"kind":"grid","value":0.5,"region":"XX","source":"local data"})")
            .status == 201);
  CHECK(parse(c.request(http::verb::get, "/api/carbon/factors?region=XX").body).Size() == 1);

  CHECK(error_of(c.request(http::verb::get, "/api/carbon/report?site=S")) ==
        "month is required (YYYY-MM)");
  CHECK(error_of(c.request(http::verb::get, "/api/carbon/report?month=2026-12")) ==
        "give site (a site report) or account (a driver's statement)");
  CHECK(c.request(http::verb::get, "/api/carbon/report?site=NONE&month=2026-12").status == 404);
  auto statement = c.request(http::verb::get, "/api/carbon/report?account=T&month=2026-12");
  CHECK(statement.status == 200);
  CHECK(parse(statement.body)["sessions"].Size() == 0);
  CHECK(c.request(http::verb::get, "/api/carbon/report?account=T&month=2026-12&format=csv")
            .headers[http::field::content_type] == "text/csv; charset=utf-8");

  CHECK(c.request(http::verb::post, "/api/carbon/accounts/T/steal", R"({"points":1})").status ==
        404);
  CHECK(error_of(c.request(http::verb::post, "/api/carbon/accounts/T/redeem",
                           R"({"points":1.5,"reason":"x"})")) ==
        "points must be an integer, got a fraction");
  auto over = c.request(http::verb::post, "/api/carbon/accounts/T/redeem",
                        R"({"points":1,"reason":"coffee"})");
  CHECK(over.status == 409);
  CHECK(error_of(over) == "account T has 0 points: cannot redeem 1");
  CHECK(c.request(http::verb::get, "/api/carbon/transactions/77").status == 404);
  auto verify = parse(c.request(http::verb::get, "/api/carbon/verify").body);
  CHECK(verify["ok"].GetBool());
  CHECK(verify["entries"].GetInt64() == 0);
}

TEST_CASE("admin: GET /openapi.json answers without a token, other routes still need one",
          "[admin][openapi]") {
  Fixture f;
  auto c = f.client();
  auto a = c.request(http::verb::get, "/openapi.json", "", std::nullopt);
  CHECK(a.status == 200);
  auto doc = parse(a.body);
  CHECK(std::string(doc["openapi"].GetString()).rfind("3.", 0) == 0);
  CHECK(doc["paths"].HasMember("/api/stations/{id}"));
  CHECK(c.request(http::verb::get, "/api/backup", "", std::nullopt).status == 401);
}
