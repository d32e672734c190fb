#include "admin/api.hpp"
#include "admin/bodies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <utility>

#include <boost/asio/post.hpp>

#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "admin/station_reports.hpp"
#include "admin/text.hpp"
#include "csms/identity.hpp"
#include "csms/log.hpp"
#include "csms/version.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace http = boost::beast::http;
using storage::DateTime;

namespace {

constexpr std::size_t kMaxTagChars = 36;  // 2.0.1 IdToken; 1.6 idTag allows only 20.

void check_tag(const std::string& tag, const char* name, const std::string& where) {
  const std::size_t chars = ocpp::utf8_length(tag);
  if (chars < 1 || chars > kMaxTagChars)
    throw ApiError(400, where + name + " must be 1 to 36 characters, got " + std::to_string(chars));
  for (char c : tag) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw ApiError(400, where + name + " must not contain control characters");
  }
}

// One id tag object of POST /api/idtags or of the import array.
storage::IdToken parse_token(const rapidjson::Value& v, const std::string& where) {
  expect_object(v, where, bodies::idtag);
  storage::IdToken t;
  t.id_tag = required_string(v, "idTag", where);
  check_tag(t.id_tag, "idTag", where);
  if (auto status = optional_string(v, "status", where)) {
    auto parsed = storage::token_status_from_string(*status);
    // ConcurrentTx is an answer to a station, never a stored state.
    if (!parsed || *parsed == storage::TokenStatus::ConcurrentTx)
      throw ApiError(400, where + "status must be Accepted, Blocked, Expired or Invalid, not " +
                              quoted(*status));
    t.status = *parsed;
  }
  if (auto expiry = optional_string(v, "expiry", where)) {
    t.expiry = DateTime::parse(*expiry);
    if (!t.expiry)
      throw ApiError(400, where + "expiry: " + quoted(*expiry) +
                              " is not an RFC 3339 date-time (e.g. 2030-01-01T00:00:00Z)");
  }
  if (auto parent = optional_string(v, "parentIdTag", where)) {
    check_tag(*parent, "parentIdTag", where);
    t.parent_id_tag = *parent;
  }
  return t;
}

// Stores `t`, keeping the creation time of an existing row (`t` becomes what was
// stored); true if it is new.
bool upsert_token(storage::Session& s, storage::IdToken& t, const DateTime& now) {
  auto existing = s.tokens.get(t.id_tag);
  t.created_at = existing ? existing->created_at : now;
  t.updated_at = now;
  s.tokens.put(t);
  return !existing;
}

std::string station_json(const storage::Station& st, bool connected) {
  JsonOut out;
  out.object();
  station_fields(out, st, connected);
  out.end_object();
  return out.text();
}

std::string token_json(const storage::IdToken& t) {
  JsonOut out;
  token_object(out, t);
  return out.text();
}

ApiResponse command_response(const CommandResult& r, const std::string& station,
                             const std::string& name) {
  auto message = [&](std::string fallback) { return r.message.empty() ? fallback : r.message; };
  switch (r.error) {
    case CommandError::None: {
      JsonOut out;
      out.object().key("action").str(r.action).key("response");
      rapidjson::Document doc;
      if (r.response_json.empty() || ocpp::parse_json(r.response_json, doc).IsError()) {
        out.null();
      } else {
        out.value(doc);
      }
      out.end_object();
      return json_response(200, out.text());
    }
    case CommandError::UnknownStation:
      return error_response(404, message("station " + quoted(station) + " is not registered"));
    case CommandError::Offline:
      return error_response(409, message("station " + quoted(station) + " is not connected"));
    case CommandError::InvalidArgument:
      return error_response(400, message("invalid parameters for " + name));
    case CommandError::Unsupported:
      return error_response(400, message("command " + quoted(name) + " is not supported"));
    case CommandError::Timeout:
      return error_response(
          504, message("station " + quoted(station) + " did not answer " + name + " in time"));
    case CommandError::CallError:
      return error_response(502, message("station " + quoted(station) + " answered a CALLERROR"),
                            r.error_code.empty() ? "GenericError" : r.error_code);
    case CommandError::Internal:
      break;
  }
  return error_response(500, message("internal error running " + name));
}

}  // namespace

ApiResponse error_response(unsigned status, std::string_view message, std::string_view code) {
  JsonOut out;
  out.object().key("error").str(message);
  if (!code.empty()) out.key("code").str(code);
  out.end_object();
  return json_response(status, out.text());
}

void parse_target(std::string_view target, ApiRequest& request) {
  if (target.empty() || target.front() != '/')
    throw ApiError(400, "the request target must be a path starting with /");
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);

  request.segments.clear();
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // Split before decoding, so an encoded '/' (%2F) stays inside its segment.
  while (!path.empty() || !request.segments.empty()) {
    const auto slash = path.find('/');
    auto decoded = percent_decode(path.substr(0, slash), false);
    if (!decoded) throw ApiError(400, "malformed percent-encoding in the path");
    request.segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }

  request.query.clear();
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) throw ApiError(400, "malformed percent-encoding in the query string");
    request.query.emplace_back(std::move(*name), std::move(*value));
  }
}

// ---------------------------------------------------------------------------
// Routing

Api::Api(boost::asio::io_context& io, std::string token, AdminDeps deps)
    : io_(io), token_(std::move(token)), deps_(deps) {}

const std::vector<Api::Route>& Api::routes() {
  using V = http::verb;
  // Literal routes come before placeholder routes of the same shape.
  using R = Role;
  // Every route states the least role that may call it: reads are viewer,
  // changes and station commands operator (a command may need more: see
  // command_role_for), tokens, audit and security settings admin.
  static const std::vector<Route> table = {
      {V::get, {"health"}, &Api::health, R::Viewer},
      {V::get, {"openapi.json"}, &Api::openapi, R::Viewer},
      {V::get, {"metrics"}, &Api::metrics, R::Viewer},
      {V::get, {"api", "commands"}, &Api::list_commands, R::Viewer},
      {V::get, {"api", "cluster"}, &Api::cluster, R::Viewer},
      {V::get, {"api", "cluster", "sessions"}, &Api::cluster_sessions, R::Viewer},
      {V::get, {"api", "stream"}, &Api::event_stream, R::Viewer},
      {V::get, {"api", "stations"}, &Api::list_stations, R::Viewer},
      {V::post, {"api", "stations"}, &Api::add_station, R::Operator},
      {V::post, {"api", "stations", "import"}, &Api::import_stations, R::Operator},
      {V::get, {"api", "stations", "{}"}, &Api::get_station, R::Viewer},
      {V::delete_, {"api", "stations", "{}"}, &Api::remove_station, R::Operator},
      {V::post, {"api", "stations", "{}", "security"}, &Api::set_station_security, R::Admin},
      {V::post, {"api", "stations", "{}", "commands", "{}"}, &Api::station_command, R::Operator},
      {V::get, {"api", "stations", "{}", "log"}, &Api::station_log, R::Viewer},
      {V::get, {"api", "stations", "{}", "uptime"}, &Api::station_uptime, R::Viewer},
      {V::get, {"api", "stations", "{}", "variables"}, &Api::station_variables, R::Viewer},
      {V::get,
       {"api", "stations", "{}", "display-messages"},
       &Api::station_display_messages,
       R::Viewer},
      {V::get,
       {"api", "stations", "{}", "customer-information"},
       &Api::station_customer_information,
       R::Viewer},
      {V::get, {"api", "stations", "{}", "profiles"}, &Api::station_profiles, R::Viewer},
      {V::get, {"api", "stations", "{}", "monitors"}, &Api::station_monitors, R::Viewer},
      {V::get, {"api", "notifications"}, &Api::list_notifications, R::Viewer},
      {V::get, {"api", "idtags"}, &Api::list_tokens, R::Viewer},
      {V::post, {"api", "idtags"}, &Api::add_token, R::Operator},
      {V::post, {"api", "idtags", "import"}, &Api::import_tokens, R::Operator},
      {V::post, {"api", "idtags", "{}", "block"}, &Api::block_token, R::Operator},
      {V::delete_, {"api", "idtags", "{}"}, &Api::remove_token, R::Operator},
      {V::get, {"api", "transactions"}, &Api::list_transactions, R::Viewer},
      {V::get, {"api", "transactions", "{}"}, &Api::get_transaction, R::Viewer},
      {V::get, {"api", "events"}, &Api::list_events, R::Viewer},
      {V::get, {"api", "reservations"}, &Api::list_reservations, R::Viewer},
      {V::get, {"api", "stations", "{}", "local-list"}, &Api::station_local_list, R::Viewer},
      {V::get, {"api", "stations", "{}", "firmware"}, &Api::station_firmware, R::Viewer},
      {V::get, {"api", "files"}, &Api::list_files, R::Viewer},
      {V::get, {"api", "files", "{}"}, &Api::get_file, R::Viewer},
      {V::get, {"api", "sites"}, &Api::list_sites, R::Viewer},
      {V::post, {"api", "sites"}, &Api::add_site, R::Operator},
      {V::get, {"api", "sites", "{}"}, &Api::get_site, R::Viewer},
      {V::delete_, {"api", "sites", "{}"}, &Api::remove_site, R::Operator},
      {V::post,
       {"api", "sites", "{}", "green-certificates"},
       &Api::add_green_certificates,
       R::Operator},
      {V::post, {"api", "stations", "{}", "carbon"}, &Api::set_station_carbon, R::Operator},
      {V::get, {"api", "carbon", "factors"}, &Api::list_factors, R::Viewer},
      {V::post, {"api", "carbon", "factors"}, &Api::add_factor, R::Operator},
      {V::get, {"api", "carbon", "transactions", "{}"}, &Api::carbon_transaction, R::Viewer},
      {V::get, {"api", "carbon", "accounts", "{}"}, &Api::carbon_account, R::Viewer},
      {V::post,
       {"api", "carbon", "accounts", "{}", "{}"},
       &Api::carbon_ledger_operation,
       R::Operator},
      {V::post, {"api", "carbon", "links"}, &Api::carbon_link, R::Operator},
      {V::get, {"api", "carbon", "ledger"}, &Api::carbon_ledger, R::Viewer},
      {V::get, {"api", "carbon", "verify"}, &Api::carbon_verify, R::Viewer},
      {V::get, {"api", "carbon", "report"}, &Api::carbon_report, R::Viewer},
      {V::get, {"api", "carbon", "bundle"}, &Api::carbon_bundle, R::Viewer},
      {V::get, {"api", "sites", "{}", "energy"}, &Api::site_energy, R::Viewer},
      {V::post, {"api", "sites", "{}", "energy"}, &Api::set_site_energy, R::Operator},
      {V::get, {"api", "sites", "{}", "circuits"}, &Api::list_circuits, R::Viewer},
      {V::post, {"api", "sites", "{}", "circuits"}, &Api::add_circuit, R::Operator},
      {V::delete_, {"api", "sites", "{}", "circuits", "{}"}, &Api::remove_circuit, R::Operator},
      {V::post,
       {"api", "stations", "{}", "evses", "{}", "energy"},
       &Api::set_evse_energy,
       R::Operator},
      {V::post, {"api", "sites", "{}", "readings"}, &Api::push_reading, R::Operator},
      {V::get, {"api", "sites", "{}", "decisions"}, &Api::site_decisions, R::Viewer},
      {V::get, {"api", "sites", "{}", "meters"}, &Api::list_meters, R::Viewer},
      {V::post, {"api", "sites", "{}", "meters"}, &Api::add_meter, R::Operator},
      {V::delete_, {"api", "sites", "{}", "meters", "{}"}, &Api::remove_meter, R::Operator},
      {V::get, {"api", "tokens"}, &Api::list_api_tokens, R::Admin},
      {V::post, {"api", "tokens"}, &Api::create_api_token, R::Admin},
      {V::delete_, {"api", "tokens", "{}"}, &Api::revoke_api_token, R::Admin},
      {V::get, {"api", "audit"}, &Api::list_audit, R::Admin},
      {V::get, {"api", "whoami"}, &Api::whoami, R::Viewer},
      {V::get, {"api", "ca"}, &Api::ca_show, R::Viewer},
      {V::post, {"api", "ca"}, &Api::ca_init, R::Admin},
      {V::post, {"api", "ca", "server-certificate"}, &Api::ca_issue_server, R::Admin},
      {V::get, {"api", "stations", "{}", "certificates"}, &Api::station_certificates, R::Viewer},
      {V::post,
       {"api", "stations", "{}", "certificates", "{}", "revoke"},
       &Api::revoke_station_certificate,
       R::Admin},
      {V::post, {"api", "tls", "reload"}, &Api::reload_tls, R::Admin},
      {V::get, {"api", "alerts"}, &Api::list_alerts, R::Viewer},
      {V::get, {"api", "reports", "availability"}, &Api::availability_report, R::Viewer},
      {V::post, {"api", "transactions", "{}", "close"}, &Api::close_transaction, R::Operator},
      // The whole database: password hashes, tokens' hashes, the audit log.
      {V::get, {"api", "backup"}, &Api::backup, R::Admin},
  };
  return table;
}

bool Api::is_public(const ApiRequest& request) {
  // The API's shape is no secret (docs/admin-api.md); everything else is.
  return request.method == http::verb::get && request.segments.size() == 1 &&
         (request.segments[0] == "health" || request.segments[0] == "openapi.json");
}

bool Api::authorized(const std::string& header, std::string& problem) const {
  return authenticate(header, problem).has_value();
}

std::optional<Principal> Api::authenticate(const std::string& header, std::string& problem) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (token_.empty() && tokens_.empty()) {
    // Fail closed: a server started without a token serves nobody.
    problem = "the admin API has no token configured";
    return std::nullopt;
  }
  if (header.size() < kScheme.size() ||
      !iequals(std::string_view(header).substr(0, kScheme.size()), kScheme)) {
    problem = "missing bearer token (send Authorization: Bearer <token>)";
    return std::nullopt;
  }
  std::string_view given = std::string_view(header).substr(kScheme.size());
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
  // Every candidate is compared in full, in constant time: neither the
  // timing nor the order reveals which token (or how much of one) matched.
  std::optional<Principal> found;
  if (!token_.empty() && secure_equals(given, token_)) found = Principal{"bootstrap", Role::Admin};
  const std::string hash = sha256(given);
  for (const auto& t : tokens_) {
    if (secure_equals(hash, t.hash) && !found) found = Principal{t.name, t.role};
  }
  if (!found) problem = "invalid bearer token";
  return found;
}

void Api::load_tokens(const std::vector<storage::ApiToken>& tokens) {
  std::vector<KnownToken> known;
  for (const auto& t : tokens) {
    if (t.revoked_at) continue;
    auto role = role_from_string(t.role);
    auto hash = from_hex(t.hash);
    if (!role || !hash || hash->size() != 32) {
      // A damaged row must not grant anything, nor stop the others.
      log::error("admin api: token {} has an unreadable role or hash; ignored", t.name);
      continue;
    }
    known.push_back(KnownToken{t.name, *role, std::move(*hash)});
  }
  tokens_ = std::move(known);
}

std::vector<RouteInfo> Api::route_table() {
  std::vector<RouteInfo> out;
  for (const Route& r : routes()) {
    std::string path;
    for (auto part : r.pattern) path += "/" + std::string(part);
    out.push_back(RouteInfo{std::string(http::to_string(r.method)), path, r.role});
  }
  return out;
}

bool Api::refusal_audit_allowed() {
  constexpr std::size_t kPerMinute = 60;
  const auto now = std::chrono::steady_clock::now();
  if (now - refusal_window_ >= std::chrono::minutes(1)) {
    if (refusals_in_window_ > kPerMinute)
      log::warn("admin api: {} refused requests in the last minute; {} not audited",
                refusals_in_window_, refusals_in_window_ - kPerMinute);
    refusal_window_ = now;
    refusals_in_window_ = 0;
  }
  return ++refusals_in_window_ <= kPerMinute;
}

void Api::handle(ApiRequest request, Reply reply) {
  // Guards against a handler path answering twice (e.g. a gateway calling back
  // twice): the session must see exactly one response.
  auto answered = std::make_shared<bool>(false);
  Reply once = [answered, reply = std::move(reply)](ApiResponse r) {
    if (*answered) return;
    *answered = true;
    reply(std::move(r));
  };

  // The console's files hold no data: the browser loads them before sign-in.
  if (!request.segments.empty() && request.segments[0] == "console" &&
      request.method == http::verb::get) {
    console_file(request, once);
    return;
  }
  if (is_public(request)) {
    const bool is_health = request.segments[0] == "health";
    Call call{std::move(request), {}, once};
    if (is_health) {
      health(call);
    } else {
      openapi(call);
    }
    return;
  }
  std::string problem;
  const auto who = authenticate(request.authorization, problem);
  if (!who) {
    ApiResponse r = error_response(401, problem);
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"csms-admin\"");
    if (refusal_audit_allowed()) audit(audit_info(request, {}), r);
    once(std::move(r));
    return;
  }

  std::vector<std::string> allowed;
  for (const Route& route : routes()) {
    if (route.pattern.size() != request.segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < route.pattern.size() && match; ++i) {
      if (route.pattern[i] == "{}") {
        params.push_back(request.segments[i]);
      } else {
        match = route.pattern[i] == request.segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed.emplace_back(http::to_string(route.method));
      continue;
    }
    request.principal = who->name;
    AuditInfo info = audit_info(request, params);
    info.who = *who;
    info.authenticated = true;
    info.command = route.handler == &Api::station_command;
    Role required = route.role;
    std::string what = "this route";
    if (info.command) {
      // A station command needs its own role too (security commands are admin).
      const std::string& name = params[1];
      for (Role r : {deps_.commands.command_role(name),
                     command_params_role(name, request.body.empty() ? "{}" : request.body)}) {
        if (!role_allows(required, r)) required = r;
      }
      what = "the command " + quoted(name);
    }
    if (!role_allows(who->role, required)) {
      ApiResponse r =
          error_response(403, what + " needs the " + to_string(required) + " role; token " +
                                  quoted(who->name) + " has the " + to_string(who->role) + " role");
      audit(info, r);
      once(std::move(r));
      return;
    }
    Reply done = once;
    if (request.method != http::verb::get) {
      // Changes and commands are audited once they have their answer.
      auto self = shared_from_this();
      done = [self, info, once](ApiResponse r) {
        self->audit(info, r);
        once(std::move(r));
      };
    }
    Call call{std::move(request), std::move(params), done};
    try {
      (this->*route.handler)(call);
    } catch (...) {
      done(response_for(std::current_exception()));
    }
    return;
  }

  std::string path;
  for (const auto& s : request.segments) path += "/" + s;
  if (path.empty()) path = "/";
  ApiResponse r;
  if (!allowed.empty()) {
    std::string list;
    for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
    r = error_response(405, "method " + request.method_name + " is not allowed on " +
                                ocpp::sanitize_utf8(path) + " (allowed: " + list + ")");
    r.headers.emplace_back("Allow", list);
  } else {
    r = error_response(404,
                       "no route for " + request.method_name + " " + ocpp::sanitize_utf8(path));
  }
  if (request.method != http::verb::get) {
    AuditInfo info = audit_info(request, {});
    info.who = *who;
    info.authenticated = true;
    audit(info, r);
  }
  once(std::move(r));
}

// ---------------------------------------------------------------------------
// Handlers

// Query parameters are ignored here: probes and scrapers may add their own.
void Api::health(Call& call) {
  JsonOut out;
  // Draining: 503, so a load balancer's health check routes new stations away.
  const bool draining = deps_.commands.draining();
  out.object().key("status").str(draining ? "draining" : "ok").key("version").str(kVersion);
  // In a cluster: which node answered (behind a load balancer it varies).
  if (const auto node = deps_.commands.node_id(); !node.empty()) out.key("node").str(node);
  out.end_object();
  call.reply(json_response(draining ? 503 : 200, out.text()));
}

void Api::cluster(Call& call) {
  no_query(call.request);
  cluster_reply(call, false);
}

void Api::cluster_sessions(Call& call) {
  no_query(call.request);
  cluster_reply(call, true);
}

void Api::cluster_reply(Call& call, bool sessions) {
  deps_.commands.cluster_state(sessions, [reply = call.reply](std::string json, std::string error) {
    if (!error.empty()) {
      reply(json_response(503, error_json("cluster state unavailable: " + error)));
      return;
    }
    reply(json_response(200, std::move(json)));
  });
}

void Api::reload_tls(Call& call) {
  no_query(call.request);
  // The old certificate stays in use when the new files are bad: 409 says why.
  if (std::string problem = deps_.commands.reload_tls(); !problem.empty())
    throw ApiError(409, "TLS reload failed: " + problem);
  JsonOut out;
  out.object().key("status").str("reloaded").end_object();
  call.reply(json_response(200, out.text()));
}

void Api::metrics(Call& call) {
  ApiResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = deps_.metrics.render();
  call.reply(std::move(r));
}

void Api::list_commands(Call& call) {
  no_query(call.request);
  JsonOut out;
  out.array();
  for (const auto& name : deps_.commands.command_names()) out.str(name);
  out.end_array();
  call.reply(json_response(200, out.text()));
}

void Api::list_stations(Call& call) {
  no_query(call.request);
  read<std::vector<storage::Station>>(
      call.reply, [](storage::Session& s) { return s.stations.list(); },
      [self = shared_from_this()](std::vector<storage::Station>& stations) {
        JsonOut out;
        out.array();
        for (const auto& st : stations) {
          out.object();
          station_fields(out, st, self->deps_.commands.is_connected(st.id));
          out.end_object();
        }
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::get_station(Call& call) {
  no_query(call.request);
  struct View {
    std::optional<storage::Station> station;
    std::vector<storage::Connector> connectors;
    std::vector<storage::DeviceVariable> variables;
    std::vector<storage::DeviceReport> reports;
  };
  const std::string id = call.params[0];
  read<View>(
      call.reply,
      [id](storage::Session& s) {
        View v;
        v.station = s.stations.get(id);
        if (!v.station) return v;
        v.connectors = s.stations.connectors(id);
        v.variables = s.device_model.variables(id);
        v.reports = s.device_model.reports(id);
        return v;
      },
      [self = shared_from_this(), id](View& v) {
        if (!v.station) throw ApiError(404, "station " + quoted(id) + " is not registered");
        JsonOut out;
        out.object();
        station_fields(out, *v.station, self->deps_.commands.is_connected(id));
        out.key("connectors").array();
        for (const auto& c : v.connectors) connector_object(out, c);
        out.end_array();
        if (!v.variables.empty() || !v.reports.empty()) {
          out.key("deviceModel");
          device_model_summary(out, v.variables, v.connectors, v.reports);
        }
        out.end_object();
        return json_response(200, out.text());
      });
}

template <class Load, class Write>
void Api::station_array(Call& call, Load load, Write write) {
  no_query(call.request);
  read_station(call.reply, call.params[0], load, [write](const auto& items) {
    JsonOut out;
    out.array();
    for (const auto& item : items) write(out, item);
    out.end_array();
    return json_response(200, out.text());
  });
}

void Api::station_variables(Call& call) {
  station_array(
      call, [](storage::Session& s, const std::string& id) { return s.device_model.variables(id); },
      variable_object);
}

void Api::station_monitors(Call& call) {
  station_array(
      call, [](storage::Session& s, const std::string& id) { return s.monitors.list(id); },
      monitor_object);
}

void Api::station_profiles(Call& call) {
  station_array(
      call,
      [](storage::Session& s, const std::string& id) { return s.charging_profiles.profiles(id); },
      charging_profile_object);
}

void Api::list_notifications(Call& call) {
  const Query query(call.request, {"stationId", "action", "limit"});
  const std::string station = query.get("stationId").value_or("");
  const std::string action = query.get("action").value_or("");
  const std::size_t limit = query.limit(100, 1000);
  read<std::vector<storage::StationNotification>>(
      call.reply,
      [station, action, limit](storage::Session& s) {
        return s.notifications.recent(station, action, limit);
      },
      [](std::vector<storage::StationNotification>& notes) {
        JsonOut out;
        out.array();
        for (const auto& n : notes) notification_object(out, n);
        out.end_array();
        return json_response(200, out.text());
      });
}

// NotifyDisplayMessages / NotifyCustomerInformation parts of a station, as
// kept among the notifications, assembled by requestId.
void Api::station_display_messages(Call& call) {
  const Query query(call.request, {"requestId"});
  std::optional<std::int64_t> request_id;
  if (auto text = query.get("requestId")) {
    request_id = parse_int(*text);
    if (!request_id) throw ApiError(400, "requestId must be an integer, not " + quoted(*text));
  }
  station_report(call, kNotifyDisplayMessages, [request_id](const auto& notes) {
    return display_messages_json(notes, request_id);
  });
}

void Api::station_customer_information(Call& call) {
  const Query query(call.request, {"requestId"});
  std::optional<std::int64_t> request_id;
  if (auto text = query.get("requestId")) {
    request_id = parse_int(*text);
    if (!request_id) throw ApiError(400, "requestId must be an integer, not " + quoted(*text));
  }
  station_report(call, kNotifyCustomerInformation, [request_id](const auto& notes) {
    return customer_information_json(notes, request_id);
  });
}

template <class Shape>
void Api::station_report(Call& call, const char* action, Shape shape) {
  const std::string what = action;
  read_station(
      call.reply, call.params[0],
      [what](storage::Session& s, const std::string& id) {
        // The newest 1000 parts: far more than a few reports need.
        return s.notifications.recent(id, what, 1000);
      },
      [shape](const std::vector<storage::StationNotification>& notes) {
        return json_response(200, shape(notes));
      });
}

std::optional<int> Api::wanted_profile(const rapidjson::Value& doc, const std::string& id,
                                       bool password_after) {
  const bool allow = optional_bool(doc, "allowDowngrade", "").value_or(false);
  auto it = doc.FindMember("securityProfile");
  if (it == doc.MemberEnd() || it->value.IsNull()) {
    if (allow) throw ApiError(400, "allowDowngrade needs securityProfile");
    return std::nullopt;
  }
  if (!it->value.IsInt() || it->value.GetInt() < 1 || it->value.GetInt() > 3)
    throw ApiError(400, "securityProfile must be 1, 2 or 3");
  const int wanted = it->value.GetInt();
  if (wanted == 2 && !password_after)
    throw ApiError(400, "security profile 2 needs a password (Basic auth over TLS): set one too");
  const int current = deps_.stations.security_profile(id);
  if (current != 0 && wanted < current && !allow)
    throw ApiError(409, "lowering station " + quoted(id) + "'s security profile from " +
                            std::to_string(current) + " to " + std::to_string(wanted) +
                            " weakens its security: confirm with allowDowngrade: true "
                            "(csmsctl --allow-downgrade)");
  return wanted;
}

void Api::record_downgrade(const std::string& id, int from, int to) {
  storage::SecurityEvent ev;
  ev.station_id = id;
  ev.timestamp = DateTime::now();
  ev.type = "SecurityProfileLowered";
  ev.tech_info = "the operator lowered the security profile from " + std::to_string(from) + " to " +
                 std::to_string(to);
  ev.remote_address = "admin API";
  log::warn("security event {} station={}: {}", ev.type, id, ev.tech_info);
  deps_.db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, nullptr);
}

void Api::add_station(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::station);
  const std::string id = required_string(doc, "id", "");
  if (auto problem = check_identity(id); !problem.empty()) throw ApiError(400, problem);
  // Absent or null keeps the current password; "" removes it.
  const std::optional<std::string> password = optional_string(doc, "password", "");
  const bool existed = deps_.stations.exists(id);
  const bool password_after = password ? !password->empty() : deps_.stations.has_password(id);
  const std::optional<int> profile = wanted_profile(doc, id, password_after);
  const int old_profile = existed ? deps_.stations.security_profile(id) : 0;
  if (!profile && old_profile == 2 && !password_after)
    throw ApiError(400, "station " + quoted(id) +
                            " is on security profile 2, which needs a password: lower its "
                            "profile first");
  auto self = shared_from_this();
  Reply reply = call.reply;
  try {
    const bool password_changed = existed && password.has_value();
    deps_.stations.add(
        id, password, profile,
        [self, id, existed, password_changed, profile, old_profile,
         reply](std::exception_ptr error) {
          if (error) {
            reply(response_for(error));
            return;
          }
          if (profile && old_profile > *profile) self->record_downgrade(id, old_profile, *profile);
          if (password_changed) self->end_session_for_new_password(id);
          // Answer with the stored row, as GET /api/stations/{id} would.
          self->read<std::optional<storage::Station>>(
              reply, [id](storage::Session& s) { return s.stations.get(id); },
              [self, id, existed](std::optional<storage::Station>& st) {
                if (!st)
                  throw ApiError(500, "station " + quoted(id) + " vanished after being added");
                return json_response(existed ? 200 : 201,
                                     station_json(*st, self->deps_.commands.is_connected(id)));
              });
        });
  } catch (const std::invalid_argument& e) {
    // The registry names the problem; it never echoes the password.
    throw ApiError(400, e.what());
  }
}

void Api::set_station_security(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::station_security);
  const std::string id = call.params[0];
  if (!deps_.stations.exists(id))
    throw ApiError(404, "station " + quoted(id) + " is not registered");
  const auto profile = wanted_profile(doc, id, deps_.stations.has_password(id));
  if (!profile) throw ApiError(400, "securityProfile is required (1, 2 or 3)");
  const int old_profile = deps_.stations.security_profile(id);
  auto self = shared_from_this();
  Reply reply = call.reply;
  deps_.stations.set_security_profile(
      id, *profile, [self, id, profile, old_profile, reply](std::exception_ptr error) {
        if (error) {
          reply(response_for(error));
          return;
        }
        if (old_profile > *profile) {
          self->record_downgrade(id, old_profile, *profile);
          // A session on the stronger connection may stay; one below the new
          // profile cannot exist (the handshake held it to the old one).
        }
        self->read<std::optional<storage::Station>>(
            reply, [id](storage::Session& s) { return s.stations.get(id); },
            [self, id](std::optional<storage::Station>& st) {
              if (!st) throw ApiError(404, "station " + quoted(id) + " is not registered");
              return json_response(200, station_json(*st, self->deps_.commands.is_connected(id)));
            });
      });
}

void Api::import_stations(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  if (!doc.IsArray())
    throw ApiError(400, std::string("the body must be a JSON array of station objects, got ") +
                            json_type_name(doc));
  // Everything is validated before anything is written: all or nothing.
  std::vector<StationRegistry::NewStation> rows;
  std::map<std::string, std::size_t> seen;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string where = "item " + std::to_string(i + 1) + ": ";
    expect_object(doc[i], where, bodies::station_import);
    StationRegistry::NewStation row;
    row.id = required_string(doc[i], "id", where);
    row.password = optional_string(doc[i], "password", where);
    auto [it, fresh] = seen.emplace(row.id, i + 1);
    if (!fresh)
      throw ApiError(
          400, where + "id " + quoted(row.id) + " repeats item " + std::to_string(it->second));
    rows.push_back(std::move(row));
  }
  const std::size_t count = rows.size();
  if (count == 0) {
    call.reply(json_response(200, "{\"imported\":0}"));
    return;
  }
  auto self = shared_from_this();
  Reply reply = call.reply;
  try {
    deps_.stations.add_many(
        std::move(rows),
        [self, reply, count](std::exception_ptr error, std::vector<std::string> changed) {
          if (error) {
            reply(response_for(error));
            return;
          }
          for (const auto& id : changed) self->end_session_for_new_password(id);
          JsonOut out;
          out.object().key("imported").num(static_cast<std::int64_t>(count)).end_object();
          reply(json_response(200, out.text()));
        });
  } catch (const std::invalid_argument& e) {
    // The registry names the item and the problem; it never echoes a password.
    throw ApiError(400, e.what());
  }
}

void Api::end_session_for_new_password(const std::string& id) {
  // A session authenticated with the old password (or with none) must not
  // outlive the change: the station logs in again with what is set now.
  if (!deps_.commands.is_connected(id)) return;
  deps_.commands.disconnect(id, "password changed by the operator; log in again");
  storage::SecurityEvent ev;
  ev.station_id = id;
  ev.timestamp = DateTime::now();
  ev.type = "SessionClosedPasswordChanged";
  ev.tech_info = "the operator changed the station's password: its session was closed";
  ev.remote_address = "admin API";
  log::warn("security event {} station={}: {}", ev.type, id, ev.tech_info);
  deps_.db.write([ev = std::move(ev)](storage::Session& s) { s.events.append(ev); }, nullptr);
}

void Api::remove_station(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  if (!deps_.stations.exists(id))
    throw ApiError(404, "station " + quoted(id) + " is not registered");
  Reply reply = call.reply;
  CommandGateway& gateway = deps_.commands;
  deps_.stations.remove(id, [reply, id, &gateway](std::exception_ptr error) {
    if (!error) {
      // An unregistered station must not stay online on its old connection.
      gateway.disconnect(id, "station removed by the operator");
      reply(no_content());
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::invalid_argument&) {
      // Removed by someone else in the meantime.
      reply(error_response(404, "station " + quoted(id) + " is not registered"));
    } catch (...) {
      reply(response_for(std::current_exception()));
    }
  });
}

void Api::station_command(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  const std::string name = call.params[1];
  const auto doc = parse_body(call.request.body, true);
  if (!doc.IsObject())
    throw ApiError(400, std::string("the command parameters must be a JSON object, got ") +
                            json_type_name(doc));
  if (!deps_.stations.exists(id))
    throw ApiError(404, "station " + quoted(id) + " is not registered");
  Command command;
  command.name = name;
  JsonOut params;
  params.value(doc);
  command.params_json = params.text();
  Reply reply = call.reply;
  deps_.commands.execute(id, command, [reply, id, name](CommandResult result) {
    reply(command_response(result, id, name));
  });
}

void Api::station_log(Call& call) {
  const Query query(call.request, {"limit"});
  const std::size_t limit = query.limit(50, 1000);
  const std::string id = call.params[0];
  deps_.commands.flush_message_log();
  read<std::vector<storage::LoggedFrame>>(
      call.reply, [id, limit](storage::Session& s) { return s.messages.recent(id, limit); },
      [self = shared_from_this(), id](std::vector<storage::LoggedFrame>& frames) {
        // A removed station's history stays readable; an unknown name is a 404.
        if (frames.empty() && !self->deps_.stations.exists(id))
          throw ApiError(404, "station " + quoted(id) + " is not registered");
        JsonOut out;
        out.array();
        for (const auto& f : frames) frame_object(out, f);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::list_tokens(Call& call) {
  no_query(call.request);
  read<std::vector<storage::IdToken>>(
      call.reply, [](storage::Session& s) { return s.tokens.list(); },
      [](std::vector<storage::IdToken>& tokens) {
        JsonOut out;
        out.array();
        for (const auto& t : tokens) token_object(out, t);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::add_token(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  const storage::IdToken token = parse_token(doc, "");
  write<std::pair<bool, storage::IdToken>>(
      call.reply,
      [token](storage::Session& s) {
        storage::IdToken stored = token;
        const bool created = upsert_token(s, stored, DateTime::now());
        return std::make_pair(created, stored);
      },
      [](std::pair<bool, storage::IdToken>& r) {
        return json_response(r.first ? 201 : 200, token_json(r.second));
      });
}

void Api::import_tokens(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  if (!doc.IsArray())
    throw ApiError(400, std::string("the body must be a JSON array of id tag objects, got ") +
                            json_type_name(doc));
  // Everything is validated before anything is written: all or nothing.
  std::vector<storage::IdToken> tokens;
  std::map<std::string, std::size_t> seen;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string where = "item " + std::to_string(i + 1) + ": ";
    tokens.push_back(parse_token(doc[i], where));
    auto [it, fresh] = seen.emplace(tokens.back().id_tag, i + 1);
    if (!fresh)
      throw ApiError(400, where + "idTag " + quoted(it->first) + " repeats item " +
                              std::to_string(it->second));
  }
  if (tokens.empty()) {
    call.reply(json_response(200, "{\"imported\":0}"));
    return;
  }
  write<std::size_t>(
      call.reply,
      [tokens](storage::Session& s) {
        const DateTime now = DateTime::now();
        for (storage::IdToken t : tokens) upsert_token(s, t, now);
        return tokens.size();
      },
      [](std::size_t& n) {
        JsonOut out;
        out.object().key("imported").num(static_cast<std::int64_t>(n)).end_object();
        return json_response(200, out.text());
      });
}

void Api::block_token(Call& call) {
  no_query(call.request);
  const std::string tag = call.params[0];
  write<std::optional<storage::IdToken>>(
      call.reply,
      [tag](storage::Session& s) {
        auto t = s.tokens.get(tag);
        if (t) {
          t->status = storage::TokenStatus::Blocked;
          t->updated_at = DateTime::now();
          s.tokens.put(*t);
        }
        return t;
      },
      [tag](std::optional<storage::IdToken>& t) {
        if (!t) throw ApiError(404, "id tag " + quoted(tag) + " is not known");
        return json_response(200, token_json(*t));
      });
}

void Api::remove_token(Call& call) {
  no_query(call.request);
  const std::string tag = call.params[0];
  write<bool>(
      call.reply, [tag](storage::Session& s) { return s.tokens.remove(tag); },
      [tag](bool& removed) {
        if (!removed) throw ApiError(404, "id tag " + quoted(tag) + " is not known");
        return no_content();
      });
}

void Api::list_transactions(Call& call) {
  const Query query(call.request, {"stationId", "idTag", "from", "to", "active", "limit"});
  storage::TransactionFilter filter;
  filter.station_id = query.get("stationId");
  filter.id_tag = query.get("idTag");
  filter.from = query.time("from");
  filter.to = query.time("to");
  filter.active = query.flag("active");
  filter.limit = query.limit(1000, 10000);
  read<std::vector<storage::Transaction>>(
      call.reply, [filter](storage::Session& s) { return s.transactions.list(filter); },
      [](std::vector<storage::Transaction>& txs) {
        JsonOut out;
        out.array();
        for (const auto& tx : txs) {
          out.object();
          transaction_fields(out, tx);
          out.end_object();
        }
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::get_transaction(Call& call) {
  const Query query(call.request, {"stationId"});
  const std::optional<std::string> station = query.get("stationId");
  const std::string key = call.params[0];
  struct View {
    std::vector<storage::Transaction> matches;
    std::vector<storage::MeterSample> samples;
    std::vector<storage::TransactionEvent> events;
  };
  read<View>(
      call.reply,
      [key, station](storage::Session& s) {
        View v;
        v.matches = find_transactions(s, key, station);
        if (v.matches.size() == 1) {
          v.samples = s.meters.for_transaction(v.matches[0].id);
          v.events = s.transactions.events(v.matches[0].id);
        }
        return v;
      },
      [key](View& v) {
        one_transaction(v.matches, key);
        JsonOut out;
        out.object();
        transaction_fields(out, v.matches[0]);
        if (!v.matches[0].station_tx_id.empty()) {
          out.key("events").array();
          for (const auto& e : v.events) tx_event_object(out, e);
          out.end_array();
          out.key("seqNoGaps");
          seq_no_gaps(out, v.events);
        }
        out.key("samples").array();
        for (const auto& sample : v.samples) sample_object(out, sample);
        out.end_array().end_object();
        return json_response(200, out.text());
      });
}

void Api::list_events(Call& call) {
  const Query query(call.request, {"stationId", "limit", "critical"});
  const std::string station = query.get("stationId").value_or("");
  const std::size_t limit = query.limit(100, 1000);
  const bool critical = query.flag("critical").value_or(false);
  read<std::vector<storage::SecurityEvent>>(
      call.reply,
      [station, limit, critical](storage::Session& s) {
        return s.events.recent(station, limit, critical);
      },
      [](std::vector<storage::SecurityEvent>& events) {
        JsonOut out;
        out.array();
        for (const auto& e : events) event_object(out, e);
        out.end_array();
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
