#include "cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "csms/identity.hpp"
#include "csms/password.hpp"
#include "csms/version.hpp"
#include "ocpp/common/datetime.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::cli {

namespace {

// ---------------------------------------------------------------------------
// Small helpers

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

double parse_real(const char* option, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    throw UsageError(std::string(option) + " needs a number, not \"" + text + "\"");
  return v;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// RFC 3986 percent-encoding of everything but unreserved characters, so ids
// with reserved characters ('/', '?', '#', '@', '+', ...) survive the path.
std::string encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
  return out;
}

// "message-id" -> "messageId"
std::string camel_case(std::string_view flag) {
  std::string out;
  bool upper = false;
  for (char c : flag) {
    if (c == '-' || c == '_') {
      upper = !out.empty();
    } else {
      out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
  }
  return out;
}

// "lastSeen" -> "LAST SEEN"
std::string column_header(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (std::isupper(c) && i > 0 && !std::isupper(static_cast<unsigned char>(field[i - 1])))
      out.push_back(' ');
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

// Builds the JSON request bodies; refuses arguments that are not UTF-8.
class JsonBody {
 public:
  JsonBody() : writer_(buffer_) {}
  JsonBody& object() { return check(writer_.StartObject()); }
  JsonBody& end_object() { return check(writer_.EndObject()); }
  JsonBody& array() { return check(writer_.StartArray()); }
  JsonBody& end_array() { return check(writer_.EndArray()); }
  JsonBody& key(std::string_view k) {
    return check(writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())));
  }
  JsonBody& str(std::string_view s) {
    return check(writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())));
  }
  JsonBody& num(std::int64_t v) { return check(writer_.Int64(v)); }
  JsonBody& real(double v) { return check(writer_.Double(v)); }
  JsonBody& flag(bool v) { return check(writer_.Bool(v)); }
  std::string text() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  JsonBody& check(bool ok) {
    if (!ok) throw UsageError("arguments must be valid UTF-8");
    return *this;
  }
  rapidjson::StringBuffer buffer_;
  ocpp::JsonWriter writer_;
};

// ---------------------------------------------------------------------------
// The command table

// A command line after the command words: options and positional arguments.
struct Parsed {
  std::vector<std::string> args;
  std::map<std::string, std::string> options;  ///< Declared options ("--limit" -> "5").
  /// `cmd` only: every other --flag in order, nullopt for a flag without value.
  std::vector<std::pair<std::string, std::optional<std::string>>> extra;

  std::optional<std::string> option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
};

/// Where a declared option goes in the request.
enum class Put {
  Body,          ///< "key": "VALUE" in the JSON body.
  BodyNumber,    ///< "key": VALUE, a number (checked) in the JSON body.
  BodyInteger,   ///< "key": VALUE, an integer (checked) in the JSON body.
  BodySwitch,    ///< "key": true in the JSON body when the (value-less) option is given.
  Query,         ///< ?key=VALUE
  QueryInteger,  ///< ?key=N, N checked to be an integer first.
  QuerySwitch,   ///< ?key=true when the (value-less) option is given.
  Local,         ///< Not sent: for the spec's custom builder (e.g. files get --out).
};

struct Option {
  const char* name;   ///< "--limit"
  const char* value;  ///< "N" in usage; nullptr for a switch.
  const char* key;    ///< JSON or query name.
  Put put;
};

/// Fills what the table cannot say (`cmd` parameters, a CSV body).
using Builder = void (*)(const Parsed&, Invocation&);

/// One command: its words, how it maps to a request, how its answer prints.
struct Spec {
  const char* group;  ///< First word.
  const char* name;   ///< Second word, or "" for a one-word command.
  const char* args;   ///< Positional arguments as in usage ("ID", "ID COMMAND [WORD...]").
  const char* summary;
  const char* method;
  const char* path;      ///< {0}, {1}: the positional arguments, percent-encoded.
  const char* body_arg;  ///< JSON key of the first argument in the body, or nullptr.
  std::vector<Option> options;
  Format format = Format::Record;
  std::vector<std::string> columns = {};
  const char* done = nullptr;  ///< Message for an empty answer; {0} is the first argument.
  Builder custom = nullptr;
  bool any_flags = false;  ///< `cmd`: every other --flag is a parameter.
};

void import_csv(const Parsed& p, Invocation& inv) {
  std::ifstream in(p.args[0], std::ios::binary);
  if (!in) throw InputError("cannot read " + p.args[0]);
  std::stringstream text;
  text << in.rdbuf();
  inv.input_file = p.args[0];
  inv.body = idtags_csv_to_json(text.str(), p.args[0], inv.input_lines);
}

void import_stations_csv(const Parsed& p, Invocation& inv) {
  std::ifstream in(p.args[0], std::ios::binary);
  if (!in) throw InputError("cannot read " + p.args[0]);
  std::stringstream text;
  text << in.rdbuf();
  inv.input_file = p.args[0];
  inv.body = stations_csv_to_json(text.str(), p.args[0], inv.input_lines);
}

// files get --out PATH: where the download goes.
void download_to(const Parsed& p, Invocation& inv) {
  inv.output_file = p.option("--out").value_or("");
}

// backup --out FILE: the database copy goes to FILE, owner-only.
void backup_to(const Parsed& p, Invocation& inv) {
  const auto out = p.option("--out");
  if (!out || out->empty()) throw UsageError("backup needs --out FILE");
  inv.output_file = *out;
  inv.private_output = true;
}

// station leave-site STATION: no site.
void leave_site(const Parsed&, Invocation& inv) {
  inv.body = R"({"siteId":null})";
}

// station set-site STATION SITE: the site is the second word.
void set_site(const Parsed& p, Invocation& inv) {
  JsonBody body;
  body.object().key("siteId").str(p.args[1]);
  if (auto current = p.option("--current-type")) body.key("currentType").str(*current);
  inv.body = body.end_object().text();
}

// station upgrade-security ID --root-cert FILE: the PEM goes in the body.
void root_cert_file(const Parsed& p, Invocation& inv) {
  if (!p.option("--to")) throw UsageError("station upgrade-security needs --to 2 or --to 3");
  const auto file = p.option("--root-cert");
  if (!file) return;
  std::ifstream in(*file, std::ios::binary);
  if (!in) throw InputError("cannot read " + *file);
  std::stringstream pem;
  pem << in.rdbuf();
  const auto to = parse_integer(*p.option("--to"));
  if (!to) throw UsageError("--to needs 2 or 3, not \"" + *p.option("--to") + "\"");
  JsonBody body;
  body.object().key("to").num(*to).key("rootCertificate").str(pem.str());
  if (p.option("--force")) body.key("force").flag(true);
  inv.body = body.end_object().text();
}

// station set-meter-key STATION KEY
void set_meter_key(const Parsed& p, Invocation& inv) {
  JsonBody body;
  inv.body = body.object().key("meterPublicKey").str(p.args[1]).end_object().text();
}

// carbon ledger [TAG]: the optional word filters by account.
void ledger_account(const Parsed& p, Invocation& inv) {
  if (p.args.empty()) return;
  inv.target += (inv.target.find('?') == std::string::npos ? "?" : "&") + std::string("account=") +
                encode(p.args[0]);
}

// carbon report ... --csv: the server's CSV, printed as it comes.
void report_format(const Parsed& p, Invocation& inv) {
  if (!p.option("--csv")) return;
  inv.target += (inv.target.find('?') == std::string::npos ? "?" : "&") + std::string("format=csv");
  inv.format = Format::Raw;
}

// site green-certificate SITE --ids A,B,C: the ids as a JSON array.
void certificate_ids(const Parsed& p, Invocation& inv) {
  const auto ids = p.option("--ids");
  if (!ids || !p.option("--month") || !p.option("--kwh"))
    throw UsageError("site green-certificate needs --month YYYY-MM, --kwh N and --ids ID[,ID...]");
  JsonBody body;
  body.object().key("month").str(*p.option("--month"));
  body.key("kwh").real(parse_real("--kwh", *p.option("--kwh")));
  body.key("ids").array();
  std::istringstream list(*ids);
  for (std::string id; std::getline(list, id, ',');) {
    id = trim(id);
    if (!id.empty()) body.str(id);
  }
  inv.body = body.end_array().end_object().text();
}

// ca issue-server --dns HOST[,HOST] [--ip IP[,IP]] --out DIR
void issue_server(const Parsed& p, Invocation& inv) {
  const auto dir = p.option("--out");
  if (!dir || dir->empty()) throw UsageError("ca issue-server needs --out DIR");
  if (!p.option("--dns") && !p.option("--ip"))
    throw UsageError("ca issue-server needs --dns HOST (and/or --ip IP)");
  inv.output_file = *dir;
  JsonBody body;
  body.object();
  for (const auto& [flag, key] : {std::pair<const char*, const char*>{"--dns", "dns"},
                                  std::pair<const char*, const char*>{"--ip", "ip"}}) {
    const auto list = p.option(flag);
    if (!list) continue;
    body.key(key).array();
    std::istringstream items(*list);
    for (std::string item; std::getline(items, item, ',');) {
      item = trim(item);
      if (!item.empty()) body.str(item);
    }
    body.end_array();
  }
  inv.body = body.end_object().text();
}

// station revoke-certificate CP SERIAL [--reason R]
void revoke_certificate(const Parsed& p, Invocation& inv) {
  JsonBody body;
  body.object();
  if (auto reason = p.option("--reason")) body.key("reason").str(*reason);
  inv.body = body.end_object().text();
}

// site mode SITE MODE
void site_mode(const Parsed& p, Invocation& inv) {
  JsonBody body;
  body.object().key("defaultMode").str(p.args[1]);
  if (auto keep = p.option("--keep-minimum")) {
    if (*keep != "yes" && *keep != "no")
      throw UsageError("--keep-minimum is yes or no, not \"" + *keep + "\"");
    body.key("smartKeepMinimum").flag(*keep == "yes");
  }
  inv.body = body.end_object().text();
}

// site windows SITE [HH:MM-HH:MM=KW]...: the windows replace the site's.
void site_windows(const Parsed& p, Invocation& inv) {
  JsonBody body;
  body.object().key("windows").array();
  for (std::size_t i = 1; i < p.args.size(); ++i) {
    const auto& w = p.args[i];
    const auto dash = w.find('-');
    const auto eq = w.find('=');
    if (dash == std::string::npos || eq == std::string::npos || eq < dash)
      throw UsageError("a window is HH:MM-HH:MM=KW (local time), e.g. 17:00-21:00=50, not \"" + w +
                       "\"");
    body.object()
        .key("start")
        .str(w.substr(0, dash))
        .key("end")
        .str(w.substr(dash + 1, eq - dash - 1));
    body.key("importLimitKw").real(parse_real("the window's kW", w.substr(eq + 1))).end_object();
  }
  inv.body = body.end_array().end_object().text();
}

// site circuit add|remove|list SITE [CIRCUIT]
void site_circuit(const Parsed& p, Invocation& inv) {
  const std::string& action = p.args[0];
  const std::string base = "/api/sites/" + encode(p.args[1]) + "/circuits";
  if (action == "list") {
    if (p.args.size() != 2) throw UsageError("site circuit list takes SITE only");
    inv.method = "GET";
    inv.target = base;
    inv.format = Format::Table;
    inv.columns = {"id", "parent", "maxCurrentA", "maxPowerW"};
    return;
  }
  if (p.args.size() != 3) throw UsageError("site circuit " + action + " needs SITE and CIRCUIT");
  if (action == "remove") {
    inv.method = "DELETE";
    inv.target = base + "/" + encode(p.args[2]);
    inv.done_message = "removed circuit " + p.args[2];
    return;
  }
  if (action != "add") throw UsageError("site circuit takes add, remove or list");
  inv.method = "POST";
  inv.target = base;
  JsonBody body;
  body.object().key("id").str(p.args[2]);
  if (auto parent = p.option("--parent")) body.key("parent").str(*parent);
  if (auto a = p.option("--max-a")) body.key("maxCurrentA").real(parse_real("--max-a", *a));
  if (auto kw = p.option("--max-kw")) body.key("maxPowerKw").real(parse_real("--max-kw", *kw));
  inv.body = body.end_object().text();
}

// site meter add|remove|list SITE [NAME]: the Modbus/SunSpec meters polled.
// site reading ... --circuit C --currents-a L1[,L2,L3]: the currents go as an array.
void site_reading(const Parsed& p, Invocation& inv) {
  const auto currents = p.option("--currents-a");
  if (!currents) return;
  rapidjson::Document body;
  body.Parse(inv.body.empty() ? "{}" : inv.body.c_str());
  JsonBody out;
  out.object();
  for (const auto& m : body.GetObject()) {
    out.key(m.name.GetString());
    if (m.value.IsString()) {
      out.str(m.value.GetString());
    } else {
      out.real(m.value.GetDouble());
    }
  }
  out.key("currentsA").array();
  std::size_t from = 0;
  while (from <= currents->size()) {
    const auto comma = std::min(currents->find(',', from), currents->size());
    out.real(parse_real("--currents-a", currents->substr(from, comma - from)));
    from = comma + 1;
  }
  inv.body = out.end_array().end_object().text();
}

void site_meter(const Parsed& p, Invocation& inv) {
  const std::string& action = p.args[0];
  const std::string base = "/api/sites/" + encode(p.args[1]) + "/meters";
  if (action == "list") {
    if (p.args.size() != 2) throw UsageError("site meter list takes SITE only");
    inv.method = "GET";
    inv.target = base;
    inv.format = Format::Table;
    inv.columns = {"name", "role", "circuit", "host", "port", "unitId", "pollIntervalS", "maxAgeS"};
    return;
  }
  if (p.args.size() != 3) throw UsageError("site meter " + action + " needs SITE and NAME");
  if (action == "remove") {
    inv.method = "DELETE";
    inv.target = base + "/" + encode(p.args[2]);
    inv.done_message = "removed meter " + p.args[2];
    return;
  }
  if (action != "add") throw UsageError("site meter takes add, remove or list");
  const auto host = p.option("--host");
  const auto role = p.option("--role");
  if (!host || !role)
    throw UsageError("site meter add needs --host HOST and --role grid|pv|battery|circuit");
  inv.method = "POST";
  inv.target = base;
  JsonBody body;
  body.object().key("name").str(p.args[2]).key("host").str(*host).key("role").str(*role);
  if (auto circuit = p.option("--circuit")) body.key("circuit").str(*circuit);
  for (const auto& [flag, key] :
       std::vector<std::pair<const char*, const char*>>{{"--port", "port"},
                                                        {"--unit", "unitId"},
                                                        {"--poll-s", "pollIntervalS"},
                                                        {"--max-age-s", "maxAgeS"}}) {
    if (auto v = p.option(flag)) {
      const auto n = parse_integer(*v);
      if (!n) throw UsageError(std::string(flag) + " needs an integer, not \"" + *v + "\"");
      body.key(key).num(*n);
    }
  }
  inv.body = body.end_object().text();
}

// station set-circuit STATION CIRCUIT [--evse N] ...: one EVSE's settings.
void evse_target(const Parsed& p, Invocation& inv) {
  const auto evse = p.option("--evse").value_or("1");
  if (!parse_integer(evse)) throw UsageError("--evse needs an integer, not \"" + evse + "\"");
  inv.target = "/api/stations/" + encode(p.args[0]) + "/evses/" + evse + "/energy";
}

void set_circuit(const Parsed& p, Invocation& inv) {
  evse_target(p, inv);
  JsonBody body;
  body.object().key("circuit").str(p.args[1]);
  if (auto v = p.option("--phases")) body.key("phases").real(parse_real("--phases", *v));
  if (auto v = p.option("--rotation")) body.key("rotation").str(*v);
  if (auto v = p.option("--min-a")) body.key("minCurrentA").real(parse_real("--min-a", *v));
  if (auto v = p.option("--max-a")) body.key("maxCurrentA").real(parse_real("--max-a", *v));
  if (auto v = p.option("--priority")) body.key("priority").real(parse_real("--priority", *v));
  inv.body = body.end_object().text();
}

void set_mode(const Parsed& p, Invocation& inv) {
  evse_target(p, inv);
  JsonBody body;
  inv.body = body.object().key("mode").str(p.args[1]).end_object().text();
}

// carbon bundle --out DIR: the files go into DIR.
void bundle_dir(const Parsed& p, Invocation& inv) {
  const auto dir = p.option("--out");
  if (!dir || dir->empty()) throw UsageError("carbon bundle needs --out DIR");
  inv.output_file = *dir;
}

// `cmd` options with a fixed name and type (the contract of the command API);
// any other --some-flag becomes "someFlag".
enum class ParamType { String, Integer, IntegerOrString };
struct Param {
  const char* flag;
  const char* field;
  ParamType type;
};
const std::vector<Param>& command_params() {
  static const std::vector<Param> params = {
      {"connector", "connector", ParamType::Integer},
      {"idtag", "idTag", ParamType::String},
      {"evse", "evse", ParamType::Integer},
      {"type", "type", ParamType::String},
      {"transaction", "transactionId", ParamType::IntegerOrString},
      {"key", "key", ParamType::String},
      {"value", "value", ParamType::String},
      {"vendor", "vendorId", ParamType::String},
      {"message-id", "messageId", ParamType::String},
      {"data", "data", ParamType::String},
      {"message", "message", ParamType::String},
      {"token-type", "tokenType", ParamType::String},
      {"base", "base", ParamType::String},
      {"parent", "parent", ParamType::String},
      {"expires", "expires", ParamType::String},
      // Hexadecimal: "0123" must not become the number 123.
      {"issuer-name-hash", "issuerNameHash", ParamType::String},
      {"issuer-key-hash", "issuerKeyHash", ParamType::String},
      {"serial", "serialNumber", ParamType::String},
      // An MD5 or a signature of digits only is still text.
      {"checksum", "checksum", ParamType::String},
      {"signature", "signature", ParamType::String},
  };
  return params;
}

// `cmd ID cert-install|cert-signed --file PATH`: the PEM goes as the
// certificate (chain) parameter, so the operator need not paste it.
void add_pem_file(const std::string& command, const std::optional<std::string>& path,
                  JsonBody& body, std::set<std::string>& seen) {
  if (!path) throw UsageError("--file needs a path");
  const std::string field = command == "cert-signed" ? "certificateChain" : "certificate";
  if (command != "cert-install" && command != "cert-signed")
    throw UsageError("--file is for cert-install and cert-signed");
  if (!seen.insert(field).second)
    throw UsageError("give the certificate once: --file or --" +
                     std::string(command == "cert-signed" ? "certificate-chain" : "certificate"));
  std::ifstream in(*path, std::ios::binary);
  if (!in) throw InputError("cannot read " + *path);
  std::stringstream text;
  text << in.rdbuf();
  body.key(field).str(text.str());
}

// The parameters of `cmd ID COMMAND [--param VALUE]... [WORD]...` as a JSON object.
void build_command(const Parsed& p, Invocation& inv) {
  JsonBody body;
  body.object();
  std::set<std::string> seen;
  for (const auto& [flag, value] : p.extra) {
    if (flag == "file") {
      add_pem_file(p.args[1], value, body, seen);
      continue;
    }
    const Param* known = nullptr;
    for (const auto& param : command_params()) {
      if (flag == param.flag) known = &param;
    }
    const std::string field = known ? known->field : camel_case(flag);
    if (field.empty()) throw UsageError("--" + flag + " is not a parameter name");
    if (!seen.insert(field).second) throw UsageError("--" + flag + " is given twice");
    body.key(field);
    if (!value) {
      if (known) throw UsageError("--" + flag + " needs a value");
      body.flag(true);  // A bare switch: "--force" -> "force": true.
      continue;
    }
    const auto number = parse_integer(*value);
    const ParamType type = known ? known->type : ParamType::IntegerOrString;
    if (type == ParamType::Integer) {
      if (!number) throw UsageError("--" + flag + " needs an integer, not \"" + *value + "\"");
      body.num(*number);
    } else if (type == ParamType::IntegerOrString && number) {
      body.num(*number);
    } else if (!known && (*value == "true" || *value == "false")) {
      body.flag(*value == "true");
    } else {
      body.str(*value);
    }
  }
  if (p.args.size() > 2) {
    body.key("keys").array();
    for (std::size_t i = 2; i < p.args.size(); ++i) body.str(p.args[i]);
    body.end_array();
  }
  inv.body = body.end_object().text();
}

// The commands (contract: keep the names). Table columns are JSON field names.
// One command per block reads better than clang-format's one field a line.
// clang-format off
const std::vector<Spec>& specs() {
  using F = Format;
  static const std::vector<Spec> table = {
      {"station", "add", "ID", "register a station, or change its password or security profile",
       "POST", "/api/stations", "id",
       {{"--password", "PW", "password", Put::Body},
        {"--security-profile", "1|2|3", "securityProfile", Put::BodyInteger},
        {"--allow-downgrade", nullptr, "allowDowngrade", Put::BodySwitch}}},
      {"station", "set", "ID", "change a registered station's security profile",
       "POST", "/api/stations/{0}/security", nullptr,
       {{"--security-profile", "1|2|3", "securityProfile", Put::BodyInteger},
        {"--allow-downgrade", nullptr, "allowDowngrade", Put::BodySwitch}}},
      {"station", "rotate-password", "ID",
       "give a station a new password (generated unless --password); kept once it accepts",
       "POST", "/api/stations/{0}/commands/rotate-password", nullptr,
       {{"--password", "PW", "password", Put::Body}}},
      {"station", "upgrade-security", "ID",
       "raise a station's security profile: root certificate, network profile, reset",
       "POST", "/api/stations/{0}/commands/upgrade-security", nullptr,
       {{"--to", "2|3", "to", Put::BodyInteger},
        {"--root-cert", "FILE", "rootCertificate", Put::Local},
        {"--force", nullptr, "force", Put::BodySwitch}},
       F::Record, {}, nullptr, root_cert_file},
      {"station", "list", "", "list the registered stations",
       "GET", "/api/stations", nullptr, {}, F::Table,
       {"id", "connected", "ocppVersion", "vendor", "model", "registration", "hasPassword",
        "lastSeen"}},
      {"station", "show", "ID", "show a station, its connectors and (2.0.1) its device model",
       "GET", "/api/stations/{0}", nullptr, {}},
      {"station", "variables", "ID", "every device-model variable a 2.0.1 station reported",
       "GET", "/api/stations/{0}/variables", nullptr, {}, F::Table,
       {"component", "componentInstance", "evseId", "connectorId", "variable", "variableInstance",
        "attributeType", "value", "mutability", "dataType", "unit"}},
      {"station", "profiles", "ID", "the charging profiles installed on a station (set or reported)",
       "GET", "/api/stations/{0}/profiles", nullptr, {}, F::Table,
       {"id", "connectorId", "purpose", "stackLevel", "kind", "recurrency", "limit", "unit",
        "transactionId", "validTo", "accepted", "source"}},
      {"station", "monitors", "ID", "the variable monitors of a 2.0.1 station (set or reported)",
       "GET", "/api/stations/{0}/monitors", nullptr, {}, F::Table,
       {"id", "component", "evseId", "variable", "type", "value", "severity", "transaction",
        "source", "lastEventAt", "lastEventValue"}},
      {"station", "display-messages", "ID",
       "the display messages a 2.0.1 station last reported (display-get), or of --request N",
       "GET", "/api/stations/{0}/display-messages", nullptr,
       {{"--request", "N", "requestId", Put::QueryInteger}}},
      {"station", "customer-info", "ID",
       "the customer information reports of a 2.0.1 station (customer-info), assembled",
       "GET", "/api/stations/{0}/customer-information", nullptr,
       {{"--request", "N", "requestId", Put::QueryInteger}}, F::Table,
       {"requestId", "parts", "complete", "generatedAt", "data"}},
      {"station", "import", "FILE.csv", "register stations from CSV rows id[,password]",
       "POST", "/api/stations/import", nullptr, {}, F::Record, {}, nullptr, import_stations_csv},
      {"station", "remove", "ID", "unregister a station (its history stays)",
       "DELETE", "/api/stations/{0}", nullptr, {}, F::Record, {}, "removed station {0}"},

      {"idtag", "add", "TAG", "add or replace an id tag",
       "POST", "/api/idtags", "idTag",
       {{"--status", "S", "status", Put::Body},
        {"--expiry", "RFC3339", "expiry", Put::Body},
        {"--parent", "TAG", "parentIdTag", Put::Body}}},
      {"idtag", "list", "", "list the id tags",
       "GET", "/api/idtags", nullptr, {}, F::Table, {"idTag", "status", "expiry", "parentIdTag"}},
      {"idtag", "block", "TAG", "block an id tag",
       "POST", "/api/idtags/{0}/block", nullptr, {}},
      {"idtag", "remove", "TAG", "delete an id tag",
       "DELETE", "/api/idtags/{0}", nullptr, {}, F::Record, {}, "removed id tag {0}"},
      {"idtag", "import", "FILE.csv", "import CSV rows idTag[,status[,expiry[,parent]]]",
       "POST", "/api/idtags/import", nullptr, {}, F::Record, {}, nullptr, import_csv},

      {"tx", "list", "", "list transactions, newest first",
       "GET", "/api/transactions", nullptr,
       {{"--station", "ID", "stationId", Put::Query},
        {"--idtag", "TAG", "idTag", Put::Query},
        {"--from", "T", "from", Put::Query},
        {"--to", "T", "to", Put::Query},
        {"--active", nullptr, "active", Put::QuerySwitch},
        {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table,
       {"id", "stationId", "connectorId", "idTag", "startTime", "stopTime", "energyWh",
        "stopReason"}},
      // --station picks a 2.0.1 transaction whose id two stations used.
      {"tx", "show", "ID", "show a transaction and its meter values",
       "GET", "/api/transactions/{0}", nullptr, {{"--station", "ID", "stationId", Put::Query}}},
      {"tx", "close", "ID", "close a transaction its station will never end (--reason required)",
       "POST", "/api/transactions/{0}/close", nullptr,
       {{"--reason", "TEXT", "reason", Put::Body}, {"--station", "ID", "stationId", Put::Body}}},
      {"alerts", "", "", "alerts, newest first (--open: only those still open)",
       "GET", "/api/alerts", nullptr,
       {{"--open", nullptr, "open", Put::QuerySwitch},
        {"--station", "ID", "stationId", Put::Query},
        {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table,
       {"id", "kind", "stationId", "connectorId", "openedAt", "closedAt", "details",
        "closeReason"}},
      {"report", "availability", "", "availability of stations and connectors in a month (AFIR)",
       "GET", "/api/reports/availability", nullptr,
       {{"--month", "YYYY-MM", "month", Put::Query},
        {"--station", "ID", "stationId", Put::Query},
        {"--csv", nullptr, "format", Put::Local}},
       F::Record, {}, nullptr, report_format},

      {"reservation", "list", "", "list reservations, newest first",
       "GET", "/api/reservations", nullptr,
       {{"--station", "ID", "stationId", Put::Query},
        {"--active", nullptr, "active", Put::QuerySwitch},
        {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table,
       {"id", "stationId", "evseId", "connectorId", "idTag", "expiry", "status", "transactionId"}},
      {"ca", "init", "", "create the station CA (EC P-256, 10 years) beside the database",
       "POST", "/api/ca", nullptr, {{"--org", "ORG", "organization", Put::Body}}},
      {"ca", "show", "", "the station CA's certificate (PEM) and SHA-256 fingerprint",
       "GET", "/api/ca", nullptr, {}},
      {"ca", "issue-server", "",
       "a server certificate for the CSMS signed by the CA (lab setups): DIR/server.pem, "
       "DIR/server.key",
       "POST", "/api/ca/server-certificate", nullptr,
       {{"--dns", "HOST[,HOST...]", "dns", Put::Local},
        {"--ip", "IP[,IP...]", "ip", Put::Local},
        {"--out", "DIR", "out", Put::Local}},
       F::Files, {}, nullptr, issue_server},
      {"station", "certificates", "ID", "the certificates the CA issued to a station, newest first",
       "GET", "/api/stations/{0}/certificates", nullptr,
       {{"--expired", nullptr, "expired", Put::QuerySwitch}}, F::Table,
       {"serial", "subject", "notBefore", "notAfter", "sha256", "delivery", "revoked"}},
      {"station", "revoke-certificate", "ID SERIAL",
       "revoke a station certificate: CRL rewritten, the station disconnected",
       "POST", "/api/stations/{0}/certificates/{1}/revoke", nullptr,
       {{"--reason", "R", "reason", Put::Local}}, F::Record, {}, nullptr, revoke_certificate},
      {"station", "local-list", "ID", "the local authorization list the station last accepted",
       "GET", "/api/stations/{0}/local-list", nullptr, {}},

      {"cmd", "", "ID COMMAND [WORD...]", "send COMMAND to station ID (see csmsctl cmd --help)",
       "POST", "/api/stations/{0}/commands/{1}", nullptr, {}, F::Command, {}, nullptr,
       build_command, true},
      {"log", "", "ID", "the station's recent OCPP frames, newest first",
       "GET", "/api/stations/{0}/log", nullptr, {{"--limit", "N", "limit", Put::QueryInteger}},
       F::Table, {"timestamp", "direction", "frame"}},
      {"token", "create", "NAME", "a named admin API token, --role viewer|operator|admin "
       "(printed once)",
       "POST", "/api/tokens", "name", {{"--role", "R", "role", Put::Body}}},
      {"token", "list", "", "list the admin API tokens (never the tokens themselves)",
       "GET", "/api/tokens", nullptr, {}, F::Table,
       {"name", "role", "createdAt", "createdBy", "revokedAt"}},
      {"token", "revoke", "NAME", "revoke an admin API token (at once)",
       "DELETE", "/api/tokens/{0}", nullptr, {}},
      {"audit", "", "", "the admin audit log (changes, commands, refusals), newest first",
       "GET", "/api/audit", nullptr,
       {{"--limit", "N", "limit", Put::QueryInteger}, {"--since", "T", "since", Put::Query}},
       F::Table, {"at", "token", "role", "method", "path", "target", "status", "result", "summary"}},
      {"events", "", "", "recent security events (CSMS-detected and station-reported), newest first",
       "GET", "/api/events", nullptr,
       {{"--station", "ID", "stationId", Put::Query},
        {"--critical", nullptr, "critical", Put::QuerySwitch},
        {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table, {"id", "timestamp", "stationId", "type", "critical", "remoteAddress", "techInfo"}},
      {"tls", "reload", "", "re-read the TLS certificate, key, client CAs and CRLs (like SIGHUP)",
       "POST", "/api/tls/reload", nullptr, {}},
      {"notifications", "", "", "what stations notified (firmware, logs, events...), newest first",
       "GET", "/api/notifications", nullptr,
       {{"--station", "ID", "stationId", Put::Query},
        {"--action", "ACTION", "action", Put::Query},
        {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table, {"id", "receivedAt", "stationId", "action", "payload"}},
      {"station", "firmware", "ID",
       "firmware status (current and history, newest first), firmware requests, "
       "diagnostics/log upload status",
       "GET", "/api/stations/{0}/firmware", nullptr,
       {{"--topic", "firmware|publish|diagnostics|log", "topic", Put::Query},
        {"--limit", "N", "limit", Put::QueryInteger}}},
      {"files", "list", "", "files stations uploaded (diagnostics, logs), newest first",
       "GET", "/api/files", nullptr,
       {{"--station", "ID", "stationId", Put::Query}, {"--limit", "N", "limit", Put::QueryInteger}},
       F::Table, {"id", "stationId", "action", "requestId", "name", "size", "sha256", "receivedAt"}},
      {"files", "get", "FILE_ID", "download an uploaded file (to --out PATH, else to stdout)",
       "GET", "/api/files/{0}", nullptr, {{"--out", "PATH", "out", Put::Local}}, F::Raw, {},
       nullptr, download_to},
      {"site", "add", "SITE", "add or change a site (its grid region picks the grid factor)",
       "POST", "/api/sites", "id",
       {{"--name", "N", "name", Put::Body},
        {"--region", "R", "region", Put::Body},
        {"--timezone", "TZ", "timezone", Put::Body},
        {"--address", "TEXT", "address", Put::Body},
        {"--lat", "X", "latitude", Put::BodyNumber},
        {"--lon", "Y", "longitude", Put::BodyNumber}}},
      {"site", "list", "", "list the sites",
       "GET", "/api/sites", nullptr, {}, F::Table,
       {"id", "name", "region", "timezone", "latitude", "longitude"}},
      {"site", "show", "SITE", "show a site, its stations and green certificates",
       "GET", "/api/sites/{0}", nullptr, {}},
      {"site", "remove", "SITE", "remove a site (its stations then belong to none)",
       "DELETE", "/api/sites/{0}", nullptr, {}, F::Record, {}, "removed site {0}"},
      {"site", "green-certificate", "SITE",
       "record retired green certificates of a month (each id counts once)",
       "POST", "/api/sites/{0}/green-certificates", nullptr,
       {{"--month", "YYYY-MM", "month", Put::Local},
        {"--kwh", "N", "kwh", Put::Local},
        {"--ids", "ID[,ID...]", "ids", Put::Local}},
       F::Record, {}, nullptr, certificate_ids},
      {"station", "set-site", "STATION SITE", "put a station at a site; --current-type sets its charger type",
       "POST", "/api/stations/{0}/carbon", nullptr,
       {{"--current-type", "AC|DC", "currentType", Put::Local}}, F::Record, {}, nullptr, set_site},
      {"station", "leave-site", "STATION", "take a station off its site",
       "POST", "/api/stations/{0}/carbon", nullptr, {}, F::Record, {}, nullptr, leave_site},
      {"station", "set-meter-key", "STATION KEY",
       "register the public key of the station's signed (OCMF) meter",
       "POST", "/api/stations/{0}/carbon", nullptr, {}, F::Record, {}, nullptr, set_meter_key},

      {"site", "set-limit", "SITE", "a site's grid import limit and energy controller settings",
       "POST", "/api/sites/{0}/energy", nullptr,
       {{"--import-kw", "KW", "importLimitKw", Put::BodyNumber},
        {"--margin-kw", "KW", "marginKw", Put::BodyNumber},
        {"--max-base-kw", "KW", "maxBaseKw", Put::BodyNumber},
        {"--battery-priority-soc", "PCT", "batteryPrioritySoc", Put::BodyNumber},
        {"--battery-max-discharge-kw", "KW", "batteryMaxDischargeKw", Put::BodyNumber},
        {"--period-s", "S", "periodS", Put::BodyInteger},
        {"--reading-max-age-s", "S", "readingMaxAgeS", Put::BodyInteger},
        {"--safe-a", "A", "safeCurrentA", Put::BodyNumber},
        {"--lease-s", "S", "leaseS", Put::BodyInteger}}},
      {"site", "mode", "SITE MODE",
       "the site's default charging mode: fast, smart or off (--keep-minimum yes: smart "
       "never below the minimum current)",
       "POST", "/api/sites/{0}/energy", nullptr,
       {{"--keep-minimum", "yes|no", "smartKeepMinimum", Put::Local}}, F::Record, {}, nullptr,
       site_mode},
      {"site", "windows", "SITE [HH:MM-HH:MM=KW...]",
       "daily windows (the site's local time) with a lower import limit; none clears them",
       "POST", "/api/sites/{0}/energy", nullptr, {}, F::Record, {}, nullptr, site_windows},
      {"site", "circuit", "add|remove|list SITE [CIRCUIT]",
       "the site's circuit tree (fuses, feeders: --max-a per phase, --max-kw)",
       "GET", "/api/sites", nullptr,
       {{"--parent", "CIRCUIT", "parent", Put::Local},
        {"--max-a", "A", "maxCurrentA", Put::Local},
        {"--max-kw", "KW", "maxPowerKw", Put::Local}},
       F::Record, {}, nullptr, site_circuit},
      {"site", "meter", "add|remove|list SITE [NAME]",
       "Modbus TCP meters (SunSpec) the CSMS polls for the site's grid, PV, battery or a circuit",
       "GET", "/api/sites", nullptr,
       {{"--host", "HOST", "host", Put::Local},
        {"--port", "N", "port", Put::Local},
        {"--unit", "N", "unitId", Put::Local},
        {"--role", "grid|pv|battery|circuit", "role", Put::Local},
        {"--circuit", "CIRCUIT", "circuit", Put::Local},
        {"--poll-s", "S", "pollIntervalS", Put::Local},
        {"--max-age-s", "S", "maxAgeS", Put::Local}},
       F::Record, {}, nullptr, site_meter},
      {"site", "reading", "SITE", "push meter readings (W; import and battery charging positive)",
       "POST", "/api/sites/{0}/readings", nullptr,
       {{"--grid-w", "W", "gridW", Put::BodyNumber},
        {"--pv-w", "W", "pvW", Put::BodyNumber},
        {"--battery-w", "W", "batteryW", Put::BodyNumber},
        {"--battery-soc", "PCT", "batterySoc", Put::BodyNumber},
        {"--base-w", "W", "baseW", Put::BodyNumber},
        {"--max-age-s", "S", "maxAgeS", Put::BodyInteger},
        {"--circuit", "CIRCUIT", "circuit", Put::Body},
        {"--currents-a", "A[,A,A]", "currentsA", Put::Local}},
       F::Record, {}, nullptr, site_reading},
      {"site", "energy", "SITE", "live: readings, each EVSE's allocation and draw, what binds",
       "GET", "/api/sites/{0}/energy", nullptr, {}},
      {"site", "decisions", "SITE", "the energy controller's decisions with their inputs",
       "GET", "/api/sites/{0}/decisions", nullptr, {{"--limit", "N", "limit", Put::QueryInteger}},
       F::Table, {"time", "budgetW", "binding", "failSafe"}},
      {"station", "set-circuit", "STATION CIRCUIT",
       "where an EVSE hangs (grid: the connection), its phases, limits and priority",
       "POST", "/api/stations/{0}/evses", nullptr,
       {{"--evse", "N", "evse", Put::Local},
        {"--phases", "N", "phases", Put::Local},
        {"--rotation", "L1L2L3", "rotation", Put::Local},
        {"--min-a", "A", "minCurrentA", Put::Local},
        {"--max-a", "A", "maxCurrentA", Put::Local},
        {"--priority", "P", "priority", Put::Local}},
       F::Record, {}, nullptr, set_circuit},
      {"station", "set-mode", "STATION MODE", "an EVSE's charging mode: fast, smart, off, default",
       "POST", "/api/stations/{0}/evses", nullptr, {{"--evse", "N", "evse", Put::Local}},
       F::Record, {}, nullptr, set_mode},

      {"factor", "list", "", "the carbon method's parameters (emission factors...)",
       "GET", "/api/carbon/factors", nullptr,
       {{"--kind", "K", "kind", Put::Query}, {"--region", "R", "region", Put::Query}}, F::Table,
       {"id", "kind", "variant", "value", "unit", "region", "vintage", "validFrom", "source"}},
      {"factor", "add", "", "add a parameter value, valid from now or later (never back-dated)",
       "POST", "/api/carbon/factors", nullptr,
       {{"--kind", "K", "kind", Put::Body},
        {"--value", "V", "value", Put::BodyNumber},
        {"--variant", "V", "variant", Put::Body},
        {"--unit", "U", "unit", Put::Body},
        {"--region", "R", "region", Put::Body},
        {"--vintage", "YEAR", "vintage", Put::BodyInteger},
        {"--valid-from", "T", "validFrom", Put::Body},
        {"--source", "TEXT", "source", Put::Body}}},

      {"carbon", "tx", "TX_ID", "a transaction's carbon record, its factors and history",
       "GET", "/api/carbon/transactions/{0}", nullptr,
       {{"--station", "ID", "stationId", Put::Query}}},
      {"carbon", "account", "TAG", "a driver's carbon account: balance in points and grams",
       "GET", "/api/carbon/accounts/{0}", nullptr, {}},
      {"carbon", "ledger", "[TAG]", "the carbon ledger (of one account), oldest first",
       "GET", "/api/carbon/ledger", nullptr,
       {{"--from", "T", "from", Put::Query}, {"--to", "T", "to", Put::Query}}, F::Table,
       {"seq", "time", "account", "type", "points", "grams", "ref", "hash"}, nullptr,
       ledger_account},
      {"carbon", "redeem", "TAG", "redeem points (refused beyond the balance)",
       "POST", "/api/carbon/accounts/{0}/redeem", nullptr,
       {{"--points", "N", "points", Put::BodyInteger}, {"--reason", "TEXT", "reason", Put::Body}}},
      {"carbon", "donate", "TAG", "donate points to an offset (refused beyond the balance)",
       "POST", "/api/carbon/accounts/{0}/donate", nullptr,
       {{"--points", "N", "points", Put::BodyInteger}, {"--to", "TEXT", "to", Put::Body}}},
      {"carbon", "adjust", "TAG", "add (or with a negative N take) points, with a reason",
       "POST", "/api/carbon/accounts/{0}/adjust", nullptr,
       {{"--points", "N", "points", Put::BodyInteger}, {"--reason", "TEXT", "reason", Put::Body}}},
      {"carbon", "link", "TAG", "credit a token's (or group token's) sessions to one account",
       "POST", "/api/carbon/links", "idTag", {{"--account", "ACCOUNT", "account", Put::Body}}},
      {"carbon", "verify", "", "recompute the ledger's hash chain; fails naming a broken entry",
       "GET", "/api/carbon/verify", nullptr, {}},
      {"carbon", "report", "", "monthly report of a site, or a driver's statement (--account)",
       "GET", "/api/carbon/report", nullptr,
       {{"--site", "SITE", "site", Put::Query},
        {"--account", "TAG", "account", Put::Query},
        {"--month", "YYYY-MM", "month", Put::Query},
        {"--csv", nullptr, "format", Put::Local}},
       F::Record, {}, nullptr, report_format},
      {"carbon", "bundle", "", "write a verification bundle (data, keys, factors, manifest)",
       "GET", "/api/carbon/bundle", nullptr,
       {{"--site", "SITE", "site", Put::Query},
        {"--month", "YYYY-MM", "month", Put::Query},
        {"--out", "DIR", "out", Put::Local}},
       F::Files, {}, nullptr, bundle_dir},
      {"commands", "", "", "list the commands stations accept",
       "GET", "/api/commands", nullptr, {}, F::Lines},
      {"backup", "", "", "a consistent copy of the running server's database, into FILE (0600)",
       "GET", "/api/backup", nullptr, {{"--out", "FILE", "out", Put::Local}}, F::Raw, {},
       nullptr, backup_to},
      {"version", "", "", "print the versions of csmsctl and of the server",
       "GET", "/health", nullptr, {}, F::Version},
  };
  return table;
}
// clang-format on

// "{0}" and "{1}" in `pattern` -> the arguments, percent-encoded or as given.
std::string substitute(std::string pattern, const std::vector<std::string>& args, bool encoded) {
  for (std::size_t i = 0; i < args.size() && i < 10; ++i) {
    const std::string slot = "{" + std::to_string(i) + "}";
    for (auto at = pattern.find(slot); at != std::string::npos; at = pattern.find(slot))
      pattern.replace(at, slot.size(), encoded ? encode(args[i]) : args[i]);
  }
  return pattern;
}

// The request a table row describes.
void build(const Spec& spec, const Parsed& p, Invocation& inv) {
  inv.method = spec.method;
  inv.target = substitute(spec.path, p.args, true);
  inv.format = spec.format;
  inv.columns = spec.columns;
  if (spec.done) inv.done_message = substitute(spec.done, p.args, false);

  JsonBody body;
  bool has_body = false;
  if (spec.body_arg) {
    body.object().key(spec.body_arg).str(p.args[0]);
    has_body = true;
  }
  std::string query;
  for (const auto& o : spec.options) {
    const auto value = p.option(o.name);
    if (!value || o.put == Put::Local) continue;
    if (o.put == Put::Body || o.put == Put::BodyNumber || o.put == Put::BodyInteger ||
        o.put == Put::BodySwitch) {
      if (!has_body) body.object();
      has_body = true;
      body.key(o.key);
      if (o.put == Put::Body) {
        body.str(*value);
      } else if (o.put == Put::BodySwitch) {
        body.flag(true);
      } else if (o.put == Put::BodyInteger) {
        const auto n = parse_integer(*value);
        if (!n) throw UsageError(std::string(o.name) + " needs an integer, not \"" + *value + "\"");
        body.num(*n);
      } else {
        body.real(parse_real(o.name, *value));
      }
      continue;
    }
    if (o.put == Put::QueryInteger && !parse_integer(*value))
      throw UsageError(std::string(o.name) + " needs an integer, not \"" + *value + "\"");
    query += (query.empty() ? "?" : "&") + std::string(o.key) + "=" +
             (o.put == Put::QuerySwitch ? "true" : encode(*value));
  }
  inv.target += query;
  if (has_body) inv.body = body.end_object().text();
  if (spec.custom) spec.custom(p, inv);
}

// Argument counts from the usage text: "ID COMMAND [WORD...]" takes 2 or more.
std::pair<std::size_t, std::size_t> argument_range(const Spec& spec) {
  std::size_t required = 0;
  std::size_t optional = 0;
  bool many = false;
  std::istringstream words(spec.args);
  for (std::string w; words >> w;) {
    if (w.find("...") != std::string::npos) many = true;
    (w[0] == '[' ? optional : required) += 1;
  }
  return {required, many ? static_cast<std::size_t>(-1) : required + optional};
}

std::string spec_usage(const Spec& s) {
  std::string u = s.group;
  if (*s.name) u += std::string(" ") + s.name;
  if (*s.args) u += std::string(" ") + s.args;
  for (const auto& o : s.options)
    u += std::string(" [") + o.name + (o.value ? std::string(" ") + o.value : "") + "]";
  if (s.any_flags) u = "cmd ID COMMAND [--param VALUE]... [WORD]...";
  return u;
}

// One line per command: usage, then the summary in a column (or on the next
// line when the usage is too long for the column).
std::string usage_lines(std::string_view group) {
  constexpr std::size_t kColumn = 36;
  std::string out;
  for (const auto& s : specs()) {
    if (!group.empty() && group != s.group) continue;
    const std::string u = spec_usage(s);
    out += "  " + u;
    if (u.size() + 2 <= kColumn) {
      out += std::string(kColumn - u.size(), ' ');
    } else {
      out += "\n" + std::string(kColumn + 2, ' ');
    }
    out += std::string(s.summary) + "\n";
  }
  return out;
}

std::string command_help() {
  std::string out =
      "usage: csmsctl cmd ID COMMAND [--param VALUE]... [WORD]...\n"
      "\n"
      "Sends COMMAND to station ID in the station's OCPP version and prints its\n"
      "answer (`csmsctl commands` asks the server for the list):\n"
      "  both versions: remote-start, remote-stop, reset, unlock, availability,\n"
      "                 trigger, clear-cache, data-transfer, set-profile,\n"
      "                 clear-profile, composite-schedule\n"
      "  both versions also: firmware-update, get-log\n"
      "  both versions, reservations: reserve, cancel-reservation, local-list\n"
      "  OCPP 1.6 only: get-config, set-config\n"
      "  both versions, certificates: cert-install, cert-list, cert-delete, cert-signed\n"
      "  OCPP 2.0.1 only, display and customer: display-set, display-get,\n"
      "                   display-clear, customer-info\n"
      "  OCPP 1.6 only also: diagnostics\n"
      "  OCPP 2.0.1 only also: firmware-publish, firmware-unpublish\n"
      "  OCPP 2.0.1 only: get-variables, set-variables, report, tx-status,\n"
      "                   monitor-set, monitor-base, monitor-level, monitor-report,\n"
      "                   monitor-clear, cost-update, network-profile,\n"
      "                   get-profiles\n"
      "An option the station's version cannot take (e.g. --connector for a 2.0.1\n"
      "remote start) is refused before anything is sent. Options become the\n"
      "command's JSON parameters:\n"
      "\n";
  for (const auto& p : command_params()) {
    std::string left =
        std::string("--") + p.flag + " " + (p.type == ParamType::String ? "TEXT" : "N");
    // A long flag pushes its field one space right rather than underflowing.
    out += "  " + left + std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') + "\"" +
           p.field + "\": " +
           (p.type == ParamType::Integer           ? "N (integer)"
            : p.type == ParamType::IntegerOrString ? "N (integer, or text if not a number)"
                                                   : "\"TEXT\"") +
           "\n";
  }
  out +=
      "  WORD...               \"keys\": [\"WORD\", ...] (get-config keys, the trigger\n"
      "                        message, get/set-variables references, report filters)\n"
      "  --other-flag X        \"otherFlag\": X (integer if it looks like one; a flag\n"
      "                        without a value is true)\n"
      "\n"
      "examples:\n"
      "  csmsctl cmd CP1 remote-start --connector 1 --idtag TAG1\n"
      "  csmsctl cmd CP1 reset --type Soft\n"
      "  csmsctl cmd CP1 get-config HeartbeatInterval MeterValueSampleInterval\n"
      "  csmsctl cmd CP1 set-config --key HeartbeatInterval --value 60\n"
      "  csmsctl cmd CP1 trigger StatusNotification --connector 1\n"
      "  csmsctl cmd CP1 firmware-update --location URL [--retrieve RFC3339] [--retries N]\n"
      "      [--retry-interval S] [--signature B64 --signing-certificate PEM [--install RFC3339]]\n"
      "      (1.6: signed goes as SignedUpdateFirmware; status in station firmware)\n"
      "  csmsctl cmd CP1 diagnostics [--start T] [--stop T] [--retries N] [--location URL]\n"
      "  csmsctl cmd CP1 get-log [--type DiagnosticsLog|SecurityLog] [--oldest T] [--latest T]\n"
      "      (uploads land in files list unless --location names another place)\n"
      "  csmsctl cmd CP1 set-profile --connector 1 --limit 16 --unit A\n"
      "      [--purpose TxDefaultProfile|TxProfile|ChargePointMaxProfile] [--id N]\n"
      "      [--stack-level N] [--kind Absolute|Recurring|Relative]\n"
      "      [--recurrency Daily|Weekly] [--start RFC3339] [--duration S]\n"
      "      [--transaction ID] [--min-rate R] [--phases N] [--valid-from RFC3339]\n"
      "      [--valid-to RFC3339]   (2.0.1: --connector is the EVSE id)\n"
      "  csmsctl cmd CP1 clear-profile [--id N] [--connector N] [--purpose P]\n"
      "      [--stack-level N]\n"
      "  csmsctl cmd CP1 composite-schedule --connector 1 --duration 3600 [--unit W|A]\n"
      "  csmsctl cmd CP1 reserve --connector 1 --idtag TAG1 --expires RFC3339 [--parent TAG]\n"
      "      (2.0.1: --connector is the EVSE; also [--token-type T] [--connector-type cType2])\n"
      "  csmsctl cmd CP1 cancel-reservation --id N\n"
      "  csmsctl cmd CP1 local-list send [--full]   (differential unless --full or needed)\n"
      "  csmsctl cmd CP1 local-list version        (GetLocalListVersion; stored)\n"
      "\n"
      "2.0.1 examples (device-model references are\n"
      "Component[#instance][@evse[:connector]].Variable[#instance][/AttributeType]):\n"
      "  csmsctl cmd CS1 remote-start --evse 1 --idtag TAG1 [--token-type ISO14443]\n"
      "  csmsctl cmd CS1 remote-stop --transaction TX-0001\n"
      "  csmsctl cmd CS1 reset --type Immediate|OnIdle [--evse 1]\n"
      "  csmsctl cmd CS1 unlock --evse 1 [--connector 1]\n"
      "  csmsctl cmd CS1 trigger StatusNotification --evse 1 --connector 1\n"
      "  csmsctl cmd CS1 get-variables OCPPCommCtrlr.HeartbeatInterval EVSE@1.AvailabilityState\n"
      "  csmsctl cmd CS1 set-variables OCPPCommCtrlr.HeartbeatInterval=30\n"
      "  csmsctl cmd CS1 report [--base FullInventory|ConfigurationInventory|SummaryInventory]\n"
      "  csmsctl cmd CS1 report OCPPCommCtrlr EVSE@1.AvailabilityState\n"
      "  csmsctl cmd CS1 tx-status --transaction TX-0001\n"
      "  csmsctl cmd CS1 display-set --message TEXT --priority AlwaysFront|InFront|NormalCycle\n"
      "      [--id N] [--state Charging|Faulted|Idle|Unavailable] [--start T] [--end T]\n"
      "      [--transaction ID] [--format ASCII|HTML|URI|UTF8] [--language xx]\n"
      "  csmsctl cmd CS1 display-get [ID...] [--priority P] [--state S]\n"
      "  csmsctl cmd CS1 display-clear --id N\n"
      "  csmsctl cmd CS1 customer-info --idtag TAG [--token-type T] | --customer-id X\n"
      "      [--report] [--clear]   (the parts land in station customer-info)\n"
      "  csmsctl cmd CS1 cert-install --type CSMSRootCertificate --file ca.pem\n"
      "  csmsctl cmd CS1 cert-list [TYPE...]   (1.6: exactly one TYPE)\n"
      "  csmsctl cmd CS1 cert-delete --issuer-name-hash H --issuer-key-hash H --serial S\n"
      "      [--hash-algorithm SHA256]\n"
      "  csmsctl cmd CS1 cert-signed --file chain.pem | --certificate-chain PEM\n"
      "      [--type ChargingStationCertificate|V2GCertificate]\n"
      "  csmsctl cmd CS1 firmware-publish --location URL --checksum MD5 [--retries N]\n"
      "  csmsctl cmd CS1 firmware-unpublish --checksum MD5\n"
      "  csmsctl cmd CS1 get-profiles [--connector EVSE] [--purpose P] [--stack-level N]\n"
      "      [--id N] [--source CSO|EMS|SO|Other]   (the reports land in station profiles)\n"
      "  csmsctl cmd CS1 monitor-set EVSE@1.Power --type UpperThreshold --value 7000 --severity 4\n"
      "      [--id N] [--transaction true]   (several references: several monitors)\n"
      "  csmsctl cmd CS1 monitor-base All|FactoryDefault|HardWiredOnly\n"
      "  csmsctl cmd CS1 monitor-level 0..9\n"
      "  csmsctl cmd CS1 monitor-report [--criteria ThresholdMonitoring,DeltaMonitoring] [REF]...\n"
      "  csmsctl cmd CS1 monitor-clear 3 4 | --id 3[,4...]\n"
      "  csmsctl cmd CS1 cost-update --transaction TX-0001 --total-cost 12.34\n"
      "  csmsctl cmd CS1 network-profile --slot 2 --csms-url ws://host:8180/ocpp\n"
      "      --security-profile 1 [--interface Wired0] [--ocpp-version OCPP20]\n"
      "      [--transport JSON] [--message-timeout 30]\n";
  return out;
}

constexpr const char* kCsvHelp =
    "\n"
    "One id tag a line: idTag[,status[,expiry[,parentIdTag]]]. status is Accepted\n"
    "(the default), Blocked, Expired or Invalid; expiry is RFC 3339. A first line\n"
    "starting with \"idTag\" is a header; blank lines and lines starting with # are\n"
    "skipped; fields may be double-quoted. Every row is checked first and bad rows\n"
    "are reported by line number: the import is all or nothing.\n";

constexpr const char* kStationCsvHelp =
    "\n"
    "One station a line: id[,password]. The id follows the station identity rules\n"
    "(1 to 48 of letters, digits and * - _ = + | @ .); an empty password keeps the\n"
    "station's current one (none for a new station). A first line starting with\n"
    "\"id\" is a header; blank lines and lines starting with # are skipped; fields\n"
    "may be double-quoted. Every row is checked first and bad rows are reported by\n"
    "line number: the import is all or nothing. A connected station whose password\n"
    "changes is disconnected to log in again.\n";

// `csmsctl completion bash|zsh`: a completion script made from the command
// table, so it never falls behind the commands. zsh runs the bash function
// through bashcompinit.
std::string completion_script(const std::string& shell) {
  if (shell != "bash" && shell != "zsh")
    throw UsageError("completion takes bash or zsh, not \"" + shell + "\"");
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> names;  // group -> second words
  std::map<std::string, std::string> options;             // "group name" -> its --options
  for (const auto& sp : specs()) {
    if (std::find(groups.begin(), groups.end(), sp.group) == groups.end())
      groups.push_back(sp.group);
    if (*sp.name) names[sp.group].push_back(sp.name);
    std::string opts = "--json --help";
    for (const auto& o : sp.options) opts += std::string(" ") + o.name;
    if (sp.format == Format::Table) opts += " --csv";
    options[std::string(sp.group) + " " + sp.name] = opts;
  }
  groups.push_back("completion");
  names["completion"] = {"bash", "zsh"};
  auto join = [](const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
  };
  std::string out =
      shell == "zsh" ? "#compdef csmsctl\nautoload -U +X bashcompinit && bashcompinit\n" : "";
  out += "# csmsctl completion (generated by `csmsctl completion " + shell +
         "`; regenerate after an upgrade).\n"
         "_csmsctl() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  local -a words=()\n"
         "  local i\n"
         "  # The command words, without the global options and their values.\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case ${COMP_WORDS[i]} in\n"
         "      --url|--token) ((i++)) ;;\n"
         "      -*) ;;\n"
         "      *) words+=(\"${COMP_WORDS[i]}\") ;;\n"
         "    esac\n"
         "  done\n"
         "  case $prev in\n"
         "    --out) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
         "    --url|--token) return ;;\n"
         "  esac\n"
         "  if [[ ${#words[@]} -eq 0 ]]; then\n"
         "    COMPREPLY=($(compgen -W \"" +
         join(groups) +
         " --url --token --json --help --version\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  local group=${words[0]} name=${words[1]:-}\n"
         "  if [[ ${#words[@]} -eq 1 ]]; then\n"
         "    case $group in\n";
  for (const auto& g : groups) {
    if (names[g].empty()) continue;
    out += "      " + g + ") COMPREPLY=($(compgen -W \"" + join(names[g]) +
           "\" -- \"$cur\")); return ;;\n";
  }
  out +=
      "    esac\n"
      "  fi\n"
      "  local key=\"$group $name\"\n"
      "  case $group in\n";
  std::string one_word;
  for (const auto& g : groups) {
    if (names[g].empty()) one_word += (one_word.empty() ? "" : "|") + g;
  }
  if (!one_word.empty()) out += "    " + one_word + ") key=\"$group \" ;;\n";
  out +=
      "  esac\n"
      "  local opts=\"\"\n"
      "  case $key in\n";
  for (const auto& [key, opts] : options) out += "    \"" + key + "\") opts=\"" + opts + "\" ;;\n";
  out +=
      "  esac\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      "  elif [[ $name == import ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -F _csmsctl csmsctl\n";
  return out;
}

// Help for `csmsctl [words] --help`: the most specific match.
std::string help_for(const std::vector<std::string>& words) {
  if (words.empty() || words[0] == "help") {
    if (words.size() > 1) return help_for(std::vector<std::string>(words.begin() + 1, words.end()));
    return usage_text();
  }
  if (words[0] == "cmd") return command_help();
  for (const auto& s : specs()) {
    if (words[0] == s.group && (!*s.name || (words.size() > 1 && words[1] == s.name))) {
      std::string out = "usage: csmsctl " + spec_usage(s) + "\n\n" + s.summary + "\n";
      if (std::string_view(s.name) == "import")
        out += std::string_view(s.group) == "station" ? kStationCsvHelp : kCsvHelp;
      return out;
    }
  }
  std::string group_lines = usage_lines(words[0]);
  if (!group_lines.empty()) return "usage:\n" + group_lines;
  return usage_text();
}

// Takes "--name VALUE" or "--name=VALUE" at args[i]; advances i past it.
std::optional<std::string> take_value(const std::vector<std::string>& args, std::size_t& i,
                                      const std::string& name, bool required) {
  const std::string& a = args[i];
  if (a.size() > name.size() && a[name.size()] == '=') return a.substr(name.size() + 1);
  // A PEM value ("-----BEGIN CERTIFICATE-----...") is a value, not a flag.
  if (i + 1 < args.size() &&
      (!starts_with(args[i + 1], "--") || starts_with(args[i + 1], "-----BEGIN")))
    return args[++i];
  if (required) throw UsageError(name + " needs a value");
  return std::nullopt;
}

std::string flag_name(const std::string& arg) {
  return arg.substr(0, arg.find('='));
}

}  // namespace

// ---------------------------------------------------------------------------

BaseUrl parse_base_url(const std::string& url) {
  BaseUrl out;
  out.tls = starts_with(url, "https://");
  if (out.tls) out.port = 443;
  if (!out.tls && !starts_with(url, "http://"))
    throw UsageError("the URL must start with http:// or https://, not " + url);
  std::string_view rest = std::string_view(url).substr(out.tls ? 8 : 7);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8181
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw UsageError("bad URL (unclosed '['): " + url);
    out.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw UsageError("bad URL: " + url);
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) throw UsageError("the URL has no host: " + url);
  if (!port.empty()) {
    auto p = parse_integer(port);
    if (!p || *p < 1 || *p > 65535) throw UsageError("bad port in URL: " + url);
    out.port = static_cast<std::uint16_t>(*p);
  }
  return out;
}

std::string usage_text() {
  return std::string(
             "usage: csmsctl [--url URL] [--token TOKEN] [--json] COMMAND [ARGS]\n"
             "\n"
             "The admin client of csms: talks to the admin API at $CSMS_URL (default\n") +
         kDefaultUrl +
         ") with the bearer token $CSMS_TOKEN. --url, --token\n"
         "and --json may appear anywhere on the line.\n"
         "\n"
         "commands:\n" +
         usage_lines("") +
         "\n"
         "  completion bash|zsh                 print a shell completion script (e.g.\n"
         "                                      csmsctl completion bash > "
         "/etc/bash_completion.d/csmsctl)\n"
         "\n"
         "options:\n"
         "  --url URL       the admin API (overrides $CSMS_URL)\n"
         "  --token TOKEN   the bearer token (overrides $CSMS_TOKEN)\n"
         "  --ca-file FILE  (https://) the CA certificates the server's certificate must\n"
         "                  chain to (overrides $CSMS_CA_FILE; default: the system's)\n"
         "  --json          print the API's JSON as-is instead of tables\n"
         "  --csv           (list commands) print the table as CSV (RFC 4180) with the\n"
         "                  API's field names as the header\n"
         "  -h, --help      this text; `csmsctl COMMAND --help` for one command\n"
         "  --version       csmsctl's version (no request; `csmsctl version` asks the server)\n"
         "\n"
         "Times are RFC 3339 (2024-01-15T10:30:00Z). Id tags are 1 to 36 characters (OCPP\n"
         "2.0.1 IdToken; 1.6 stations accept at most 20).\n"
         "Exit status: 0 done, 1 the API or the server refused or failed, 2 usage error.\n";
}

Invocation parse_command_line(const std::vector<std::string>& args, const std::string& env_url,
                              const std::string& env_token, const std::string& env_ca_file) {
  Invocation inv;
  inv.url = env_url.empty() ? kDefaultUrl : env_url;
  inv.token = env_token;
  inv.ca_file = env_ca_file;

  // Global options first, wherever they are.
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string name = flag_name(args[i]);
    if (name == "--url") {
      inv.url = *take_value(args, i, name, true);
    } else if (name == "--token") {
      inv.token = *take_value(args, i, name, true);
    } else if (name == "--ca-file") {
      inv.ca_file = *take_value(args, i, name, true);
    } else if (args[i] == "--json") {
      inv.json = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      inv.help = true;
    } else if (args[i] == "--version") {
      inv.version_only = true;  // This program's version; `csmsctl version` asks the server too.
    } else {
      rest.push_back(args[i]);
    }
  }
  if (!rest.empty() && rest[0] == "help") inv.help = true;
  if (inv.version_only && !inv.help) return inv;
  if (inv.help) {
    std::vector<std::string> words;
    for (const auto& w : rest) {
      if (starts_with(w, "--")) break;
      words.push_back(w);
    }
    inv.help_text = help_for(words);
    return inv;
  }
  if (rest.empty()) throw UsageError("no command given\n\n" + usage_text());
  if (rest[0] == "completion") {
    if (rest.size() != 2) throw UsageError("usage: csmsctl completion bash|zsh");
    inv.help = true;  // Printed and done, like help: no request.
    inv.help_text = completion_script(rest[1]);
    return inv;
  }

  // The command words.
  const Spec* spec = nullptr;
  bool group_known = false;
  for (const auto& s : specs()) {
    if (rest[0] != s.group) continue;
    group_known = true;
    if (!*s.name || (rest.size() > 1 && rest[1] == s.name)) {
      spec = &s;
      break;
    }
  }
  if (!spec) {
    if (!group_known)
      throw UsageError("unknown command \"" + rest[0] + "\" (csmsctl --help lists them)");
    throw UsageError((rest.size() > 1 ? "unknown " + rest[0] + " command \"" + rest[1] + "\""
                                      : rest[0] + " needs a subcommand") +
                     "; usage:\n" + usage_lines(rest[0]));
  }
  const std::string command = std::string(spec->group) + (*spec->name ? " " : "") + spec->name;
  const std::string usage = "usage: csmsctl " + spec_usage(*spec);

  // Its options and arguments.
  Parsed parsed;
  for (std::size_t i = *spec->name ? 2 : 1; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (!starts_with(a, "--") || a == "--") {
      parsed.args.push_back(a);
      continue;
    }
    const std::string name = flag_name(a);
    const Option* option = nullptr;
    for (const auto& o : spec->options) {
      if (name == o.name) option = &o;
    }
    if (option) {
      if (parsed.options.count(name)) throw UsageError(command + ": " + name + " is given twice");
      if (option->value) {
        parsed.options[name] = *take_value(rest, i, name, true);
      } else {
        if (a != name) throw UsageError(command + ": " + name + " takes no value");
        parsed.options[name] = "";
      }
    } else if (name == "--csv") {
      // Every list command prints CSV (checked below, once the format is known).
      if (a != name) throw UsageError(command + ": --csv takes no value");
      inv.csv = true;
    } else if (spec->any_flags) {
      parsed.extra.emplace_back(name.substr(2), take_value(rest, i, name, false));
    } else {
      throw UsageError(command + ": unknown option " + name + "\n" + usage);
    }
  }
  const auto [min_args, max_args] = argument_range(*spec);
  if (parsed.args.size() < min_args || parsed.args.size() > max_args) {
    throw UsageError(command + ": " +
                     (parsed.args.size() < min_args ? "missing arguments" : "too many arguments") +
                     "\n" + usage);
  }
  for (const auto& a : parsed.args) {
    if (a.empty()) throw UsageError(command + ": empty argument");
  }
  parse_base_url(inv.url);  // A bad URL is a usage error, before any connection.
  try {
    build(*spec, parsed, inv);
  } catch (const UsageError& e) {
    throw UsageError(command + ": " + e.what());
  }
  if (inv.csv && inv.format != Format::Table)
    throw UsageError(command + ": --csv is for the commands that print a table\n" + usage);
  if (inv.csv && inv.json) throw UsageError(command + ": --csv or --json, not both");
  return inv;
}

// ---------------------------------------------------------------------------
// CSV import

namespace {

// One CSV line's fields, with RFC 4180 quoting ("a,b" and "" for a quote);
// unquoted fields are trimmed. False for unbalanced quotes.
bool split_csv_line(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  bool bad_quote = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : trim(field));
      field.clear();
      was_quoted = false;
    } else {
      if (was_quoted && c != ' ' && c != '\t') bad_quote = true;
      field.push_back(c);
    }
  }
  if (quoted || bad_quote) return false;
  fields.push_back(was_quoted ? field : trim(field));
  return true;
}

// Up to 20 problems, then how many more, then that nothing was imported.
[[noreturn]] void throw_problems(const std::vector<std::string>& problems) {
  std::string all;
  const std::size_t shown = std::min<std::size_t>(problems.size(), 20);
  for (std::size_t i = 0; i < shown; ++i) all += (i ? "\n" : "") + problems[i];
  if (problems.size() > shown)
    all += "\n... and " + std::to_string(problems.size() - shown) + " more";
  throw InputError(all + "\nnothing was imported");
}

}  // namespace

namespace {

/// The shape of one import file (idtag import, station import).
struct CsvImport {
  const char* header;   ///< First field of an optional header row, lower case.
  std::size_t columns;  ///< At most this many fields per row.
  const char* column_names;
  const char* item;  ///< What the first field names, for "repeats line N".
};

using CsvRow = std::vector<std::string>;

// Rows of an import file: blank lines and # comments skipped, a BOM and a
// header row allowed; every problem is collected with its file and line, and
// nothing is returned unless every row is good (`check` adds a row's own
// problems, `write` adds its JSON object).
std::string csv_import(const std::string& csv, const std::string& file_name, const CsvImport& shape,
                       std::vector<std::size_t>& lines,
                       const std::function<void(const std::string& where, const CsvRow& fields,
                                                std::vector<std::string>& problems)>& check,
                       const std::function<void(const CsvRow& fields, JsonBody& body)>& write) {
  std::vector<std::string> problems;
  std::map<std::string, std::size_t> seen;
  JsonBody body;
  body.array();
  lines.clear();
  bool first_row = true;
  std::size_t line_no = 0;
  std::istringstream in(csv);
  std::string line;
  CsvRow fields;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && starts_with(line, "\xEF\xBB\xBF")) line.erase(0, 3);  // BOM
    const std::string where = file_name + ":" + std::to_string(line_no) + ": ";
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    if (!split_csv_line(line, fields)) {
      problems.push_back(where + "unbalanced quotes");
      continue;
    }
    if (first_row) {
      first_row = false;
      if (lower(fields[0]) == shape.header) continue;  // Header line.
    }
    const std::size_t before = problems.size();
    if (fields.size() > shape.columns)
      problems.push_back(where + "expected at most " + std::to_string(shape.columns) +
                         " columns (" + shape.column_names + "), got " +
                         std::to_string(fields.size()));
    check(where, fields, problems);
    if (!fields[0].empty()) {
      auto [it, fresh] = seen.emplace(fields[0], line_no);
      if (!fresh)
        problems.push_back(where + shape.item + " \"" + fields[0] + "\" repeats line " +
                           std::to_string(it->second));
    }
    if (problems.size() != before) continue;
    try {
      write(fields, body);
    } catch (const UsageError&) {
      throw InputError(where + "not valid UTF-8");
    }
    lines.push_back(line_no);
  }
  if (!problems.empty()) throw_problems(problems);
  return body.end_array().text();
}

// "blocked" -> "Blocked"; empty when not an idTag status.
std::string idtag_status(const std::string& text) {
  for (const char* s : {"Accepted", "Blocked", "Expired", "Invalid"})
    if (lower(text) == lower(s)) return s;
  return "";
}

}  // namespace

std::string idtags_csv_to_json(const std::string& csv, const std::string& file_name,
                               std::vector<std::size_t>& lines) {
  const auto has = [](const CsvRow& f, std::size_t i) { return f.size() > i && !f[i].empty(); };
  return csv_import(
      csv, file_name, {"idtag", 4, "idTag,status,expiry,parentIdTag", "idTag"}, lines,
      [&](const std::string& where, const CsvRow& fields, std::vector<std::string>& problems) {
        if (fields[0].empty() || ocpp::utf8_length(fields[0]) > 36)
          problems.push_back(where + "idTag must be 1 to 36 characters");
        if (has(fields, 1) && idtag_status(fields[1]).empty())
          problems.push_back(where +
                             "status must be Accepted, Blocked, Expired or Invalid, not \"" +
                             fields[1] + "\"");
        if (has(fields, 2) && !ocpp::DateTime::parse(fields[2]))
          problems.push_back(where + "expiry \"" + fields[2] +
                             "\" is not an RFC 3339 date-time (e.g. 2030-01-01T00:00:00Z)");
        if (fields.size() > 3 && ocpp::utf8_length(fields[3]) > 36)
          problems.push_back(where + "parentIdTag must be at most 36 characters");
      },
      [&](const CsvRow& fields, JsonBody& body) {
        body.object().key("idTag").str(fields[0]);
        if (has(fields, 1)) body.key("status").str(idtag_status(fields[1]));
        if (has(fields, 2)) body.key("expiry").str(fields[2]);
        if (has(fields, 3)) body.key("parentIdTag").str(fields[3]);
        body.end_object();
      });
}

std::string stations_csv_to_json(const std::string& csv, const std::string& file_name,
                                 std::vector<std::size_t>& lines) {
  const auto has_password = [](const CsvRow& f) { return f.size() > 1 && !f[1].empty(); };
  return csv_import(
      csv, file_name, {"id", 2, "id,password", "station"}, lines,
      [&](const std::string& where, const CsvRow& fields, std::vector<std::string>& problems) {
        if (auto problem = check_identity(fields[0]); !problem.empty())
          problems.push_back(where + problem);
        // The problem names the rule, never the password.
        if (has_password(fields)) {
          if (auto problem = check_password_rules(fields[1]); !problem.empty())
            problems.push_back(where + problem);
        }
      },
      [&](const CsvRow& fields, JsonBody& body) {
        body.object().key("id").str(fields[0]);
        if (has_password(fields)) body.key("password").str(fields[1]);
        body.end_object();
      });
}

// ---------------------------------------------------------------------------
// Output

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length, its code point, and whether it is well formed
    // (no overlong forms, no surrogates, nothing above U+10FFFF).
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    std::uint32_t cp = len == 4 ? c & 0x07u : len == 3 ? c & 0x0Fu : c & 0x1Fu;
    bool ok = len != 0 && c <= 0xF4 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (byte(i + k) & 0xC0) == 0x80;
      cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    if (ok)
      ok = !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
           !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
    if (!ok) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F)
      out += fmt::format("\\u{:04x}", cp);  // C1 controls (CSI, OSC, ...)
    else
      out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

namespace {

bool is_table(const rapidjson::Value& v) {
  return v.IsArray() && !v.Empty() &&
         std::all_of(v.Begin(), v.End(), [](const auto& e) { return e.IsObject(); });
}

std::string cell(const rapidjson::Value& v) {
  if (v.IsNull() || (v.IsString() && v.GetStringLength() == 0)) return "-";
  if (v.IsString()) return terminal_safe(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsBool()) return v.GetBool() ? "yes" : "no";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsNumber()) return fmt::format("{}", v.GetDouble());
  if (v.IsArray()) {
    if (v.Empty()) return "(none)";
    std::string out;
    for (const auto& e : v.GetArray()) out += (out.empty() ? "" : ", ") + cell(e);
    return out;
  }
  return terminal_safe(ocpp::to_compact_json(v));
}

// Column order for nested tables whose natural order reads badly.
std::vector<std::string> preferred_columns(std::string_view name) {
  if (name == "configurationKey") return {"key", "value", "readonly"};
  return {};
}

void print_table(const rapidjson::Value& rows, std::vector<std::string> columns, std::ostream& out,
                 const std::string& indent) {
  if (!rows.IsArray() || rows.Empty()) {
    out << indent << "(none)\n";
    return;
  }
  // Columns: the given ones, then any other field in order of appearance.
  std::vector<std::string> all = columns;
  const bool fixed = !columns.empty();
  for (const auto& row : rows.GetArray()) {
    if (!row.IsObject() || fixed) continue;
    for (const auto& m : row.GetObject()) {
      std::string name(m.name.GetString(), m.name.GetStringLength());
      if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(name);
    }
  }
  std::vector<std::vector<std::string>> grid;
  grid.emplace_back();
  for (const auto& c : all) grid[0].push_back(terminal_safe(column_header(c)));
  for (const auto& row : rows.GetArray()) {
    grid.emplace_back();
    for (const auto& c : all) {
      if (!row.IsObject()) {
        grid.back().push_back(&c == &all.front() ? cell(row) : "");
        continue;
      }
      auto it = row.FindMember(c.c_str());
      grid.back().push_back(it == row.MemberEnd() ? "-" : cell(it->value));
    }
  }
  std::vector<std::size_t> width(all.size(), 0);
  for (const auto& r : grid) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : grid) {
    std::string line = indent;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

// "key: value" lines; nested objects flattened to dotted keys, arrays of
// objects printed as tables after the scalar fields.
void collect(const rapidjson::Value& obj, const std::string& prefix,
             std::vector<std::pair<std::string, const rapidjson::Value*>>& scalars,
             std::vector<std::pair<std::string, const rapidjson::Value*>>& tables) {
  for (const auto& m : obj.GetObject()) {
    const std::string name = prefix + std::string(m.name.GetString(), m.name.GetStringLength());
    if (m.value.IsObject() && !m.value.ObjectEmpty()) {
      collect(m.value, name + ".", scalars, tables);
    } else if (is_table(m.value)) {
      tables.emplace_back(name, &m.value);
    } else {
      scalars.emplace_back(name, &m.value);
    }
  }
}

void print_record(std::vector<std::pair<std::string, const rapidjson::Value*>> scalars,
                  const rapidjson::Value* obj, std::ostream& out) {
  std::vector<std::pair<std::string, const rapidjson::Value*>> tables;
  if (obj && obj->IsObject()) collect(*obj, "", scalars, tables);
  std::size_t width = 0;
  for (auto& s : scalars) s.first = terminal_safe(s.first);
  for (auto& t : tables) t.first = terminal_safe(t.first);
  for (const auto& s : scalars) width = std::max(width, s.first.size());
  for (const auto& [name, v] : scalars)
    out << name << ":" << std::string(width - name.size() + 1, ' ') << cell(*v) << "\n";
  for (const auto& [name, v] : tables) {
    out << "\n" << name << ":\n";
    const auto dot = name.rfind('.');
    print_table(*v, preferred_columns(dot == std::string::npos ? name : name.substr(dot + 1)), out,
                "  ");
  }
}

}  // namespace

std::string csv_field(std::string_view text) {
  std::string value(text);
  // A spreadsheet runs a cell that starts with = + - @ as a formula: text a
  // station chose must not become one in the operator's billing sheet.
  if (!value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos)
    value.insert(0, 1, '\'');
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

void print_csv(const rapidjson::Value& rows, const std::vector<std::string>& columns,
               std::ostream& out) {
  std::vector<std::string> all = columns;
  if (all.empty() && rows.IsArray()) {
    for (const auto& row : rows.GetArray()) {
      if (!row.IsObject()) continue;
      for (const auto& m : row.GetObject()) {
        std::string name(m.name.GetString(), m.name.GetStringLength());
        if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(name);
      }
    }
  }
  if (all.empty()) return;
  // Records end in CRLF, as RFC 4180 has it.
  auto line = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
  };
  line(all);
  if (!rows.IsArray()) return;
  for (const auto& row : rows.GetArray()) {
    std::vector<std::string> fields;
    for (const auto& c : all) {
      const auto it = row.IsObject() ? row.FindMember(c.c_str()) : row.MemberEnd();
      if (!row.IsObject() || it == row.MemberEnd() || it->value.IsNull()) {
        fields.emplace_back();
      } else if (it->value.IsString()) {
        fields.emplace_back(it->value.GetString(), it->value.GetStringLength());
      } else if (it->value.IsBool()) {
        fields.emplace_back(it->value.GetBool() ? "true" : "false");
      } else {
        fields.push_back(ocpp::to_compact_json(it->value));  // numbers, nested values
      }
    }
    line(fields);
  }
}

void print_answer(const Invocation& inv, const std::string& body, std::ostream& out) {
  if (inv.format == Format::Raw) {
    out << body;  // A file's bytes, unchanged.
    return;
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (!inv.done_message.empty()) out << inv.done_message << "\n";
    return;
  }
  rapidjson::Document doc;
  if (ocpp::parse_json(body, doc).IsError()) {
    out << terminal_safe(body) << "\n";  // Not JSON (should not happen): show it, escaped.
    return;
  }
  switch (inv.format) {
    case Format::Table:
      if (inv.csv) {
        print_csv(doc, inv.columns, out);
      } else {
        print_table(doc, inv.columns, out, "");
      }
      break;
    case Format::Lines:
      if (doc.IsArray()) {
        for (const auto& e : doc.GetArray()) out << cell(e) << "\n";
      }
      break;
    case Format::Version: {
      auto v = doc.IsObject() ? doc.FindMember("version") : doc.MemberEnd();
      out << "csms " << (doc.IsObject() && v != doc.MemberEnd() ? cell(v->value) : "?") << " at "
          << inv.url << "\n";
      break;
    }
    case Format::Command: {
      std::vector<std::pair<std::string, const rapidjson::Value*>> head;
      const rapidjson::Value* response = nullptr;
      if (doc.IsObject()) {
        if (auto a = doc.FindMember("action"); a != doc.MemberEnd())
          head.emplace_back("action", &a->value);
        if (auto r = doc.FindMember("response"); r != doc.MemberEnd()) response = &r->value;
      }
      print_record(std::move(head), response, out);
      break;
    }
    case Format::Raw:    // Written above.
    case Format::Files:  // Written by main.
    case Format::Record:
      if (doc.IsObject()) {
        print_record({}, &doc, out);
      } else {
        out << cell(doc) << "\n";
      }
      break;
  }
}

std::vector<std::pair<std::string, std::string>> answer_files(const std::string& body) {
  rapidjson::Document doc;
  if (ocpp::parse_json(body, doc).IsError() || !doc.IsObject() || !doc.HasMember("files") ||
      !doc["files"].IsArray())
    throw InputError("the answer holds no files");
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& f : doc["files"].GetArray()) {
    if (!f.IsObject() || !f.HasMember("name") || !f["name"].IsString() || !f.HasMember("content") ||
        !f["content"].IsString())
      throw InputError("a file of the answer has no name or content");
    const std::string name = f["name"].GetString();
    if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos)
      throw InputError("refusing to write a file named \"" + name + "\"");
    files.emplace_back(name, std::string(f["content"].GetString(), f["content"].GetStringLength()));
  }
  return files;
}

std::string error_message(const Invocation& inv, unsigned status, const std::string& reason,
                          const std::string& body) {
  rapidjson::Document doc;
  std::string message;
  if (!ocpp::parse_json(body, doc).IsError() && doc.IsObject()) {
    auto e = doc.FindMember("error");
    if (e != doc.MemberEnd() && e->value.IsString()) message = e->value.GetString();
    auto c = doc.FindMember("code");
    if (!message.empty() && c != doc.MemberEnd() && c->value.IsString())
      message += std::string(" (CALLERROR ") + c->value.GetString() + ")";
  }
  message = terminal_safe(message);  // a station's CALLERROR description, say
  if (message.empty()) return "HTTP " + std::to_string(status) + " " + terminal_safe(reason);
  // An import item's number -> the CSV line it came from.
  if (!inv.input_lines.empty() && starts_with(message, "item ")) {
    const auto colon = message.find(": ");
    auto n = parse_integer(std::string_view(message).substr(5, colon - 5));
    if (colon != std::string::npos && n && *n >= 1 &&
        static_cast<std::size_t>(*n) <= inv.input_lines.size())
      message = inv.input_file + ":" +
                std::to_string(inv.input_lines[static_cast<std::size_t>(*n) - 1]) +
                message.substr(colon);
  }
  if (status == 401) message += " (set CSMS_TOKEN or pass --token)";
  return message;
}

}  // namespace csms::cli
