// Two csms nodes on one PostgreSQL database (the "postgres" fixture): a
// command through either node reaches the station wherever its socket is, a
// reconnect elsewhere moves ownership (higher epoch) and closes the old
// socket, a paused node sends nothing for the station it lost, and a killed
// owner's station is Offline until it reconnects: never a command twice.
#include <signal.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>

#include "support/harness.hpp"
#include "support/pg_database.hpp"
#include "support/raw_socket.hpp"

using namespace e2e;

namespace {

std::vector<std::string> node_args(const PgTestDatabase& db, const std::string& id) {
  return {"--db",
          db.url(),
          "--node-id",
          id,
          "--cluster-heartbeat",
          "1",
          "--cluster-node-timeout",
          "3",
          "--call-timeout",
          "5"};
}

/// GET `path` from the node's admin API, parsed (null document on failure).
rapidjson::Document get_json(const Csms& node, const std::string& path) {
  RawSocket s(node.admin_port());
  rapidjson::Document doc;
  if (!s.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
              node.token() + "\r\nConnection: close\r\n\r\n"))
    return doc;
  const std::string response = s.read(5s);
  const auto body = response.find("\r\n\r\n");
  if (body != std::string::npos) doc.Parse(response.c_str() + body + 4);
  return doc;
}

/// The station's owner and epoch as the node's /api/cluster/sessions shows them.
std::pair<std::string, std::int64_t> owner_of(const Csms& node, const std::string& station) {
  auto doc = get_json(node, "/api/cluster/sessions");
  if (!doc.IsObject() || !doc.HasMember("sessions")) return {"", 0};
  for (const auto& s : doc["sessions"].GetArray())
    if (std::string(s["stationId"].GetString()) == station)
      return {s["node"].GetString(), s["epoch"].GetInt64()};
  return {"", 0};
}

bool node_alive(const Csms& asked, const std::string& node) {
  auto doc = get_json(asked, "/api/cluster");
  if (!doc.IsObject() || !doc.HasMember("nodes")) return false;
  for (const auto& n : doc["nodes"].GetArray())
    if (std::string(n["id"].GetString()) == node) return n["alive"].GetBool();
  return false;
}

/// A raw 1.6 station connection that boots.
std::unique_ptr<WsClient> station(const Csms& node, const std::string& id) {
  auto ws = std::make_unique<WsClient>(node.ocpp_port(), "/ocpp/" + id);
  REQUIRE(ws->open());
  auto boot =
      ws->call(R"([2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  return ws;
}

/// The action of the next CALL from the server, answered Accepted; "" when
/// none came within `timeout` or the connection closed. (A receive that times
/// out leaves the client unusable: wait once, for a CALL that is expected.)
std::string next_call(WsClient& ws, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ws.open()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return "";
    auto frame = ws.receive(left);
    if (!frame) return "";
    rapidjson::Document d;
    d.Parse(frame->c_str());
    if (!d.IsArray() || d.Size() < 3 || !d[0].IsInt() || d[0].GetInt() != 2) continue;
    ws.send(std::string("[3,\"") + d[1].GetString() + "\",{\"status\":\"Accepted\"}]");
    return d[2].GetString();
  }
  return "";
}

/// The actions of every CALL until the server closes the connection.
std::vector<std::string> calls_until_closed(WsClient& ws, std::chrono::milliseconds timeout) {
  std::vector<std::string> actions;
  for (auto action = next_call(ws, timeout); !action.empty(); action = next_call(ws, timeout))
    actions.push_back(action);
  return actions;
}

int count(const std::vector<std::string>& actions, const std::string& name) {
  return static_cast<int>(std::count(actions.begin(), actions.end(), name));
}

/// How many commands for `station` the cluster_command table holds.
std::int64_t relayed_commands(const PgTestDatabase& db, const std::string& station) {
  storage::pg::PgConnection raw(db.url());
  storage::pg::Statement st(raw, "SELECT COUNT(*) FROM cluster_command WHERE station_id = $1");
  st.bind_all(station);
  return st.step() ? st.int64(0) : -1;
}

}  // namespace

TEST_CASE("two csms nodes relay commands and move ownership by epoch and fence a stale node",
          "[e2e][postgres]") {
  PgTestDatabase db("e2e_cluster_");
  TempDir dir_a;
  TempDir dir_b;
  Csms a(dir_a, node_args(db, "A"));
  Csms b(dir_b, node_args(db, "B"));
  CHECK(get_json(a, "/health")["node"].GetString() == std::string("A"));
  REQUIRE(eventually([&] { return node_alive(a, "B") && node_alive(b, "A"); }));

  // Registered through A: B hears of it (NOTIFY station:) and accepts it too.
  REQUIRE(a.ctl({"station", "add", "S1"}).code == 0);
  auto on_a = station(a, "S1");
  REQUIRE(eventually([&] { return owner_of(b, "S1").first == "A"; }));
  const auto first_epoch = owner_of(b, "S1").second;

  SECTION("a command through B reaches the station on A and B answers it") {
    auto sent = std::async(std::launch::async, [&] {
      return b.ctl({"cmd", "S1", "clear-cache", "--json"});
    });
    CHECK(next_call(*on_a, 15s) == "ClearCache");
    auto result = sent.get();
    INFO(result.out << result.err);
    CHECK(result.code == 0);
    CHECK(result.out.find("Accepted") != std::string::npos);
    CHECK(relayed_commands(db, "S1") == 1);
  }

  SECTION("a command whose NOTIFY was lost is found by the owner's rescan and sent once") {
    // Written as B would, without the NOTIFY: only A's periodic rescan finds it.
    storage::pg::PgConnection raw(db.url());
    storage::pg::Statement insert(
        raw,
        "INSERT INTO cluster_command (station_id, origin_node, target_node, epoch, name, "
        "params_json, status, created_at, deadline) SELECT 'S1', 'B', 'A', epoch, "
        "'clear-cache', '{}', 'pending', $1, $2 FROM station_session WHERE station_id = 'S1' "
        "RETURNING id");
    const auto now = storage::DateTime::now().unix_micros();
    insert.bind_all(now, now + std::int64_t{60000000});
    REQUIRE(insert.step());
    const auto id = std::to_string(insert.int64(0));
    CHECK(next_call(*on_a, 15s) == "ClearCache");
    CHECK(eventually([&] {
      storage::pg::Statement st(raw, "SELECT status FROM cluster_command WHERE id = " + id);
      return st.step() && st.text(0) == "done";
    }));
  }

  SECTION("a node whose listener connection was cut listens again and serves relayed commands") {
    storage::pg::PgConnection raw(db.url());
    raw.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
        "classid::text::bigint = 1668508014 AND objid::text::bigint = (hashtext('A')::bigint & "
        "4294967295)");
    REQUIRE(eventually(
        [&] { return a.process().stderr_text().find("listening again") != std::string::npos; }));
    REQUIRE(eventually([&] { return node_alive(b, "A"); }));
    auto sent = std::async(std::launch::async, [&] {
      return b.ctl({"cmd", "S1", "clear-cache", "--json"});
    });
    CHECK(next_call(*on_a, 15s) == "ClearCache");
    CHECK(sent.get().code == 0);
  }

  SECTION(
      "a reconnect to B closes A's socket and raises the epoch and a paused B then sends "
      "nothing") {
    auto on_b = station(b, "S1");
    CHECK(on_a->wait_closed(15s) == 1001);
    REQUIRE(eventually([&] { return owner_of(a, "S1").first == "B"; }));
    CHECK(owner_of(a, "S1").second > first_epoch);

    // B stops past the node timeout; the station comes back to A meanwhile.
    ::kill(b.process().pid(), SIGSTOP);
    REQUIRE(eventually([&] { return !node_alive(a, "B"); }, 20s));
    auto again_on_a = station(a, "S1");
    REQUIRE(eventually([&] { return owner_of(a, "S1").first == "A"; }));
    // A command asked of B while it is stopped: when B wakes it must not go
    // to its stale socket (it answers Offline, or relays it to A).
    auto asked_b = std::async(std::launch::async, [&] {
      return b.ctl({"cmd", "S1", "clear-cache", "--json"});
    });
    ::kill(b.process().pid(), SIGCONT);
    // B closes its stale socket (1001) and sends nothing on it.
    CHECK(count(calls_until_closed(*on_b, 15s), "ClearCache") == 0);
    CHECK(on_b->wait_closed(1s) == 1001);
    // Relayed to A (at once), or refused: then nothing comes within the wait.
    const auto on_a_action = next_call(*again_on_a, 8s);
    auto answer = asked_b.get();
    INFO(answer.out << answer.err);
    CHECK(on_a_action == (answer.code == 0 ? "ClearCache" : ""));
    CHECK(owner_of(b, "S1").first == "A");
  }

  SECTION("a command to a station whose owner was killed is Offline until it reconnects") {
    a.kill9();
    REQUIRE(eventually([&] { return !node_alive(b, "A"); }, 20s));
    auto offline = b.ctl({"cmd", "S1", "clear-cache", "--json"});
    INFO(offline.out << offline.err);
    CHECK(offline.code != 0);
    CHECK((offline.out + offline.err).find("not connected") != std::string::npos);

    auto on_b = station(b, "S1");
    REQUIRE(eventually([&] { return owner_of(b, "S1").first == "B"; }));
    auto sent = std::async(std::launch::async, [&] {
      return b.ctl({"cmd", "S1", "clear-cache", "--json"});
    });
    CHECK(next_call(*on_b, 15s) == "ClearCache");
    CHECK(sent.get().code == 0);
    // The one asked while A was dead was never written, so it can never be
    // sent later; the second went out on B's own socket, not relayed.
    CHECK(relayed_commands(db, "S1") == 0);
  }
}

TEST_CASE("on SQLite there is no cluster and the cluster routes say so", "[e2e]") {
  TempDir dir;
  Csms csms(dir);
  auto cluster = get_json(csms, "/api/cluster");
  REQUIRE(cluster.IsObject());
  CHECK_FALSE(cluster["enabled"].GetBool());
  auto sessions = get_json(csms, "/api/cluster/sessions");
  REQUIRE(sessions.IsObject());
  CHECK_FALSE(sessions["enabled"].GetBool());
  CHECK(sessions["sessions"].Size() == 0);
  CHECK_FALSE(get_json(csms, "/health").HasMember("node"));
}
