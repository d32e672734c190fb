#pragma once
// The admin HTTP/JSON API (Boost.Beast) that csmsctl talks to.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "csms/commands.hpp"
#include "csms/config.hpp"
#include "csms/event_hub.hpp"
#include "csms/metrics.hpp"
#include "csms/roles.hpp"
#include "csms/station_registry.hpp"
#include "storage/database.hpp"

namespace boost::asio::ssl {
class context;
}

namespace csms::admin {

/// Where the API listens and the bearer token it requires.
struct AdminOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8181;  ///< 0: an ephemeral port (see AdminServer::port()).
  /// The bootstrap token: an admin token named "bootstrap", required (or a
  /// named token from the database) in `Authorization: Bearer <token>` on
  /// every route but GET /health. Without it and without named tokens every
  /// such request is refused (401).
  std::string token;
  /// Set: HTTPS with this server context (transport::make_server_context).
  std::shared_ptr<boost::asio::ssl::context> tls;
};

/// One admin API route as the table states it (for tests and docs).
struct RouteInfo {
  std::string method;  ///< GET, POST, DELETE.
  std::string path;    ///< e.g. /api/stations/{}/commands/{}.
  Role role;           ///< The least role that may call it.
};

/// What the API reads and drives.
struct AdminDeps {
  storage::Database& db;
  StationRegistry& stations;
  CommandGateway& commands;
  Metrics& metrics;
  const Config& config;
  /// Live events for GET /api/stream (none: the route answers 503).
  EventHub* events = nullptr;
};

/// Serves the admin API on the given io_context (the network thread). Call
/// start()/stop() on that thread or before it runs. The io_context and the deps
/// must outlive storage callbacks still in flight (flush the database first).
class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, AdminOptions options, AdminDeps deps);
  ~AdminServer();
  /// Binds and starts accepting; throws std::runtime_error if it cannot bind.
  void start();
  void stop();
  std::uint16_t port() const;
  /// Serves new connections with `tls` (a reloaded certificate); open ones keep
  /// theirs. False (nothing changed) when the API is plain HTTP.
  bool set_tls(std::shared_ptr<boost::asio::ssl::context> tls);
  /// Every route with the role it needs.
  static std::vector<RouteInfo> routes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csms::admin
