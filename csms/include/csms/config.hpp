#pragma once
// Server configuration: config/csms.json, overridden by command-line flags.

#include <cstdint>
#include <string>
#include <vector>

#include "ocpp/common/version.hpp"

namespace csms {

/// Every setting of the server; docs/configuration.md documents each key.
struct Config {
  // OCPP WebSocket listener
  std::string ocpp_host = "0.0.0.0";
  std::uint16_t ocpp_port = 8180;
  std::string path_prefix = "/ocpp/";
  std::size_t max_message_size = 65536;
  /// server.io_threads: threads for the connections' per-frame work; -1: the
  /// machine's cores (at most 8); 0: none, all on the service thread.
  int io_threads = -1;
  int ping_interval_s = 30;  ///< 0 disables WebSocket keep-alive pings.
  int pong_timeout_s = 10;
  /// The OCPP versions accepted, most preferred first: a station offering
  /// several subprotocols gets the first of these it offers.
  std::vector<ocpp::Version> ocpp_versions = {ocpp::Version::v201, ocpp::Version::v16};
  // Admin API
  std::string admin_host = "127.0.0.1";
  std::uint16_t admin_port = 8181;
  std::string admin_token;  ///< From --admin-token, CSMS_ADMIN_TOKEN, or admin.token_file.
  std::string admin_token_file;
  // File uploads from stations (diagnostics, logs): their own listener.
  std::string uploads_listen = "0.0.0.0:8182";  ///< host:port; port 0 = ephemeral.
  /// The base URL stations are told to upload to; empty: http://<listen address>.
  std::string uploads_public_url;
  std::string uploads_dir;  ///< Empty: "uploads" beside the database.
  std::int64_t uploads_max_bytes = 64 * 1024 * 1024;
  int uploads_token_ttl_s = 3600;  ///< How long an upload URL stays valid.
  // Storage
  /// The SQLite database file, and the anchor of the files kept "beside the
  /// database" (uploads, ca, admin-token) with either backend.
  std::string db_path = "data/csms.db";
  /// database.url: postgresql://... for PostgreSQL; empty (or sqlite:PATH or a
  /// path, which parse_config moves to db_path) for SQLite. `--db` and
  /// database.path take a postgresql:// URL too. Holds a password: log only
  /// storage::mask_database_url(db_url).
  std::string db_url;
  int message_log_retention_days = 30;  ///< 0 keeps the message log forever.
  /// Raw meter samples older than this are rolled up into 15-minute
  /// aggregates; 0 keeps them raw forever.
  int meter_raw_retention_days = 7;
  int retention_interval_s = 300;   ///< How often the retention job runs.
  int retention_batch_rows = 2000;  ///< Most rows one run rolls up / deletes, each.
  /// How long a write waits for a lock held by another process before the
  /// station gets InternalError.
  int db_busy_timeout_ms = 2000;
  std::int64_t db_max_bytes = 0;  ///< Cap on the database file's size; 0: none.
  // Protocol behaviour
  int heartbeat_interval_s = 300;
  int call_timeout_s = 30;
  int max_bad_frames = 10;  ///< Malformed or unexpected frames within a minute before closing.
  bool accept_unknown = false;
  std::string unknown_boot_status = "Pending";  ///< Accepted or Pending.
  int pending_retry_interval_s = 60;
  /// Stations auto-registered (accept_unknown) per minute at most; 0 = no cap.
  int max_unknown_per_min = 60;
  // Login throttling
  int auth_failure_limit = 5;
  int auth_failure_window_s = 60;
  // Admission control (docs/configuration.md has the reasons for the defaults)
  int max_upgrades_per_s = 2500;  ///< WebSocket upgrades let in per second; 0 = unlimited.
  int upgrade_burst = 2500;       ///< Upgrades let in at once after a quiet spell.
  int max_boots_per_s = 2500;     ///< Accepted BootNotifications per second; 0 = unlimited.
  int boot_burst = 2500;          ///< Boots accepted at once after a quiet spell.
  // Per-station limits
  int max_calls_per_s = 20;  ///< CALLs served per station and second; 0 = unlimited.
  int call_burst = 100;      ///< CALLs served at once after a quiet spell.
  /// Unanswered CALLs (queued or being handled) before more are refused; OCPP
  /// allows one.
  int max_calls_in_flight = 10;
  int flood_close_after = 50;       ///< Refused CALLs before the connection is closed (1008).
  int handshake_timeout_ms = 5000;  ///< An upgrade request not complete by then is dropped.
  // Carbon accounting (docs/carbon.md)
  std::string carbon_grid_series = "mee-nbs";  ///< Grid factor series: mee-nbs or ets.
  std::string carbon_fuel = "gasoline";        ///< The displaced car's fuel: gasoline or diesel.
  std::int64_t carbon_cap_points_per_session = 0;  ///< 0: no cap.
  std::int64_t carbon_cap_points_per_day = 0;      ///< Per account and UTC day; 0: no cap.
  int carbon_expiry_months = 0;  ///< Earned points expire after this many months (FIFO); 0: never.
  /// A session whose average power is above this is implausible: recorded, flagged, excluded.
  int carbon_max_plausible_kw = 1000;
  // TLS (docs/security.md): one server certificate for wss://, and for the
  // admin API and uploads when they are switched to TLS.
  int ocpp_tls_port = -1;  ///< wss:// port; -1: no TLS listener; 0: ephemeral.
  bool ocpp_plain = true;  ///< Keep the plain ws:// listener (profile-1 stations).
  /// The wss:// URL stations are sent by upgrade-security (SetNetworkProfile).
  std::string ocpp_tls_public_url;
  std::string tls_cert_file;       ///< Server certificate chain, PEM.
  std::string tls_key_file;        ///< Its private key, PEM.
  std::string tls_client_ca_file;  ///< CA(s) station client certificates chain to (profile 3).
  std::vector<std::string> tls_crl_files;  ///< CRLs checked on client certificates.
  bool admin_tls = false;    ///< Serve the admin API over HTTPS with the tls.* certificate.
  bool uploads_tls = false;  ///< Serve uploads over HTTPS with the tls.* certificate.
  // Station security (docs/security.md)
  std::string station_cert_cn = "identity";  ///< Client certificate CN: identity or serial.
  std::string organization;                  ///< Client certificate O; empty: not checked.
  /// Proxies whose X-Forwarded-For / PROXY v2 header names the real client.
  std::vector<std::string> trusted_proxies;
  // Station certificate authority (docs/security.md)
  std::string ca_cert_file;         ///< Empty: "ca/ca.pem" beside the database.
  std::string ca_key_file;          ///< Empty: "ca/ca.key" beside the database.
  std::string ca_external_command;  ///< Signs CSRs instead of the built-in CA when set.
  int ca_cert_validity_days = 365;  ///< Validity of station certificates signed here.
  int ca_renew_before_days = 30;    ///< Renew station certificates this close to expiry.
  // Alerts (docs/operations.md "Alerts and availability")
  int alerts_offline_after_s = 300;          ///< Disconnected this long: station_offline.
  int alerts_heartbeat_missing_after_s = 0;  ///< Connected but silent this long; 0: off.
  int alerts_stuck_after_s = 900;            ///< Preparing/Finishing this long; 0: off.
  int alerts_transaction_max_hours = 24;     ///< Transactions open longer; 0: off.
  int alerts_meter_silence_s = 3600;         ///< Transactions without meter values; 0: off.
  int alerts_boot_loop_count = 5;            ///< More boots in an hour: boot_loop; 0: off.
  int alerts_auth_failure_count = 10;        ///< Rejected authorizations at one station...
  int alerts_auth_failure_window_s = 600;    ///< ...within this many seconds.
  int alerts_check_interval_ms = 30000;      ///< How often the time-based checks run.
  std::string alerts_webhook_url;            ///< http:// or https://; empty: no webhook.
  std::string alerts_webhook_secret;         ///< HMAC key of X-CSMS-Signature; never logged.
  std::string alerts_webhook_secret_file;    ///< File holding the secret instead.
  int alerts_webhook_max_attempts = 8;       ///< Attempts per delivery before giving up.
  int alerts_webhook_backoff_ms = 1000;      ///< First retry delay, doubled each time.
  // Cluster (PostgreSQL only; docs/cluster.md)
  std::string cluster_node_id;      ///< Unique per node; empty: hostname + ":" + OCPP port.
  int cluster_heartbeat_s = 2;      ///< How often the node row's heartbeat is written.
  int cluster_node_timeout_s = 10;  ///< A heartbeat older than this: the node is dead.
  // Shutdown (SIGTERM/SIGINT drain)
  int shutdown_drain_rate_per_s = 200;  ///< Station connections closed (1001) per second.
  int shutdown_timeout_s = 30;          ///< The drain and flush end within this.
  // Logging
  std::string log_level = "info";
  std::string log_file;             ///< Empty: stderr; else appended to, reopened on SIGHUP.
  std::string log_format = "text";  ///< "text" or "json" (one object per line).
};

/// Parses `csms [--config FILE] [flags]`: defaults, then FILE (or nothing), then
/// flags. Throws std::invalid_argument naming the bad key or flag. Sets
/// `show_help` instead of throwing for --help.
Config parse_config(const std::vector<std::string>& args, bool& show_help);

/// The accepted subprotocols in order of preference, e.g. "ocpp2.0.1 or ocpp1.6".
std::string subprotocols_text(const Config& config);

/// The --help text.
std::string config_help();

}  // namespace csms
