#pragma once
// The admin API's routes and handlers, independent of the HTTP transport
// (admin_server.cpp feeds it parsed requests and writes its responses).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <optional>

#include "csms/admin/admin_server.hpp"
#include "csms/event_hub.hpp"
#include "csms/roles.hpp"
#include "storage/admin.hpp"

namespace csms::admin {

/// Largest request body the API reads (import files included).
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

/// A request as the router sees it: path segments percent-decoded.
struct ApiRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string method_name;
  std::vector<std::string> segments;                       ///< "/api/a%2Fb" -> {"api","a/b"}
  std::vector<std::pair<std::string, std::string>> query;  ///< Decoded, in order.
  std::string authorization;
  std::string body;
  std::string principal;  ///< The token's name, once the Api has checked it.
};

/// What to answer: status, content type, body and extra headers.
struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set for GET /api/stream: the transport sends these events as server-sent
  /// events until the client goes (status, body and headers are unused).
  std::shared_ptr<EventSubscription> stream;
};

/// Called exactly once per request, on the network thread.
using Reply = std::function<void(ApiResponse)>;

/// An error answer: HTTP status, message and (for 502) the station's CALLERROR code.
class ApiError : public std::runtime_error {
 public:
  ApiError(unsigned status, const std::string& message, std::string code = "")
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  unsigned status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  unsigned status_;
  std::string code_;
};

/// The JSON error response {"error": message[, "code": code]}.
ApiResponse error_response(unsigned status, std::string_view message, std::string_view code = "");

/// Splits an origin-form target ("/path?query") into decoded segments and query
/// pairs; throws ApiError(400) for anything else or a malformed %-escape.
void parse_target(std::string_view target, ApiRequest& request);

/// Who made a request: a token's name and role ("bootstrap" for the
/// configured token).
struct Principal {
  std::string name;
  Role role = Role::Viewer;
};

/// Routes requests to handlers. Network thread only; storage work runs on the
/// storage threads and every answer is posted back to the network thread.
class Api : public std::enable_shared_from_this<Api> {
 public:
  Api(boost::asio::io_context& io, std::string token, AdminDeps deps);

  /// Answers `request` through `reply` (possibly before returning).
  void handle(ApiRequest request, Reply reply);
  /// Whether an Authorization header carries a valid token (the bootstrap
  /// token or an unrevoked named one; constant time); `problem` says why not.
  /// The transport checks it before reading a body.
  bool authorized(const std::string& header, std::string& problem) const;
  /// The token's holder, or nullopt with `problem` saying why.
  std::optional<Principal> authenticate(const std::string& header, std::string& problem) const;
  /// Replaces the named tokens checked in memory with the unrevoked ones of
  /// `tokens` (at start, and after each create and revoke). Network thread, or
  /// before it runs.
  void load_tokens(const std::vector<storage::ApiToken>& tokens);
  /// The route table: method, path ("{}" for a placeholder) and required role.
  static std::vector<RouteInfo> route_table();
  /// Whether a request needs no token (/health, /openapi.json).
  static bool is_public(const ApiRequest& request);

 private:
  /// What a handler gets: the request, the {placeholders} of its route, the reply.
  struct Call {
    ApiRequest request;
    std::vector<std::string> params;
    Reply reply;
  };
  using Handler = void (Api::*)(Call&);
  struct Route {
    boost::beast::http::verb method;
    std::vector<std::string_view> pattern;  ///< "{}" matches any one segment.
    Handler handler;
    /// Who may call it; a route added without one is admin only (fail safe).
    Role role = Role::Admin;
  };
  /// What the audit log records of a request, gathered before it runs.
  struct AuditInfo {
    Principal who;
    bool authenticated = false;
    std::string method;
    std::string path;
    std::string target;
    std::string summary;
    bool command = false;
  };
  /// Appends the entry for `info` answered with `response` (never the token).
  void audit(const AuditInfo& info, const ApiResponse& response);
  /// The audit facts of `request` (secrets in its body masked).
  static AuditInfo audit_info(const ApiRequest& request, const std::vector<std::string>& params);
  /// Whether a refused (401) request may still be audited this minute: the
  /// log must not become a way to fill the disk without a token.
  bool refusal_audit_allowed();
  static const std::vector<Route>& routes();

  template <class T, class Work, class Then>
  void read(const Reply& reply, Work work, Then then);
  template <class T, class Work, class Then>
  void write(const Reply& reply, Work work, Then then);
  template <class Load, class Then>
  void read_station(const Reply& reply, const std::string& id, Load load, Then then);
  template <class Make>
  void finish(const Reply& reply, std::exception_ptr error, Make make);

  /// Closes `id`'s session after the operator changed its password, with a
  /// security event.
  void end_session_for_new_password(const std::string& id);
  /// The security profile `doc` asks for (securityProfile, allowDowngrade):
  /// nullopt when absent; 400 when not 1..3 or 2+ without a password, 409 when
  /// lower than the stored one without allowDowngrade (A00.FR.005, A05.FR.09).
  std::optional<int> wanted_profile(const rapidjson::Value& doc, const std::string& id,
                                    bool password_after);
  /// Logs and records an operator's lowering of a profile as a security event.
  void record_downgrade(const std::string& id, int from, int to);

  /// GET /console/...: the console's static files (no token: they hold no data).
  void console_file(const ApiRequest& request, const Reply& reply);
  /// GET /api/stream: live events (console_api.cpp).
  void event_stream(Call& call);
  void health(Call& call);
  void cluster(Call& call);
  void cluster_sessions(Call& call);
  void cluster_reply(Call& call, bool sessions);
  void reload_tls(Call& call);
  void metrics(Call& call);
  void list_commands(Call& call);
  void list_stations(Call& call);
  void get_station(Call& call);
  void station_variables(Call& call);
  // 2.0.1 reports in parts, from the notifications (station_reports.cpp shapes them).
  void station_display_messages(Call& call);
  void station_customer_information(Call& call);
  template <class Shape>
  void station_report(Call& call, const char* action, Shape shape);
  /// GET /api/stations/{id}/<things>: 404 for an unknown station, else the
  /// array `load(session, id)` reads, each item written by `write(out, item)`.
  template <class Load, class Write>
  void station_array(Call& call, Load load, Write write);
  void station_profiles(Call& call);
  void station_monitors(Call& call);
  void list_notifications(Call& call);
  void add_station(Call& call);
  void set_station_security(Call& call);
  void import_stations(Call& call);
  void remove_station(Call& call);
  void station_command(Call& call);
  void station_log(Call& call);
  void station_uptime(Call& call);
  void list_tokens(Call& call);
  void add_token(Call& call);
  void import_tokens(Call& call);
  void block_token(Call& call);
  void remove_token(Call& call);
  void list_transactions(Call& call);
  void get_transaction(Call& call);
  void list_events(Call& call);
  // Admin API tokens and the audit log (admin_tokens_api.cpp).
  void list_api_tokens(Call& call);
  void create_api_token(Call& call);
  void revoke_api_token(Call& call);
  void list_audit(Call& call);
  void whoami(Call& call);
  // Reservations and local lists (reservation_api.cpp).
  void list_reservations(Call& call);
  void station_local_list(Call& call);
  // Firmware and uploaded files (firmware_api.cpp).
  void station_firmware(Call& call);
  void list_files(Call& call);
  void get_file(Call& call);
  // Sites and the carbon feature (carbon_api.cpp).
  void list_sites(Call& call);
  void add_site(Call& call);
  void get_site(Call& call);
  void remove_site(Call& call);
  void add_green_certificates(Call& call);
  void set_station_carbon(Call& call);
  void list_factors(Call& call);
  void add_factor(Call& call);
  void carbon_transaction(Call& call);
  void carbon_account(Call& call);
  void carbon_ledger_operation(Call& call);
  void carbon_link(Call& call);
  void carbon_ledger(Call& call);
  void carbon_verify(Call& call);
  void carbon_report(Call& call);
  void carbon_bundle(Call& call);
  // Site energy management (energy_api.cpp).
  void site_energy(Call& call);
  void set_site_energy(Call& call);
  void list_circuits(Call& call);
  void add_circuit(Call& call);
  void remove_circuit(Call& call);
  void set_evse_energy(Call& call);
  void push_reading(Call& call);
  void site_decisions(Call& call);
  void list_meters(Call& call);
  void add_meter(Call& call);
  void remove_meter(Call& call);
  // The station certificate authority (ca_api.cpp).
  void ca_show(Call& call);
  void ca_init(Call& call);
  void ca_issue_server(Call& call);
  void station_certificates(Call& call);
  void revoke_station_certificate(Call& call);

  /// An unrevoked named token as checked in memory.
  struct KnownToken {
    std::string name;
    Role role = Role::Viewer;
    std::string hash;  ///< Raw SHA-256 (32 bytes).
  };
  // Smart O&M (alerts_api.cpp).
  void list_alerts(Call& call);
  void availability_report(Call& call);
  void close_transaction(Call& call);

  // Operations (backup_api.cpp, openapi.cpp).
  void backup(Call& call);
  void openapi(Call& call);

  boost::asio::io_context& io_;
  /// The reply of the backup in flight: held here, not by its thread, so a
  /// server shut down mid-backup is never touched from that thread.
  Reply backup_reply_;
  std::string token_;  ///< The bootstrap token ("" when none is configured).
  AdminDeps deps_;
  std::vector<KnownToken> tokens_;
  std::chrono::steady_clock::time_point refusal_window_{};
  std::size_t refusals_in_window_ = 0;
};

}  // namespace csms::admin
