#pragma once
// This node's part in a cluster of csms nodes on one PostgreSQL database
// (docs/cluster.md): liveness, station ownership with epochs, commands relayed
// to the node holding a station's socket, one-at-a-time jobs. All database
// work runs on the cluster's own thread; results come back to the network
// thread through the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "csms/commands.hpp"
#include "csms/config.hpp"
#include "storage/cluster.hpp"

namespace csms {

/// The cluster node: a thread with the node's ClusterStore (listener
/// connection), driven by the network thread's calls; PostgreSQL only.
class Cluster {
 public:
  /// What the cluster asks of the server, always on the network thread.
  struct Hooks {
    /// The session `generation` of the station lost its epoch to another
    /// node: close it (1001) and act on the station no more.
    std::function<void(const std::string& station, std::uint64_t generation,
                       const std::string& why)>
        lost;
    /// Sends a command to the station's local session (the claim proved the epoch).
    std::function<void(const std::string& station, const Command& command,
                       std::function<void(CommandResult)> done)>
        execute_local;
    /// Another node changed the station's registration: re-read it ("":
    /// every station, changes may have been missed).
    std::function<void(const std::string& station)> station_changed;
  };

  Cluster(boost::asio::io_context& io, std::unique_ptr<storage::ClusterStore> store,
          const Config& config, Hooks hooks);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  /// Writes the node row and starts the thread (blocking: call at start).
  void start(const std::string& admin_url);
  /// Ends the thread; waiting commands are dropped.
  void stop();
  const std::string& node_id() const;

  // Network thread only.

  /// An accepted connection: claims the station (epoch + 1) in the background;
  /// returns the session's generation, which the other calls name.
  std::uint64_t connected(const std::string& station);
  /// The session ended: releases the station if it still holds its epoch.
  void disconnected(const std::string& station, std::uint64_t generation);
  /// Runs `send` on the network thread once the database confirms that this
  /// node still holds the station's epoch for `generation`; else the session
  /// is lost and `done` gets Offline (never sends on a lost station).
  void fenced(const std::string& station, std::uint64_t generation, std::function<void()> send,
              std::function<void(CommandResult)> done);
  /// Relays a command to the node that holds the station's socket and answers
  /// with its result; Offline when no live node holds it, Timeout at the deadline.
  void execute_remote(const std::string& station, const Command& command,
                      std::function<void(CommandResult)> done);
  /// Tells every node that the station's registration changed.
  void station_changed(const std::string& station);
  /// `done(true)` when this node holds (or now took) the job's lock.
  void try_job(const std::string& job, std::function<void(bool)> done);
  /// GET /api/cluster (sessions false) or /api/cluster/sessions as JSON text;
  /// `done(json, error)`, error non-empty when the database failed.
  void state(bool sessions, std::function<void(std::string, std::string)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The default node id: this host's name, ":" and the OCPP port, cut to a
/// valid id.
std::string default_node_id(int ocpp_port);

}  // namespace csms
