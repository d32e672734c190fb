// ClusterStore on PostgreSQL (the fixture of storage-pg/): node liveness,
// station epochs, relayed commands claimed at most once, NOTIFY wake-ups.
#include <poll.h>

#include "storage/cluster.hpp"
#include "unit/storage/support.hpp"

using namespace storage_test;

namespace {

/// A migrated database of this test and a store per node on it.
struct Cluster {
  Cluster() : dir(), db(open((dir.path() / "c.db").string())) {}
  std::string url() { return pg::databases().url_for((dir.path() / "c.db").string()); }
  std::unique_ptr<storage::ClusterStore> node(const std::string& id) {
    return storage::open_cluster_store(url(), id);
  }
  /// Nodes A and B, registered.
  std::pair<std::unique_ptr<storage::ClusterStore>, std::unique_ptr<storage::ClusterStore>>
  two_nodes() {
    auto a = node("A");
    auto b = node("B");
    a->register_node("");
    b->register_node("");
    return {std::move(a), std::move(b)};
  }
  TempDir dir;
  std::unique_ptr<storage::Database> db;
};

/// The notifications that reach `store` within a bounded wait.
std::vector<std::string> wait_notifications(storage::ClusterStore& store) {
  std::vector<std::string> out;
  const auto until = std::chrono::steady_clock::now() + kTimeout;
  while (out.empty() && std::chrono::steady_clock::now() < until) {
    pollfd p{store.socket(), POLLIN, 0};
    ::poll(&p, 1, 200);
    for (auto& n : store.notifications()) out.push_back(n.payload);
  }
  return out;
}

constexpr std::chrono::seconds kNodeTimeout{10};

}  // namespace

TEST_CASE("cluster node ids are checked", "[postgres]") {
  CHECK(storage::check_node_id("host-1.example:8180").empty());
  CHECK_FALSE(storage::check_node_id("").empty());
  CHECK_FALSE(storage::check_node_id("a b").empty());
  CHECK_FALSE(storage::check_node_id(std::string(49, 'a')).empty());
  CHECK(storage::open_cluster_store("data/csms.db", "a") == nullptr);
}

TEST_CASE("a node is alive while it heartbeats and holds its lock, and its id is unique",
          "[postgres]") {
  Cluster c;
  auto a = c.node("A");
  a->register_node("http://a");
  REQUIRE_THROWS_WITH(c.node("A"), Catch::Contains("in use"));
  {
    auto b = c.node("B");
    b->register_node("");
    auto nodes = a->nodes(kNodeTimeout);
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[0].id == "A");
    CHECK(nodes[0].admin_url == "http://a");
    CHECK(nodes[0].alive);
    CHECK(nodes[1].alive);
  }
  // B's connection ended: its lock goes with its backend, so it is dead
  // long before its heartbeat ages (the backend ends a moment after the client).
  const auto until = std::chrono::steady_clock::now() + kTimeout;
  auto nodes = a->nodes(kNodeTimeout);
  while (nodes.at(1).alive && std::chrono::steady_clock::now() < until) {
    ::poll(nullptr, 0, 20);
    nodes = a->nodes(kNodeTimeout);
  }
  CHECK_FALSE(nodes[1].alive);
  // A stale heartbeat is dead too, even with the lock held.
  RawConnection raw((c.dir.path() / "c.db").string());
  raw.exec("UPDATE cluster_node SET heartbeat_at = 0 WHERE id = 'A'");
  CHECK_FALSE(a->nodes(kNodeTimeout)[0].alive);
  a->heartbeat();
  CHECK(a->nodes(kNodeTimeout)[0].alive);
  CHECK(a->notification_queue_usage() >= 0.0);
}

TEST_CASE("claiming a station raises its epoch and tells the previous owner to close",
          "[postgres]") {
  Cluster c;
  auto [a, b] = c.two_nodes();
  auto first = a->claim_station("S1");
  CHECK(first.epoch == 1);
  CHECK(first.previous_node.empty());
  auto second = b->claim_station("S1");
  CHECK(second.epoch == 2);
  CHECK(second.previous_node == "A");
  auto told = wait_notifications(*a);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "close:S1:2");
  // A's stale release changes nothing; B's own does, and the epoch stays.
  CHECK_FALSE(a->release_station("S1", 1));
  auto sessions = a->sessions(kNodeTimeout);
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].node_id == "B");
  CHECK(sessions[0].epoch == 2);
  CHECK(sessions[0].node_alive);
  CHECK(b->release_station("S1", 2));
  CHECK(a->sessions(kNodeTimeout).empty());
  auto rows = a->owners({"S1", "S\"2"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].node_id.empty());
  CHECK(a->claim_station("S1").epoch == 3);
}

TEST_CASE("a relayed command is claimed once, by its owner holding the epoch, and answered",
          "[postgres]") {
  Cluster c;
  auto [a, b] = c.two_nodes();
  const auto deadline = DateTime::from_unix_micros(DateTime::now().unix_micros() + 60000000);
  // Nobody owns S1: nothing is written.
  CHECK_FALSE(b->send_command("S1", "reset", "{}", deadline, kNodeTimeout));
  const auto epoch = a->claim_station("S1").epoch;
  auto sent = b->send_command("S1", "reset", "{\"type\":\"Soft\"}", deadline, kNodeTimeout);
  REQUIRE(sent);
  CHECK(sent->target_node == "A");
  auto woke = wait_notifications(*a);
  REQUIRE(woke.size() == 1);
  CHECK(woke[0] == "cmd:" + std::to_string(sent->id));
  CHECK(a->pending_commands() == std::vector<std::int64_t>{sent->id});
  // A stale epoch claims nothing; the right one claims once.
  CHECK_FALSE(a->claim_command(sent->id, epoch + 1));
  auto claimed = a->claim_command(sent->id, epoch);
  REQUIRE(claimed);
  CHECK(claimed->params_json == "{\"type\":\"Soft\"}");
  CHECK_FALSE(a->claim_command(sent->id, epoch));
  CHECK(a->pending_commands().empty());
  claimed->result_json = "{\"status\":\"Accepted\"}";
  claimed->action = "Reset";
  a->finish_command(*claimed);
  auto told = wait_notifications(*b);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "res:" + std::to_string(sent->id));
  auto done = b->command(sent->id);
  REQUIRE(done);
  CHECK(done->status == "done");
  CHECK(done->result_json == "{\"status\":\"Accepted\"}");
  CHECK_FALSE(b->expire_command(sent->id));
}

TEST_CASE("an unclaimed command expires once and cannot be claimed after", "[postgres]") {
  Cluster c;
  auto [a, b] = c.two_nodes();
  const auto epoch = a->claim_station("S1").epoch;
  const auto deadline = DateTime::from_unix_micros(DateTime::now().unix_micros() + 60000000);
  auto sent = b->send_command("S1", "reset", "{}", deadline, kNodeTimeout);
  REQUIRE(sent);
  CHECK(b->expire_command(sent->id));
  CHECK_FALSE(b->expire_command(sent->id));
  CHECK_FALSE(a->claim_command(sent->id, epoch));
  CHECK(b->command(sent->id)->status == "expired");
  // A rejected one reaches the origin as failed.
  auto other = b->send_command("S1", "reset", "{}", deadline, kNodeTimeout);
  REQUIRE(other);
  a->reject_command(other->id, "Offline", "station S1 is not connected");
  CHECK(b->command(other->id)->status == "failed");
  b->prune_commands(std::chrono::seconds(0));
  CHECK(b->command(other->id));  // deadline not passed yet
}

TEST_CASE("a job lock is held by one node at a time until its connection ends", "[postgres]") {
  Cluster c;
  auto b = c.node("B");
  {
    auto a = c.node("A");
    CHECK(a->try_job_lock("reservations"));
    CHECK(a->try_job_lock("reservations"));
    CHECK_FALSE(b->try_job_lock("reservations"));
    CHECK(b->try_job_lock("energy:site1"));
  }
  const auto until = std::chrono::steady_clock::now() + kTimeout;
  while (!b->try_job_lock("reservations") && std::chrono::steady_clock::now() < until)
    ::poll(nullptr, 0, 20);
  CHECK(b->try_job_lock("reservations"));
}

TEST_CASE("a station change is broadcast to every node", "[postgres]") {
  Cluster c;
  auto a = c.node("A");
  auto b = c.node("B");
  a->broadcast_station("S9");
  auto told = wait_notifications(*b);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == "station:S9");
}

TEST_CASE("a node whose connection was cut reconnects and listens and holds its lock again",
          "[postgres]") {
  Cluster c;
  auto [a, b] = c.two_nodes();
  RawConnection raw((c.dir.path() / "c.db").string());
  CHECK(raw.integer("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = "
                    "'advisory' AND classid::text::bigint = 1668508014 AND objid::text::bigint = "
                    "(hashtext('A')::bigint & 4294967295)") == 1);
  // The cut shows on the next use; reconnect() then makes a new session (it
  // may find the old backend still ending and its lock still held: retried).
  bool reconnected = false;
  const auto until = std::chrono::steady_clock::now() + kTimeout;
  while (!reconnected && std::chrono::steady_clock::now() < until) {
    try {
      a->heartbeat();
      a->notifications();
      ::poll(nullptr, 0, 20);
    } catch (const std::exception&) {
    }
    try {
      reconnected = a->reconnect();
    } catch (const std::exception&) {
    }
  }
  REQUIRE(reconnected);
  CHECK_FALSE(a->reconnect());
  b->broadcast_station("S1");
  CHECK(wait_notifications(*a) == std::vector<std::string>{"station:S1"});
  a->heartbeat();
  CHECK(b->nodes(kNodeTimeout).at(0).alive);
}
