#include "csms/config.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "ocpp/common/json.hpp"
#include "storage/cluster.hpp"
#include "storage/database.hpp"

namespace csms {

namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

std::int64_t to_int(const std::string& name, const std::string& text, std::int64_t lo,
                    std::int64_t hi) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < lo || v > hi)
    bad(name + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

// One setting: its JSON path in csms.json, its flag, and how to store a value.
struct Setting {
  const char* json_section;  // nullptr: top level
  const char* json_key;
  const char* flag;  // without "--"; nullptr: file only
  const char* help;
  std::function<void(Config&, const std::string& name, const std::string& value)> set;
};

std::function<void(Config&, const std::string&, const std::string&)> bool_field(
    bool Config::*field) {
  return [field](Config& c, const std::string& name, const std::string& v) {
    if (v != "true" && v != "false") bad(name + " must be true or false");
    c.*field = v == "true";
  };
}

// A list: a JSON array of strings in the file (json_scalar hands it over as
// "\n" followed by each item and a '\n'), or comma-separated on the command line.
std::function<void(Config&, const std::string&, const std::string&)> list_field(
    std::vector<std::string> Config::*field) {
  return [field](Config& c, const std::string& name, const std::string& v) {
    const bool from_file = !v.empty() && v.front() == '\n';
    std::vector<std::string> items;
    std::stringstream in(from_file ? v.substr(1) : v);
    for (std::string item; std::getline(in, item, from_file ? '\n' : ',');) {
      if (item.empty()) bad(name + " has an empty entry");
      items.push_back(item);
    }
    c.*field = std::move(items);
  };
}

template <class T>
std::function<void(Config&, const std::string&, const std::string&)> int_field(T Config::*field,
                                                                               std::int64_t lo,
                                                                               std::int64_t hi) {
  return [field, lo, hi](Config& c, const std::string& name, const std::string& v) {
    c.*field = static_cast<T>(to_int(name, v, lo, hi));
  };
}

std::function<void(Config&, const std::string&, const std::string&)> string_field(
    std::string Config::*field) {
  return [field](Config& c, const std::string& name, const std::string& v) {
    if (v.empty()) bad(name + " must not be empty");
    if (v.front() == '\n') bad(name + " must be a string, not a list");
    c.*field = v;
  };
}

std::function<void(Config&, const std::string&, const std::string&)> choice_field(
    std::string Config::*field, std::vector<std::string> choices) {
  return [field, choices](Config& c, const std::string& name, const std::string& v) {
    for (const auto& ch : choices) {
      if (ch == v) {
        c.*field = v;
        return;
      }
    }
    std::string list;
    for (const auto& ch : choices) list += (list.empty() ? "" : ", ") + ch;
    bad(name + " must be one of " + list);
  };
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"ocpp", "host", "ocpp-host", "address the OCPP WebSocket listener binds (0.0.0.0)",
       string_field(&Config::ocpp_host)},
      {"ocpp", "port", "ocpp-port", "OCPP WebSocket port (8180; 0 = ephemeral)",
       int_field(&Config::ocpp_port, 0, 65535)},
      {"ocpp", "path_prefix", "path-prefix", "URL path before the station id (/ocpp/)",
       [](Config& c, const std::string& name, const std::string& v) {
         if (v.empty() || v.front() != '/' || v.back() != '/')
           bad(name + " must start and end with '/'");
         c.path_prefix = v;
       }},
      {"ocpp", "max_message_size", "max-message-size",
       "largest WebSocket message in bytes; larger closes with 1009 (65536)",
       int_field(&Config::max_message_size, 1024, 16 * 1024 * 1024)},
      {"server", "io_threads", "io-threads",
       "threads for the connections' TLS, framing and parsing; 0 = none (the machine's cores, "
       "at most 8)",
       int_field(&Config::io_threads, 0, 64)},
      {"ocpp", "ping_interval_s", "ping-interval", "WebSocket ping period in seconds, 0 = off (30)",
       int_field(&Config::ping_interval_s, 0, 86400)},
      {"ocpp", "pong_timeout_s", "pong-timeout",
       "seconds without a pong before a connection counts as dead (10)",
       int_field(&Config::pong_timeout_s, 1, 3600)},
      {"ocpp", "versions", "ocpp-versions",
       "OCPP versions accepted, most preferred first, comma-separated (2.0.1,1.6)",
       [](Config& c, const std::string& name, const std::string& v) {
         std::vector<ocpp::Version> versions;
         std::stringstream list(v);
         for (std::string item; std::getline(list, item, ',');) {
           auto version = ocpp::version_from_subprotocol("ocpp" + item);
           if (!version) bad(name + ": unknown OCPP version '" + item + "'; use 2.0.1 and/or 1.6");
           for (auto seen : versions)
             if (seen == *version) bad(name + ": " + item + " is listed twice");
           versions.push_back(*version);
         }
         if (versions.empty()) bad(name + " must name at least one version");
         c.ocpp_versions = versions;
       }},
      {"ocpp", "heartbeat_interval_s", "heartbeat-interval",
       "Heartbeat interval given to accepted stations, seconds (300)",
       int_field(&Config::heartbeat_interval_s, 1, 86400)},
      {"ocpp", "call_timeout_s", "call-timeout",
       "seconds to wait for a station's answer to a CSMS command (30)",
       int_field(&Config::call_timeout_s, 1, 3600)},
      {"ocpp", "max_bad_frames", "max-bad-frames",
       "malformed or unexpected messages within a minute before a connection is closed (10)",
       int_field(&Config::max_bad_frames, 1, 1000000)},
      {"registration", "accept_unknown", nullptr,
       "auto-register stations that are not registered (false)",
       [](Config& c, const std::string& name, const std::string& v) {
         if (v != "true" && v != "false") bad(name + " must be true or false");
         c.accept_unknown = v == "true";
       }},
      {"registration", "unknown_boot_status", "unknown-boot-status",
       "BootNotification answer for auto-registered stations: Accepted or Pending (Pending)",
       choice_field(&Config::unknown_boot_status, {"Accepted", "Pending"})},
      {"registration", "max_unknown_per_min", "max-unknown-per-min",
       "most unknown stations auto-registered per minute, more get 429; 0 = no cap (60)",
       int_field(&Config::max_unknown_per_min, 0, 1000000)},
      {"registration", "pending_retry_interval_s", "pending-retry-interval",
       "interval given with a Pending boot answer, seconds (60)",
       int_field(&Config::pending_retry_interval_s, 1, 86400)},
      {"security", "auth_failure_limit", "auth-failure-limit",
       "failed logins per identity and address before throttling, 10x per address (5)",
       int_field(&Config::auth_failure_limit, 1, 1000000)},
      {"security", "auth_failure_window_s", "auth-failure-window",
       "window of the failed-login count, seconds (60)",
       int_field(&Config::auth_failure_window_s, 1, 86400)},
      {"admission", "max_upgrades_per_s", "max-upgrades-per-s",
       "WebSocket upgrades let in per second, more get 503; 0 = unlimited (2500)",
       int_field(&Config::max_upgrades_per_s, 0, 1000000)},
      {"admission", "upgrade_burst", "upgrade-burst",
       "upgrades let in at once after a quiet spell (2500)",
       int_field(&Config::upgrade_burst, 1, 10000000)},
      {"admission", "max_boots_per_s", "max-boots-per-s",
       "BootNotifications accepted per second, more are answered Pending; 0 = unlimited (2500)",
       int_field(&Config::max_boots_per_s, 0, 1000000)},
      {"admission", "boot_burst", "boot-burst",
       "BootNotifications accepted at once after a quiet spell (2500)",
       int_field(&Config::boot_burst, 1, 10000000)},
      {"limits", "max_calls_per_s", "max-calls-per-s",
       "CALLs served per station and second, faster ones wait; 0 = unlimited (20)",
       int_field(&Config::max_calls_per_s, 0, 1000000)},
      {"limits", "call_burst", "call-burst",
       "CALLs a station may send at once after a quiet spell (100)",
       int_field(&Config::call_burst, 1, 1000000)},
      {"limits", "max_calls_in_flight", "max-calls-in-flight",
       "unanswered CALLs per station before more are refused (10)",
       int_field(&Config::max_calls_in_flight, 1, 10000)},
      {"limits", "flood_close_after", "flood-close-after",
       "refused CALLs before the station's connection is closed with 1008 (50)",
       int_field(&Config::flood_close_after, 1, 1000000)},
      {"limits", "handshake_timeout_ms", "handshake-timeout",
       "milliseconds a client has to complete its WebSocket upgrade request (5000)",
       int_field(&Config::handshake_timeout_ms, 100, 600000)},
      {"admin", "host", "admin-host", "address of the admin API (127.0.0.1)",
       string_field(&Config::admin_host)},
      {"admin", "port", "admin-port", "admin API port (8181; 0 = ephemeral)",
       int_field(&Config::admin_port, 0, 65535)},
      {"admin", "token", "admin-token",
       "bearer token of the admin API (else CSMS_ADMIN_TOKEN, else token_file)",
       string_field(&Config::admin_token)},
      {"admin", "token_file", "admin-token-file",
       "file holding the admin token; created with a random token if missing",
       string_field(&Config::admin_token_file)},
      {"uploads", "listen", "uploads-listen",
       "host:port of the listener stations upload files to (0.0.0.0:8182)",
       [](Config& c, const std::string& name, const std::string& v) {
         const auto colon = v.rfind(':');
         if (colon == std::string::npos || colon == 0)
           bad(name + " must be host:port, e.g. 0.0.0.0:8182");
         to_int(name + " port", v.substr(colon + 1), 0, 65535);
         c.uploads_listen = v;
       }},
      {"uploads", "public_url", "uploads-public-url",
       "base URL stations are told to upload to (http://<listen address>)",
       [](Config& c, const std::string& name, const std::string& v) {
         if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
           bad(name + " must start with http:// or https://");
         c.uploads_public_url = v;
         while (!c.uploads_public_url.empty() && c.uploads_public_url.back() == '/')
           c.uploads_public_url.pop_back();
       }},
      {"uploads", "dir", "uploads-dir", "directory of uploaded files (uploads beside the database)",
       string_field(&Config::uploads_dir)},
      {"uploads", "max_bytes", "uploads-max-bytes",
       "largest file a station may upload; larger gets 413 (67108864)",
       int_field(&Config::uploads_max_bytes, 1, std::int64_t{1} << 40)},
      {"uploads", "token_ttl_s", "uploads-token-ttl", "seconds an upload URL stays valid (3600)",
       int_field(&Config::uploads_token_ttl_s, 1, 30 * 86400)},
      {"database", "path", "db",
       "SQLite database file, or a postgresql:// URL as database.url (data/csms.db)",
       string_field(&Config::db_path)},
      {"database", "url", "db-url",
       "database URL: postgresql://user:password@host/db, sqlite:PATH or a path "
       "(database.path)",
       string_field(&Config::db_url)},
      {"database", "message_log_retention_days", "message-log-retention",
       "days to keep the message log, 0 = forever (30)",
       int_field(&Config::message_log_retention_days, 0, 36500)},
      {"retention", "message_log_days", "message-log-days",
       "days to keep the message log, 0 = forever; database.message_log_retention_days "
       "(30)",
       int_field(&Config::message_log_retention_days, 0, 36500)},
      {"retention", "meter_raw_days", "meter-raw-days",
       "days to keep raw meter samples before 15-minute rollups replace them, 0 = forever (7)",
       int_field(&Config::meter_raw_retention_days, 0, 36500)},
      {"retention", "interval_s", "retention-interval",
       "seconds between runs of the retention job (300)",
       int_field(&Config::retention_interval_s, 1, 86400)},
      {"retention", "batch_rows", "retention-batch",
       "most rows one retention run rolls up or deletes, per table (2000)",
       int_field(&Config::retention_batch_rows, 1, 1000000)},
      {"database", "busy_timeout_ms", "db-busy-timeout",
       "ms a write waits for a lock held by another process (2000)",
       int_field(&Config::db_busy_timeout_ms, 0, 600000)},
      {"database", "max_bytes", "db-max-bytes",
       "largest size of the database file in bytes, 0 = no limit (0)",
       int_field(&Config::db_max_bytes, 0, std::int64_t{1} << 50)},
      {"carbon", "grid_series", "carbon-grid-series",
       "grid emission factor series: mee-nbs or ets (mee-nbs)",
       choice_field(&Config::carbon_grid_series, {"mee-nbs", "ets"})},
      {"carbon", "fuel", "carbon-fuel", "fuel of the displaced car: gasoline or diesel (gasoline)",
       choice_field(&Config::carbon_fuel, {"gasoline", "diesel"})},
      {"carbon", "cap_points_per_session", "carbon-cap-session",
       "most carbon points one session earns, 0 = no cap (0)",
       int_field(&Config::carbon_cap_points_per_session, 0, std::int64_t{1} << 40)},
      {"carbon", "cap_points_per_day", "carbon-cap-day",
       "most carbon points an account earns per UTC day, 0 = no cap (0)",
       int_field(&Config::carbon_cap_points_per_day, 0, std::int64_t{1} << 40)},
      {"carbon", "expiry_months", "carbon-expiry-months",
       "months after which earned points expire, oldest first; 0 = never (0)",
       int_field(&Config::carbon_expiry_months, 0, 1200)},
      {"carbon", "max_plausible_kw", "carbon-max-plausible-kw",
       "average session power above which its energy is implausible and excluded (1000)",
       int_field(&Config::carbon_max_plausible_kw, 1, 100000)},
      {"ocpp", "tls_port", "ocpp-tls-port",
       "wss:// (TLS) port for security profiles 2 and 3; -1 = off, 0 = ephemeral (-1)",
       int_field(&Config::ocpp_tls_port, -1, 65535)},
      {"ocpp", "plain", "ocpp-plain",
       "keep the plain ws:// listener for profile-1 stations: true or false (true)",
       bool_field(&Config::ocpp_plain)},
      {"ocpp", "tls_public_url", "ocpp-tls-public-url",
       "wss:// URL stations reach the TLS listener at, sent by upgrade-security, e.g. "
       "wss://csms.example.com:8443/ocpp/ (empty)",
       string_field(&Config::ocpp_tls_public_url)},
      {"tls", "cert_file", "tls-cert", "server certificate chain, PEM (reloaded on SIGHUP)",
       string_field(&Config::tls_cert_file)},
      {"tls", "key_file", "tls-key", "server private key, PEM",
       string_field(&Config::tls_key_file)},
      {"tls", "client_ca_file", "tls-client-ca",
       "CA certificates that station client certificates must chain to (profile 3)",
       string_field(&Config::tls_client_ca_file)},
      {"tls", "crl_files", "tls-crl", "CRLs checked on client certificates, a list",
       list_field(&Config::tls_crl_files)},
      {"admin", "tls", "admin-tls", "serve the admin API over HTTPS with tls.cert_file (false)",
       bool_field(&Config::admin_tls)},
      {"uploads", "tls", "uploads-tls", "serve uploads over HTTPS with tls.cert_file (false)",
       bool_field(&Config::uploads_tls)},
      {"security", "station_cert_cn", "station-cert-cn",
       "what a station certificate's CN must equal: identity or serial (identity)",
       choice_field(&Config::station_cert_cn, {"identity", "serial"})},
      {"security", "organization", "organization",
       "the operator's organisation: O of station certificates (empty: not checked)",
       string_field(&Config::organization)},
      {"network", "trusted_proxies", "trusted-proxies",
       "proxies (addresses or CIDRs) whose X-Forwarded-For / PROXY v2 header is believed",
       list_field(&Config::trusted_proxies)},
      {"ca", "cert_file", "ca-cert", "station CA certificate, PEM (ca/ca.pem beside the database)",
       string_field(&Config::ca_cert_file)},
      {"ca", "key_file", "ca-key", "station CA private key, PEM (ca/ca.key beside the database)",
       string_field(&Config::ca_key_file)},
      {"ca", "external_command", "ca-external-command",
       "command that signs station CSRs (CSR on stdin, PEM chain on stdout) instead of the CA",
       string_field(&Config::ca_external_command)},
      {"ca", "cert_validity_days", "ca-cert-validity-days",
       "validity of station certificates signed by the CA, days (365)",
       int_field(&Config::ca_cert_validity_days, 1, 3650)},
      {"ca", "renew_before_days", "ca-renew-before-days",
       "renew station certificates this many days before they expire (30)",
       int_field(&Config::ca_renew_before_days, 1, 3650)},
      {"alerts", "offline_after_s", "alerts-offline-after",
       "seconds a station may be disconnected before station_offline opens; 0 = off (300)",
       int_field(&Config::alerts_offline_after_s, 0, 30 * 86400)},
      {"alerts", "heartbeat_missing_after_s", "alerts-heartbeat-missing-after",
       "seconds a connected station may send nothing before heartbeat_missing; 0 = off (0)",
       int_field(&Config::alerts_heartbeat_missing_after_s, 0, 30 * 86400)},
      {"alerts", "stuck_after_s", "alerts-stuck-after",
       "seconds a connector may stay Preparing or Finishing; 0 = off (900)",
       int_field(&Config::alerts_stuck_after_s, 0, 30 * 86400)},
      {"alerts", "transaction_max_hours", "alerts-transaction-max-hours",
       "hours a transaction may stay open before transaction_long; 0 = off (24)",
       int_field(&Config::alerts_transaction_max_hours, 0, 24 * 365)},
      {"alerts", "meter_silence_s", "alerts-meter-silence",
       "seconds an open transaction may go without meter values; 0 = off (3600)",
       int_field(&Config::alerts_meter_silence_s, 0, 30 * 86400)},
      {"alerts", "boot_loop_count", "alerts-boot-loop-count",
       "more boots than this within an hour open boot_loop; 0 = off (5)",
       int_field(&Config::alerts_boot_loop_count, 0, 100000)},
      {"alerts", "auth_failure_count", "alerts-auth-failure-count",
       "rejected authorizations at one station within the window that open an alert; 0 = off (10)",
       int_field(&Config::alerts_auth_failure_count, 0, 1000000)},
      {"alerts", "auth_failure_window_s", "alerts-auth-failure-window",
       "window of alerts.auth_failure_count, seconds (600)",
       int_field(&Config::alerts_auth_failure_window_s, 1, 30 * 86400)},
      {"alerts", "check_interval_ms", "alerts-check-interval",
       "how often the time-based alert checks run, milliseconds (30000)",
       int_field(&Config::alerts_check_interval_ms, 100, 3600000)},
      {"alerts", "webhook_url", "alerts-webhook-url",
       "http:// or https:// URL each alert opening and closing is POSTed to (none)",
       [](Config& c, const std::string& name, const std::string& v) {
         if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
           bad(name + " must start with http:// or https://");
         c.alerts_webhook_url = v;
       }},
      {"alerts", "webhook_secret", "alerts-webhook-secret",
       "HMAC-SHA256 key of the X-CSMS-Signature header (else webhook_secret_file)",
       string_field(&Config::alerts_webhook_secret)},
      {"alerts", "webhook_secret_file", "alerts-webhook-secret-file",
       "file holding the webhook secret (its first line)",
       string_field(&Config::alerts_webhook_secret_file)},
      {"alerts", "webhook_max_attempts", "alerts-webhook-max-attempts",
       "attempts per webhook delivery before it is given up (8)",
       int_field(&Config::alerts_webhook_max_attempts, 1, 100)},
      {"alerts", "webhook_backoff_ms", "alerts-webhook-backoff",
       "first webhook retry delay in ms, doubled per attempt up to 5 minutes (1000)",
       int_field(&Config::alerts_webhook_backoff_ms, 1, 300000)},
      {nullptr, "log_level", "log-level", "trace, debug, info, warn or error (info)",
       choice_field(&Config::log_level, {"trace", "debug", "info", "warn", "error"})},
      {"log", "file", "log-file",
       "append the log to this file instead of stderr; reopened on SIGHUP (stderr)",
       string_field(&Config::log_file)},
      {"log", "format", "log-format", "text, or json for one JSON object per line (text)",
       choice_field(&Config::log_format, {"text", "json"})},
      {"cluster", "node_id", "node-id",
       "this node's id in a PostgreSQL cluster, unique, A-Z a-z 0-9 . _ : - (hostname:OCPP port)",
       [](Config& c, const std::string& name, const std::string& v) {
         if (auto problem = storage::check_node_id(v); !problem.empty())
           bad(name + ": " + problem.substr(problem.find(' ') + 1));
         c.cluster_node_id = v;
       }},
      {"cluster", "heartbeat_s", "cluster-heartbeat",
       "seconds between a cluster node's heartbeats (2)",
       int_field(&Config::cluster_heartbeat_s, 1, 60)},
      {"cluster", "node_timeout_s", "cluster-node-timeout",
       "seconds without a heartbeat after which a cluster node counts as dead (10)",
       int_field(&Config::cluster_node_timeout_s, 2, 600)},
      {"shutdown", "drain_rate_per_s", "shutdown-drain-rate",
       "station connections closed with 1001 per second on SIGTERM (200)",
       int_field(&Config::shutdown_drain_rate_per_s, 1, 1000000)},
      {"shutdown", "timeout_s", "shutdown-timeout",
       "seconds within which a SIGTERM drain and flush end and csms exits (30)",
       int_field(&Config::shutdown_timeout_s, 2, 3600)},
  };
  return all;
}

/// database.url wins over database.path (which may hold a URL too, as --db
/// does): PostgreSQL keeps the URL in db_url and db_path as the anchor of the
/// local files; SQLite's file ends up in db_path and db_url is cleared.
void resolve_database(Config& c) {
  const Config defaults;
  const std::string url = c.db_url.empty() ? c.db_path : c.db_url;
  storage::DatabaseUrl parsed;
  try {
    parsed = storage::parse_database_url(url);
  } catch (const std::exception& e) {
    bad(e.what());
  }
  if (parsed.backend == storage::Backend::Postgres) {
    c.db_url = url;
    if (c.db_path == url) c.db_path = defaults.db_path;
  } else {
    c.db_path = parsed.target;
    c.db_url.clear();
  }
}

std::string json_scalar(const rapidjson::Value& v) {
  if (v.IsString()) return v.GetString();
  if (v.IsArray()) {            // a list of strings for list_field: each ends with '\n'
    std::string joined = "\n";  // marks a list even when empty
    for (const auto& item : v.GetArray()) {
      if (!item.IsString()) return "\x01";
      joined += item.GetString();
      joined += '\n';
    }
    return joined;
  }
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  return "\x01";  // not a scalar we take: the setter reports it
}

void apply_file(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) bad("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  rapidjson::Document doc;
  if (const auto parsed = ocpp::parse_json(text, doc, ocpp::JsonComments::Allowed);
      parsed.IsError())
    bad(path + ": invalid JSON at offset " + std::to_string(parsed.Offset()) + ": " +
        rapidjson::GetParseError_En(parsed.Code()));
  if (!doc.IsObject()) bad(path + ": must be a JSON object");
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string key = it->name.GetString();
    if (key.rfind("_", 0) == 0) continue;  // "_comment" and friends
    bool known = false;
    for (const auto& s : settings()) {
      if (s.json_section == nullptr && key == s.json_key) {
        known = true;
        std::string v = json_scalar(it->value);
        if (v == "\x01") bad(path + ": " + key + " must be a string, number, boolean or list");
        s.set(c, path + ": " + key, v);
      } else if (s.json_section != nullptr && key == s.json_section) {
        known = true;
      }
    }
    if (!known) bad(path + ": unknown key '" + key + "'");
    if (!it->value.IsObject()) continue;
    for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
      std::string sub = m->name.GetString();
      if (sub.rfind("_", 0) == 0) continue;
      const Setting* found = nullptr;
      for (const auto& s : settings())
        if (s.json_section != nullptr && key == s.json_section && sub == s.json_key) found = &s;
      if (found == nullptr) bad(path + ": unknown key '" + key + "." + sub + "'");
      std::string v = json_scalar(m->value);
      if (v == "\x01") bad(path + ": " + key + "." + sub + " must be a string, number or boolean");
      found->set(c, path + ": " + key + "." + sub, v);
    }
  }
}

}  // namespace

std::string subprotocols_text(const Config& config) {
  std::string text;
  for (auto v : config.ocpp_versions)
    text += (text.empty() ? "" : " or ") + std::string(ocpp::subprotocol(v));
  return text;
}

Config parse_config(const std::vector<std::string>& args, bool& show_help) {
  Config c;
  show_help = false;
  // The file first, so flags override it wherever they stand.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) bad("--config needs a file");
      apply_file(c, args[i + 1]);
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      show_help = true;
      return c;
    }
    if (a == "--config") {
      ++i;
      continue;
    }
    if (a == "--accept-unknown") {
      c.accept_unknown = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) bad("unexpected argument '" + a + "' (see --help)");
    std::string name = a.substr(2), value;
    auto eq = name.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Setting* found = nullptr;
    for (const auto& s : settings())
      if (s.flag != nullptr && name == s.flag) found = &s;
    if (found == nullptr) bad("unknown option --" + name + " (see --help)");
    if (!inline_value) {
      if (i + 1 >= args.size()) bad("--" + name + " needs a value");
      value = args[++i];
    }
    found->set(c, "--" + name, value);
  }
  if (c.admin_token.empty()) {
    if (const char* env = std::getenv("CSMS_ADMIN_TOKEN"); env != nullptr && *env != '\0')
      c.admin_token = env;
  }
  resolve_database(c);
  if (!c.ocpp_plain && c.ocpp_tls_port < 0)
    bad("ocpp.plain is false and ocpp.tls_port is -1: no OCPP listener left");
  if ((c.ocpp_tls_port >= 0 || c.admin_tls || c.uploads_tls) &&
      (c.tls_cert_file.empty() || c.tls_key_file.empty()))
    bad("TLS (ocpp.tls_port, admin.tls or uploads.tls) needs tls.cert_file and tls.key_file");
  // A node must heartbeat several times within the timeout, or a live one
  // would be counted dead between two beats.
  if (c.cluster_heartbeat_s * 2 > c.cluster_node_timeout_s)
    bad("cluster.heartbeat_s (" + std::to_string(c.cluster_heartbeat_s) +
        ") must be at most half of cluster.node_timeout_s (" +
        std::to_string(c.cluster_node_timeout_s) + ")");
  return c;
}

std::string config_help() {
  std::string out =
      "usage: csms [--config FILE] [options]\n\n"
      "The OCPP central system. Settings come from FILE (JSON, see config/csms.json),\n"
      "then from these options, which override it.\n\n"
      "  --config FILE                 configuration file\n"
      "  --accept-unknown              same as --accept-unknown true\n";
  for (const auto& s : settings()) {
    if (s.flag == nullptr) continue;
    std::string flag = std::string("  --") + s.flag + " V";
    if (flag.size() < 32) flag.resize(32, ' ');
    std::string key = s.json_section ? std::string(s.json_section) + "." + s.json_key : s.json_key;
    out += flag + s.help + " [" + key + "]\n";
  }
  out += "  --help                        this text\n";
  return out;
}

}  // namespace csms
