// ClusterStore on PostgreSQL: one connection per node that LISTENs, holds the
// node's advisory lock and runs the cluster's (small, rare) transactions.

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "postgres/statement.hpp"
#include "storage/cluster.hpp"
#include "storage/database.hpp"

namespace storage {

namespace {

// Advisory lock classes (the two-key form: class, hashtext(name)): "csmn"
// for node locks, "csmj" for jobs. Migrations use the one-key form.
constexpr std::int64_t kNodeLockClass = 1668508014;
constexpr std::int64_t kJobLockClass = 1668508010;
constexpr const char* kBroadcast = "csms_all";

std::string node_channel(const std::string& node_id) {
  return "csms_node:" + node_id;
}

/// "fresh heartbeat and node lock held" for the row aliased `n`; $1 is now
/// minus the timeout in microseconds.
constexpr const char* kAlive =
    "(n.heartbeat_at >= $1 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' "
    "AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = "
    "current_database()) AND l.classid::text::bigint = 1668508014 AND l.objsubid = 2 "
    "AND l.objid::text::bigint = (hashtext(n.id)::bigint & 4294967295)))";

/// A text[] literal of `items`, each quoted.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::int64_t micros_ago(std::chrono::seconds age) {
  return DateTime::now().unix_micros() - static_cast<std::int64_t>(age.count()) * 1000000;
}

constexpr const char* kCommandColumns =
    "id, station_id, origin_node, target_node, epoch, name, params_json, status, deadline, "
    "result_json, error, error_code, message, action";

ClusterCommand read_command(const pg::Statement& st) {
  ClusterCommand c;
  c.id = st.int64(0);
  c.station_id = st.text(1);
  c.origin_node = st.text(2);
  c.target_node = st.text(3);
  c.epoch = st.int64(4);
  c.name = st.text(5);
  c.params_json = st.text(6);
  c.status = st.text(7);
  c.deadline = st.time(8);
  c.result_json = st.text(9);
  c.error = st.text(10);
  c.error_code = st.text(11);
  c.message = st.text(12);
  c.action = st.text(13);
  return c;
}

class PgClusterStore final : public ClusterStore {
 public:
  PgClusterStore(std::string url, std::string node_id)
      : url_(std::move(url)), node_id_(std::move(node_id)) {
    reconnect();
  }

  const std::string& node_id() const override { return node_id_; }

  bool reconnect() override {
    if (db_ && PQstatus(db_->handle()) == CONNECTION_OK) return false;
    db_.reset();
    held_jobs_.clear();  // they ended with the old session
    auto db = std::make_unique<pg::PgConnection>(url_);
    {
      pg::Statement lock(*db, "SELECT pg_try_advisory_lock($1::int, hashtext($2))");
      lock.bind_all(kNodeLockClass, node_id_);
      if (!lock.step() || !lock.boolean(0))
        throw std::runtime_error("cluster node id " + node_id_ +
                                 " is in use by another running csms (cluster.node_id must be "
                                 "unique)");
    }
    db->exec("LISTEN " + quote_identifier(node_channel(node_id_)) + "; LISTEN " + kBroadcast);
    db_ = std::move(db);
    return true;
  }

  int socket() const override { return db_ ? PQsocket(db_->handle()) : -1; }

  std::vector<ClusterNotification> notifications() override {
    std::vector<ClusterNotification> out;
    if (!db_) return out;
    if (PQconsumeInput(db_->handle()) == 0) {
      // The server went away: the next reconnect() makes a new connection.
      const std::string msg = PQerrorMessage(db_->handle());
      db_.reset();
      throw std::runtime_error("cluster listener: connection lost: " + msg);
    }
    while (PGnotify* n = PQnotifies(db_->handle())) {
      out.push_back({n->extra != nullptr ? n->extra : ""});
      PQfreemem(n);
    }
    return out;
  }

  void register_node(const std::string& admin_url) override {
    const auto now = DateTime::now();
    tx([&] {
      pg::Statement up(db(),
                       "INSERT INTO cluster_node (id, started_at, heartbeat_at, admin_url) "
                       "VALUES ($1, $2, $2, $3) ON CONFLICT (id) DO UPDATE SET started_at = "
                       "EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, admin_url = "
                       "EXCLUDED.admin_url");
      up.bind_all(node_id_, now, admin_url);
      up.run();
      // A new run of this node holds no sockets yet.
      pg::Statement release(db(), "UPDATE station_session SET node_id = NULL WHERE node_id = $1");
      release.bind_all(node_id_);
      release.run();
    });
  }

  void heartbeat() override {
    pg::Statement st(db(), "UPDATE cluster_node SET heartbeat_at = $1 WHERE id = $2");
    st.bind_all(DateTime::now(), node_id_);
    st.run();
    if (st.changes() == 0) register_node("");
  }

  std::vector<ClusterNodeState> nodes(std::chrono::seconds timeout) override {
    pg::Statement st(db(), std::string("SELECT n.id, n.started_at, n.heartbeat_at, n.admin_url, ") +
                               kAlive + " FROM cluster_node n ORDER BY n.id");
    st.bind_all(micros_ago(timeout));
    std::vector<ClusterNodeState> out;
    const auto now = DateTime::now().unix_micros();
    while (st.step()) {
      ClusterNodeState n;
      n.id = st.text(0);
      n.started_at = st.time(1);
      n.heartbeat_at = st.time(2);
      n.admin_url = st.text(3);
      n.alive = st.boolean(4);
      n.heartbeat_age_s = static_cast<double>(now - n.heartbeat_at.unix_micros()) / 1e6;
      out.push_back(std::move(n));
    }
    return out;
  }

  double notification_queue_usage() override {
    pg::Statement st(db(), "SELECT pg_notification_queue_usage()");
    return st.step() ? st.real(0) : 0.0;
  }

  StationClaim claim_station(const std::string& station_id) override {
    StationClaim claim;
    tx([&] {
      std::string previous;
      {
        pg::Statement st(db(),
                         "SELECT node_id FROM station_session WHERE station_id = $1 FOR UPDATE");
        st.bind_all(station_id);
        if (st.step()) previous = st.text(0);
      }
      pg::Statement up(db(),
                       "INSERT INTO station_session (station_id, node_id, epoch, connected_at) "
                       "VALUES ($1, $2, 1, $3) ON CONFLICT (station_id) DO UPDATE SET node_id = "
                       "EXCLUDED.node_id, epoch = station_session.epoch + 1, connected_at = "
                       "EXCLUDED.connected_at RETURNING epoch");
      up.bind_all(station_id, node_id_, DateTime::now());
      up.step();
      claim.epoch = up.int64(0);
      if (!previous.empty() && previous != node_id_) {
        claim.previous_node = previous;
        notify(node_channel(previous), "close:" + station_id + ":" + std::to_string(claim.epoch));
      }
    });
    return claim;
  }

  bool release_station(const std::string& station_id, std::int64_t epoch) override {
    pg::Statement st(db(),
                     "UPDATE station_session SET node_id = NULL WHERE station_id = $1 AND "
                     "node_id = $2 AND epoch = $3");
    st.bind_all(station_id, node_id_, epoch);
    st.run();
    return st.changes() > 0;
  }

  std::vector<StationOwner> sessions(std::chrono::seconds timeout) override {
    pg::Statement st(db(), std::string("SELECT s.station_id, s.node_id, s.epoch, s.connected_at, "
                                       "COALESCE(") +
                               kAlive +
                               ", false) FROM station_session s LEFT JOIN cluster_node n ON n.id "
                               "= s.node_id WHERE s.node_id IS NOT NULL ORDER BY s.station_id");
    st.bind_all(micros_ago(timeout));
    std::vector<StationOwner> out;
    while (st.step())
      out.push_back({st.text(0), st.text(1), st.int64(2), st.time(3), st.boolean(4)});
    return out;
  }

  std::vector<StationOwner> owners(const std::vector<std::string>& station_ids) override {
    pg::Statement st(db(),
                     "SELECT station_id, COALESCE(node_id, ''), epoch, connected_at FROM "
                     "station_session WHERE station_id = ANY($1::text[])");
    st.bind_all(text_array(station_ids));
    return read_owners(st);
  }

  std::optional<ClusterCommand> send_command(const std::string& station_id, const std::string& name,
                                             const std::string& params_json, DateTime deadline,
                                             std::chrono::seconds timeout) override {
    std::optional<ClusterCommand> sent;
    tx([&] {
      pg::Statement owner(db(), std::string("SELECT s.node_id, s.epoch FROM station_session s "
                                            "JOIN cluster_node n ON n.id = s.node_id WHERE ") +
                                    kAlive + " AND s.station_id = $2");
      owner.bind_all(micros_ago(timeout), station_id);
      if (!owner.step()) return;
      ClusterCommand c;
      c.station_id = station_id;
      c.origin_node = node_id_;
      c.target_node = owner.text(0);
      c.epoch = owner.int64(1);
      c.name = name;
      c.params_json = params_json;
      c.status = "pending";
      c.deadline = deadline;
      pg::Statement ins(db(),
                        "INSERT INTO cluster_command (station_id, origin_node, target_node, "
                        "epoch, name, params_json, status, created_at, deadline) VALUES ($1, $2, "
                        "$3, $4, $5, $6, 'pending', $7, $8) RETURNING id");
      ins.bind_all(c.station_id, c.origin_node, c.target_node, c.epoch, c.name, c.params_json,
                   DateTime::now(), c.deadline);
      ins.step();
      c.id = ins.int64(0);
      notify(node_channel(c.target_node), "cmd:" + std::to_string(c.id));
      sent = std::move(c);
    });
    return sent;
  }

  std::vector<std::int64_t> pending_commands() override {
    pg::Statement st(db(),
                     "SELECT id FROM cluster_command WHERE target_node = $1 AND status = "
                     "'pending' AND deadline > $2 ORDER BY id");
    st.bind_all(node_id_, DateTime::now());
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(st.int64(0));
    return out;
  }

  std::optional<ClusterCommand> claim_command(std::int64_t id, std::int64_t epoch) override {
    pg::Statement st(
        db(), std::string("UPDATE cluster_command c SET status = 'claimed' WHERE id = $1 AND "
                          "status = 'pending' AND target_node = $2 AND deadline > $4 AND EXISTS "
                          "(SELECT 1 FROM station_session s WHERE s.station_id = c.station_id "
                          "AND s.node_id = $2 AND s.epoch = $3) RETURNING ") +
                  kCommandColumns);
    st.bind_all(id, node_id_, epoch, DateTime::now());
    if (!st.step()) return std::nullopt;
    return read_command(st);
  }

  void reject_command(std::int64_t id, const std::string& error,
                      const std::string& message) override {
    tx([&] {
      pg::Statement st(db(),
                       "UPDATE cluster_command SET status = 'failed', error = $2, message = $3 "
                       "WHERE id = $1 AND status = 'pending' RETURNING origin_node");
      st.bind_all(id, error, message);
      if (st.step()) notify(node_channel(st.text(0)), "res:" + std::to_string(id));
    });
  }

  void finish_command(const ClusterCommand& r) override {
    tx([&] {
      pg::Statement st(db(),
                       "UPDATE cluster_command SET status = $2, result_json = $3, error = $4, "
                       "error_code = $5, message = $6, action = $7 WHERE id = $1 AND status = "
                       "'claimed' RETURNING origin_node");
      st.bind_all(r.id, r.error.empty() ? "done" : "failed", r.result_json, r.error, r.error_code,
                  r.message, r.action);
      if (st.step()) notify(node_channel(st.text(0)), "res:" + std::to_string(r.id));
    });
  }

  std::optional<ClusterCommand> command(std::int64_t id) override {
    pg::Statement st(
        db(), std::string("SELECT ") + kCommandColumns + " FROM cluster_command WHERE id = $1");
    st.bind_all(id);
    if (!st.step()) return std::nullopt;
    return read_command(st);
  }

  bool expire_command(std::int64_t id) override {
    pg::Statement st(db(),
                     "UPDATE cluster_command SET status = 'expired' WHERE id = $1 AND status IN "
                     "('pending', 'claimed')");
    st.bind_all(id);
    st.run();
    return st.changes() > 0;
  }

  void prune_commands(std::chrono::seconds age) override {
    pg::Statement st(db(),
                     "DELETE FROM cluster_command WHERE deadline < $1 AND status NOT IN "
                     "('pending', 'claimed')");
    st.bind_all(micros_ago(age));
    st.run();
  }

  void broadcast_station(const std::string& station_id) override {
    notify(kBroadcast, "station:" + station_id);
  }

  bool try_job_lock(const std::string& job) override {
    pg::Statement st(db(), "SELECT pg_try_advisory_lock($1::int, hashtext($2))");
    st.bind_all(kJobLockClass, job);
    if (!st.step() || !st.boolean(0)) return false;
    // Taken again by its holder: keep one level, so the lock is one hold.
    auto& held = held_jobs_[job];
    if (held) {
      pg::Statement un(db(), "SELECT pg_advisory_unlock($1::int, hashtext($2))");
      un.bind_all(kJobLockClass, job);
      un.run();
    }
    held = true;
    return true;
  }

 private:
  pg::PgConnection& db() {
    if (!db_) throw std::runtime_error("cluster store: not connected to the database");
    return *db_;
  }

  static std::string quote_identifier(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }

  void notify(const std::string& channel, const std::string& payload) {
    pg::Statement st(db(), "SELECT pg_notify($1, $2)");
    st.bind_all(channel, payload);
    st.run();
  }

  template <class F>
  void tx(F f) {
    db().exec("BEGIN");
    try {
      f();
      db().exec("COMMIT");
    } catch (...) {
      if (db_ && db_->in_transaction()) {
        try {
          db_->exec("ROLLBACK");
        } catch (...) {  // The first error is the one reported.
        }
      }
      throw;
    }
  }

  static std::vector<StationOwner> read_owners(pg::Statement& st) {
    std::vector<StationOwner> out;
    while (st.step()) out.push_back({st.text(0), st.text(1), st.int64(2), st.time(3)});
    return out;
  }

  std::string url_;
  std::string node_id_;
  std::unique_ptr<pg::PgConnection> db_;
  std::unordered_map<std::string, bool> held_jobs_;
};

}  // namespace

std::string check_node_id(const std::string& node_id) {
  if (node_id.empty() || node_id.size() > 48)
    return "cluster.node_id must be 1 to 48 characters, not " + std::to_string(node_id.size());
  for (char c : node_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok)
      return "cluster.node_id may hold only A-Z a-z 0-9 . _ : - (found '" + std::string(1, c) +
             "')";
  }
  return "";
}

std::unique_ptr<ClusterStore> open_cluster_store(const std::string& database_url,
                                                 const std::string& node_id) {
  if (parse_database_url(database_url).backend != Backend::Postgres) return nullptr;
  if (auto problem = check_node_id(node_id); !problem.empty()) throw std::runtime_error(problem);
  return std::make_unique<PgClusterStore>(database_url, node_id);
}

}  // namespace storage
