#include "simulator/options.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "ocpp/common/utf8.hpp"
#include "parse_number.hpp"

namespace simulator {

std::string usage() {
  return R"(ocpp-sim: an OCPP 1.6J and 2.0.1 charge-point simulator

usage: ocpp-sim --url ws[s]://HOST:PORT/PATH --id ID [options]

connection
  --url URL               the CSMS endpoint (ws:// or wss://); the station connects to
                          URL/<percent-encoded ID>
  --id ID                 the charge point identity (2.0.1: at most 48 characters, no ':')
  --password PW           HTTP Basic auth (user = ID): security profile 1 (ws://) or 2 (wss://)
  --ca-file FILE          wss://: the CA certificates (PEM) that verify the CSMS's certificate
                          and its host name / IP (default: an installed CSMS root certificate,
                          else the system's CAs)
  --cert FILE --key FILE  wss://: present this client certificate (PEM chain, leaf first) and
                          key: security profile 3
  --tls-url URL           1.6: the wss:// URL a SecurityProfile 2/3 upgrade reconnects to
  --ocpp V                protocol version: 1.6 (default; also 1.6J, ocpp1.6) or
                          2.0.1 (also ocpp2.0.1); the WebSocket subprotocol follows
  --reconnect-min-ms N    first reconnection delay (default 500)
  --reconnect-max-ms N    longest reconnection delay (default 30000)
  --retry-rejected        keep retrying after HTTP 401/404 or a wrong subprotocol
  --call-timeout S        seconds to wait for a CALLRESULT (default 30)

charger
  --connectors N          connectors (default 1); 2.0.1: N EVSEs of one connector each
  --vendor V --model M --serial S --firmware F
                          BootNotification fields (defaults ocpp-sim, SIM-1, ID, 0.1.0)
  --power-w W             charging power (default 7400)
  --heartbeat S           heartbeat interval, overriding the CSMS's
  --meter-interval S      MeterValueSampleInterval / 2.0.1 TxUpdatedInterval (default 60)
  --idtag TAG             idTag for scenario steps that name none (default SIM-TAG)
  --queue-file FILE       keep the offline queue in FILE across restarts
  --signed-meter          sign transaction readings (OCMF; 1.6 SignedData sampled values,
                          2.0.1 signedMeterValue); the public key is logged at start
  --meter-key FILE        the meter's EC P-256 private key (PEM) instead of a fresh one
  --signed-meter-tamper   end readings differ from what was signed (tests a verifier)
  --quirk Q               a firmware quirk, repeatable: stack0-only (a charging profile
                          at a stack level other than 0 is Rejected), amps-only (one in W
                          is Rejected), rejects-zero (one with a 0 limit is Rejected),
                          rejects-password (a new AuthorizationKey / BasicAuthPassword is
                          Rejected)

run
  --scenario FILE.json    play these steps after boot, then exit (0 ok, 1 a step failed)
  --log-level L           trace|debug|info|warn|error (stderr; default info)
  --help

Events go to stdout, one JSON object per line; logs to stderr.

other modes
  ocpp-sim fleet --help   thousands of stations in one process (a load generator)
  ocpp-sim site --help    a simulated site: PV, battery, base load and a grid meter over
                          Modbus TCP / SunSpec, with stations whose cars follow the profiles
)";
}

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
  error.clear();  // a caller's earlier error must not fail this command line
  Options o;
  using Setter = std::function<bool(const std::string&)>;
  auto text = [](std::string& field) {
    return [&field](const std::string& v) {
      field = v;
      return true;
    };
  };
  auto integer = [](int& field, int min, int max) {
    return [&field, min, max](const std::string& v) { return to_int(v, min, max, field); };
  };
  auto optional_integer = [](std::optional<int>& field, int min, int max) {
    return [&field, min, max](const std::string& v) {
      int x = 0;
      if (!to_int(v, min, max, x)) return false;
      field = x;
      return true;
    };
  };
  std::map<std::string, std::pair<Setter, std::string>> with_value = {
      {"--url", {text(o.url), "a ws:// URL"}},
      {"--id", {text(o.id), "a station id"}},
      {"--password",
       {[&o](const std::string& v) {
          o.password = v;
          return true;
        },
        "a password"}},
      {"--ocpp", {text(o.ocpp), "1.6 or 2.0.1"}},
      {"--ca-file", {text(o.ca_file), "a PEM file"}},
      {"--cert", {text(o.cert_file), "a PEM file"}},
      {"--key", {text(o.key_file), "a PEM file"}},
      {"--tls-url", {text(o.tls_url), "a wss:// URL"}},
      {"--connectors", {integer(o.connectors, 1, 1000), "an integer in 1..1000"}},
      {"--scenario", {text(o.scenario), "a file"}},
      {"--vendor", {text(o.vendor), "a vendor name"}},
      {"--model", {text(o.model), "a model name"}},
      {"--serial", {text(o.serial), "a serial number"}},
      {"--firmware", {text(o.firmware), "a firmware version"}},
      {"--power-w",
       {[&o](const std::string& v) { return to_double(v, 1, 1e7, o.power_w); },
        "a number of watts > 0"}},
      {"--heartbeat", {optional_integer(o.heartbeat_s, 0, 86400 * 7), "seconds (0..604800)"}},
      {"--meter-interval", {optional_integer(o.meter_interval_s, 0, 86400), "seconds (0..86400)"}},
      {"--idtag", {text(o.id_tag), "an idTag"}},
      {"--reconnect-min-ms", {integer(o.reconnect_min_ms, 1, 3600000), "milliseconds >= 1"}},
      {"--reconnect-max-ms", {integer(o.reconnect_max_ms, 1, 3600000), "milliseconds >= 1"}},
      {"--call-timeout",
       {[&o](const std::string& v) { return to_double(v, 0.01, 86400, o.call_timeout_s); },
        "seconds > 0"}},
      {"--log-level",
       {[&o](const std::string& v) {
          auto level = log_level_from_string(v);
          if (level) o.log_level = *level;
          return level.has_value();
        },
        "trace|debug|info|warn|error"}},
      {"--queue-file", {text(o.queue_file), "a file"}},
      {"--meter-key", {text(o.meter_key_file), "a PEM file"}},
      {"--quirk",
       {[&o](const std::string& v) { return add_quirk(o.quirks, v); },
        "stack0-only, amps-only, rejects-zero or rejects-password"}},
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    ArgOption option = split_option(args[i]);
    const std::string& name = option.name;
    const std::optional<std::string>& value = option.value;
    if (name == "--help" || name == "-h") {
      o.help = true;
      return o;
    }
    if (name == "--retry-rejected" && !value) {
      o.retry_rejected = true;
      continue;
    }
    if (name == "--signed-meter" && !value) {
      o.signed_meter = true;
      continue;
    }
    if (name == "--signed-meter-tamper" && !value) {
      o.signed_meter_tamper = true;
      continue;
    }
    auto it = with_value.find(name);
    if (it == with_value.end()) {
      error = fmt::format("unknown option {} (see --help)", name);
      return std::nullopt;
    }
    if (!take_value(option, args, i)) {
      error = fmt::format("{} needs a value: {}", name, it->second.second);
      return std::nullopt;
    }
    if (!it->second.first(*value)) {
      error = fmt::format("{} {}: expected {}", name, *value, it->second.second);
      return std::nullopt;
    }
  }

  // A key or tamper mode only makes sense for a signing meter.
  if (!o.meter_key_file.empty() || o.signed_meter_tamper) o.signed_meter = true;
  const bool v201 = o.ocpp == "2.0.1" || o.ocpp == "ocpp2.0.1";
  o.version = v201 ? ocpp::Version::v201 : ocpp::Version::v16;
  // The BootNotification and idToken limits of the version spoken.
  const std::size_t max_vendor = v201 ? 50 : 20;
  const std::size_t max_id_tag = v201 ? 36 : 20;
  const char* version_name = v201 ? "OCPP 2.0.1" : "OCPP 1.6";
  if (o.url.empty())
    error = "--url is required";
  else if (o.id.empty())
    error = "--id is required";
  else if (!v201 && o.ocpp != "1.6" && o.ocpp != "1.6J" && o.ocpp != "ocpp1.6")
    error = fmt::format("--ocpp {}: expected 1.6 or 2.0.1", o.ocpp);
  else if (v201 && (ocpp::utf8_length(o.id) > 48 || o.id.find(':') != std::string::npos))
    error = "--id: at most 48 characters and no ':' (OCPP 2.0.1 identity)";
  else if (o.cert_file.empty() != o.key_file.empty())
    error = "--cert and --key go together";
  else if (!o.tls_url.empty() && o.tls_url.rfind("wss://", 0) != 0)
    error = "--tls-url: expected a wss:// URL";
  else if (o.reconnect_max_ms < o.reconnect_min_ms)
    error = "--reconnect-max-ms must be >= --reconnect-min-ms";
  else if (ocpp::utf8_length(o.vendor) > max_vendor || o.vendor.empty())
    error = fmt::format("--vendor: 1..{} characters ({} vendor name)", max_vendor, version_name);
  else if (ocpp::utf8_length(o.model) > 20 || o.model.empty())
    error = fmt::format("--model: 1..20 characters ({} model)", version_name);
  else if (ocpp::utf8_length(o.serial) > 25)
    error = fmt::format("--serial: at most 25 characters ({} serial number)", version_name);
  else if (ocpp::utf8_length(o.firmware) > 50)
    error = fmt::format("--firmware: at most 50 characters ({} firmwareVersion)", version_name);
  else if (ocpp::utf8_length(o.id_tag) > max_id_tag || o.id_tag.empty())
    error = fmt::format("--idtag: 1..{} characters ({} idToken)", max_id_tag, version_name);
  if (!error.empty()) return std::nullopt;
  return o;
}

}  // namespace simulator
