#pragma once
// The cluster's shared state on PostgreSQL (docs/cluster.md): node liveness,
// station ownership with epochs (fencing tokens), commands relayed between
// nodes, NOTIFY wake-ups and one-at-a-time job locks. SQLite has none of it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// A node as the cluster_node table and the node locks show it.
struct ClusterNodeState {
  std::string id;
  DateTime started_at;
  DateTime heartbeat_at;
  std::string admin_url;
  double heartbeat_age_s = 0;  ///< Seconds since heartbeat_at, by the database's clock.
  bool alive = false;          ///< Fresh heartbeat and its advisory lock held.
};

/// Who holds a station's socket, and with which epoch.
struct StationOwner {
  std::string station_id;
  std::string node_id;  ///< Empty: released (nobody holds it).
  std::int64_t epoch = 0;
  DateTime connected_at;
  bool node_alive = false;  ///< sessions() only: the owner is alive (as in nodes()).
};

/// What claiming a station did: the new epoch, and the node that held it
/// before (told to close; empty when none or this node).
struct StationClaim {
  std::int64_t epoch = 0;
  std::string previous_node;
};

/// A command row (cluster_command): status is pending, claimed, done, failed
/// or expired; the result fields are set once it is done or failed.
struct ClusterCommand {
  std::int64_t id = 0;
  std::string station_id;
  std::string origin_node;
  std::string target_node;
  std::int64_t epoch = 0;
  std::string name;
  std::string params_json;
  std::string status;
  DateTime deadline;
  std::string result_json;
  std::string error;  ///< The CommandError's name ("Timeout", "CallError"...); empty: success.
  std::string error_code;
  std::string message;
  std::string action;
};

/// A NOTIFY received: `payload` is e.g. "close:S1:4", "cmd:12", "res:12", "station:S1".
struct ClusterNotification {
  std::string payload;
};

/// The cluster's state over one dedicated connection that also LISTENs and
/// holds this node's session-level advisory lock. Blocking: one thread only
/// (the node's cluster thread), never the network thread. Every call throws
/// std::runtime_error when the database fails; reconnect() then restores it.
class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  virtual const std::string& node_id() const = 0;

  /// (Re)connects when the connection is gone or not yet made: LISTEN on this
  /// node's channel and the broadcast one, take the node lock. True when it
  /// connected now (the caller rescans: notifications were missed); false when
  /// the connection was fine. Throws when the database is unreachable or
  /// another live process holds this node id's lock.
  virtual bool reconnect() = 0;
  /// The connection's socket to poll for notifications (-1 when not connected).
  virtual int socket() const = 0;
  /// Reads what arrived on the socket and returns the notifications for this
  /// node (its channel and the broadcast channel).
  virtual std::vector<ClusterNotification> notifications() = 0;

  /// Upserts this node's row (started_at and heartbeat now) and releases the
  /// station sessions an earlier run of this node id left behind.
  virtual void register_node(const std::string& admin_url) = 0;
  virtual void heartbeat() = 0;
  /// Every node row; alive when its heartbeat is younger than `timeout` and it
  /// holds its node lock.
  virtual std::vector<ClusterNodeState> nodes(std::chrono::seconds timeout) = 0;
  /// pg_notification_queue_usage(): 0..1.
  virtual double notification_queue_usage() = 0;

  /// Takes the station for this node with epoch + 1 and, in the same
  /// transaction, tells the previous owner (another node) "close:ID:EPOCH".
  virtual StationClaim claim_station(const std::string& station_id) = 0;
  /// Releases the station if the row still carries this node and `epoch`.
  virtual bool release_station(const std::string& station_id, std::int64_t epoch) = 0;
  /// Owned sessions (node set), by station id, with their owner's liveness.
  virtual std::vector<StationOwner> sessions(std::chrono::seconds timeout) = 0;
  /// The rows of these stations (one query), for the epoch re-check.
  virtual std::vector<StationOwner> owners(const std::vector<std::string>& station_ids) = 0;

  /// Writes a pending command for the station's owner and NOTIFYs it
  /// ("cmd:ID") in one transaction; nullopt when nobody alive owns the
  /// station (not connected anywhere). `timeout` bounds liveness as in nodes().
  virtual std::optional<ClusterCommand> send_command(const std::string& station_id,
                                                     const std::string& name,
                                                     const std::string& params_json,
                                                     DateTime deadline,
                                                     std::chrono::seconds timeout) = 0;
  /// Pending, undue command ids targeted at this node.
  virtual std::vector<std::int64_t> pending_commands() = 0;
  /// Claims a pending command for this node while it holds the station with
  /// `epoch`: atomic, so a command is claimed (and sent) at most once.
  virtual std::optional<ClusterCommand> claim_command(std::int64_t id, std::int64_t epoch) = 0;
  /// Fails a pending command this node cannot serve (status failed).
  virtual void reject_command(std::int64_t id, const std::string& error,
                              const std::string& message) = 0;
  /// Stores the result of a claimed command (done, or failed with `error`) and
  /// NOTIFYs the origin ("res:ID") in one transaction.
  virtual void finish_command(const ClusterCommand& result) = 0;
  /// The command row, if any.
  virtual std::optional<ClusterCommand> command(std::int64_t id) = 0;
  /// Marks a command expired unless it already ended; true when it expired now.
  virtual bool expire_command(std::int64_t id) = 0;
  /// Removes ended commands whose deadline passed more than `age` ago.
  virtual void prune_commands(std::chrono::seconds age) = 0;

  /// NOTIFYs every node "station:ID" (registration or security settings changed).
  virtual void broadcast_station(const std::string& station_id) = 0;

  /// Tries the session-level advisory lock of `job` on this connection: true
  /// while this node holds it (it is held until the connection ends).
  virtual bool try_job_lock(const std::string& job) = 0;
};

/// Opens the cluster store for `database_url` (a postgresql:// URL) as node
/// `node_id`; null for a SQLite database (no cluster). Connects at once:
/// throws std::runtime_error naming the (masked) target, or "node id in use"
/// when a live process holds this node id.
std::unique_ptr<ClusterStore> open_cluster_store(const std::string& database_url,
                                                 const std::string& node_id);

/// "" when `node_id` is a valid cluster node id (1 to 48 characters of
/// A-Z a-z 0-9 . _ : -), else what is wrong with it.
std::string check_node_id(const std::string& node_id);

}  // namespace storage
