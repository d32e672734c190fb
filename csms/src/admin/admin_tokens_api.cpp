// Named admin API tokens (create, list, revoke) and the audit log: what it
// records of each request and how it is read.
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "admin/api.hpp"
#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "admin/text.hpp"
#include "csms/log.hpp"
#include "ocpp/common/utf8.hpp"
#include "rpc/secrets.hpp"

namespace csms::admin {

namespace {

constexpr std::size_t kMaxSummaryChars = 1000;
constexpr const char* kBootstrap = "bootstrap";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Member names whose values are secrets wherever they appear in a body.
bool is_secret_member(std::string_view name) {
  const std::string n = lower(name);
  return n.find("password") != std::string::npos || n.find("secret") != std::string::npos ||
         n.find("privatekey") != std::string::npos || n.find("private_key") != std::string::npos ||
         n == "token" || n == "authorizationkey";
}

// "Component.Variable=value" or "Key=value" words of set-variables/set-config:
// the value goes when the name is a password or authorization key.
std::string mask_word(const std::string& word) {
  const auto eq = word.find('=');
  if (eq == std::string::npos) return word;
  const std::string name = word.substr(0, eq);
  const auto dot = name.rfind('.');
  const std::string component = dot == std::string::npos ? "" : name.substr(0, name.find('.'));
  const std::string variable = dot == std::string::npos ? name : name.substr(dot + 1);
  if (is_secret_variable(component, variable) || is_secret_member(variable))
    return name + "=" + std::string(kRedacted);
  return word;
}

// Copies `v` with secrets masked: secret-named members, PEM private keys,
// and (for set-config) the value of a secret key.
void redacted(JsonOut& out, const rapidjson::Value& v, bool secret_value) {
  if (v.IsObject()) {
    bool secret_key = false;
    if (auto key = v.FindMember("key"); key != v.MemberEnd() && key->value.IsString())
      secret_key = is_secret_member(key->value.GetString());
    out.object();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      out.key(name);
      redacted(out, it->value, is_secret_member(name) || (secret_key && name == "value"));
    }
    out.end_object();
  } else if (v.IsArray()) {
    out.array();
    for (const auto& item : v.GetArray()) redacted(out, item, secret_value);
    out.end_array();
  } else if (v.IsString()) {
    const std::string text(v.GetString(), v.GetStringLength());
    if (secret_value || text.find("PRIVATE KEY") != std::string::npos)
      out.str(kRedacted);
    else
      out.str(mask_word(text));
  } else if (secret_value && !v.IsNull()) {
    out.str(kRedacted);
  } else {
    out.value(v);
  }
}

std::string summarize(const std::string& body) {
  if (body.empty()) return "";
  rapidjson::Document doc;
  if (ocpp::parse_json(body, doc).IsError())
    return std::to_string(body.size()) + " bytes, not JSON";
  JsonOut out;
  redacted(out, doc, false);
  std::string text = out.text();
  if (text.size() > kMaxSummaryChars) {
    text.resize(kMaxSummaryChars);
    text = ocpp::sanitize_utf8(text) + "...";
  }
  return text;
}

// The station's answer status of a command response ({"response":{"status":..}}).
std::string command_result(const ApiResponse& r) {
  if (r.status != 200) return "";
  rapidjson::Document doc;
  if (ocpp::parse_json(r.body, doc).IsError() || !doc.IsObject()) return "";
  auto res = doc.FindMember("response");
  if (res == doc.MemberEnd() || !res->value.IsObject()) return "";
  auto status = res->value.FindMember("status");
  if (status == res->value.MemberEnd() || !status->value.IsString()) return "";
  return status->value.GetString();
}

void api_token_object(JsonOut& out, const storage::ApiToken& t) {
  out.object()
      .key("name")
      .str(t.name)
      .key("role")
      .str(t.role)
      .key("createdAt")
      .time(t.created_at)
      .key("createdBy")
      .str(t.created_by)
      .key("revokedAt")
      .time(t.revoked_at)
      .end_object();
}

void check_token_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    throw ApiError(400, "name must be 1 to 64 characters, got " + std::to_string(name.size()));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      throw ApiError(
          400, "name " + quoted(name) + " may contain only letters, digits, '-', '_' and '.'");
  }
  if (name == kBootstrap)
    throw ApiError(400, "the name \"bootstrap\" is the configured token's; choose another");
}

}  // namespace

Api::AuditInfo Api::audit_info(const ApiRequest& request, const std::vector<std::string>& params) {
  AuditInfo info;
  info.method = request.method_name;
  for (const auto& s : request.segments) info.path += "/" + s;
  if (info.path.empty()) info.path = "/";
  info.path = ocpp::sanitize_utf8(info.path);
  if (!params.empty()) {
    info.target = ocpp::sanitize_utf8(params[0]);
  } else {
    rapidjson::Document doc;
    if (!request.body.empty() && !ocpp::parse_json(request.body, doc).IsError() && doc.IsObject()) {
      for (const char* member : {"id", "name", "idTag"}) {
        auto it = doc.FindMember(member);
        if (it != doc.MemberEnd() && it->value.IsString()) {
          info.target = ocpp::sanitize_utf8(it->value.GetString());
          break;
        }
      }
    }
  }
  info.summary = summarize(request.body);
  return info;
}

void Api::audit(const AuditInfo& info, const ApiResponse& response) {
  storage::AuditEntry e;
  e.at = DateTime::now();
  if (info.authenticated) {
    e.token_name = info.who.name;
    e.role = to_string(info.who.role);
  }
  e.method = info.method;
  e.path = info.path;
  e.target = info.target;
  e.summary = info.summary;
  e.http_status = static_cast<int>(response.status);
  if (info.command) e.result = command_result(response);
  if (response.status == 401 || response.status == 403)
    log::warn("admin api: {} {} refused ({}) for {}", e.method, e.path, e.http_status,
              e.token_name.empty() ? "an unauthenticated client" : "token " + e.token_name);
  deps_.db.write([e = std::move(e)](storage::Session& s) { s.admin.append_audit(e); },
                 [](std::exception_ptr error) {
                   if (!error) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& ex) {
                     log::error("admin api: audit entry not written: {}", ex.what());
                   }
                 });
}

void Api::list_api_tokens(Call& call) {
  no_query(call.request);
  const bool bootstrap = !token_.empty();
  read<std::vector<storage::ApiToken>>(
      call.reply, [](storage::Session& s) { return s.admin.tokens(); },
      [bootstrap](std::vector<storage::ApiToken>& tokens) {
        JsonOut out;
        out.array();
        if (bootstrap) {
          out.object()
              .key("name")
              .str(kBootstrap)
              .key("role")
              .str("admin")
              .key("bootstrap")
              .flag(true)
              .end_object();
        }
        for (const auto& t : tokens) api_token_object(out, t);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::create_api_token(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::api_token);
  const std::string name = required_string(doc, "name", "");
  check_token_name(name);
  const std::string role_text = required_string(doc, "role", "");
  const auto role = role_from_string(role_text);
  if (!role)
    throw ApiError(400, "role must be viewer, operator or admin, not " + quoted(role_text));

  // 256 random bits: a hash suffices to store it (nothing to guess), and the
  // prefix lets secret scanners recognise a leaked one.
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1)
    throw ApiError(500, "no random bytes for a new token");
  const std::string secret =
      "csms_" + to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));

  storage::ApiToken token;
  token.name = name;
  token.role = to_string(*role);
  token.hash = to_hex(sha256(secret));
  token.created_at = DateTime::now();
  token.created_by = call.request.principal;
  struct Result {
    bool created = false;
    std::vector<storage::ApiToken> tokens;
  };
  auto self = shared_from_this();
  write<Result>(
      call.reply,
      [token](storage::Session& s) {
        Result r;
        r.created = s.admin.add_token(token);
        r.tokens = s.admin.tokens();
        return r;
      },
      [self, token, secret](Result& r) {
        if (!r.created)
          throw ApiError(409, "a token named " + quoted(token.name) +
                                  " exists (a revoked token keeps its name)");
        self->load_tokens(r.tokens);
        JsonOut out;
        out.object()
            .key("name")
            .str(token.name)
            .key("role")
            .str(token.role)
            .key("token")
            .str(secret)
            .key("createdAt")
            .time(token.created_at)
            .key("createdBy")
            .str(token.created_by)
            .end_object();
        return json_response(201, out.text());
      });
}

void Api::revoke_api_token(Call& call) {
  no_query(call.request);
  const std::string name = call.params[0];
  if (name == kBootstrap)
    throw ApiError(400,
                   "the bootstrap token is configured (admin.token, CSMS_ADMIN_TOKEN or "
                   "admin.token_file): change it there and restart");
  struct Result {
    bool known = false;
    bool revoked = false;
    std::vector<storage::ApiToken> tokens;
  };
  auto self = shared_from_this();
  write<Result>(
      call.reply,
      [name](storage::Session& s) {
        Result r;
        r.revoked = s.admin.revoke_token(name, DateTime::now());
        r.tokens = s.admin.tokens();
        r.known = std::any_of(r.tokens.begin(), r.tokens.end(),
                              [&](const auto& t) { return t.name == name; });
        return r;
      },
      [self, name](Result& r) {
        // Applied before the answer: once the operator sees it, the token is dead.
        self->load_tokens(r.tokens);
        if (!r.known) throw ApiError(404, "no token named " + quoted(name));
        if (!r.revoked) throw ApiError(409, "token " + quoted(name) + " is already revoked");
        auto it = std::find_if(r.tokens.begin(), r.tokens.end(),
                               [&](const auto& t) { return t.name == name; });
        JsonOut out;
        api_token_object(out, *it);
        return json_response(200, out.text());
      });
}

void Api::whoami(Call& call) {
  no_query(call.request);
  std::string problem;
  const auto who = authenticate(call.request.authorization, problem);
  if (!who) throw ApiError(401, problem);  // handle() let it in: cannot happen
  JsonOut out;
  out.object().key("name").str(who->name).key("role").str(to_string(who->role)).end_object();
  call.reply(json_response(200, out.text()));
}

void Api::list_audit(Call& call) {
  const Query query(call.request, {"limit", "since"});
  const std::size_t limit = query.limit(100, 10000);
  const std::optional<DateTime> since = query.time("since");
  read<std::vector<storage::AuditEntry>>(
      call.reply, [limit, since](storage::Session& s) { return s.admin.audit(limit, since); },
      [](std::vector<storage::AuditEntry>& entries) {
        JsonOut out;
        out.array();
        for (const auto& e : entries) {
          out.object()
              .key("id")
              .num(e.id)
              .key("at")
              .time(e.at)
              .key("token")
              .str(e.token_name)
              .key("role")
              .str(e.role)
              .key("method")
              .str(e.method)
              .key("path")
              .str(e.path)
              .key("target")
              .str(e.target)
              .key("summary")
              .str(e.summary)
              .key("status")
              .num(e.http_status)
              .key("result")
              .str(e.result)
              .end_object();
        }
        out.end_array();
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
