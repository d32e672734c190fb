// `ocpp-sim fleet` command line and the per-station plan.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "parse_number.hpp"
#include "simulator/fleet.hpp"

namespace simulator::fleet {
namespace {

// How many of the first `n` items of an evenly spread share are selected.
int spread_count(int n, double share) {
  return static_cast<int>(std::floor(static_cast<double>(n) * share + 1e-9));
}

// The characters csms accepts in an identity (README "Connecting a charger"); also
// keeps hand-built JSON free of anything needing escapes.
bool plain_identity(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) ||
           std::string_view("*-_=+|@.").find(ch) != std::string_view::npos;
  });
}

// Whether item `k` of an evenly spread share is selected (Bresenham-like, so any
// prefix holds the share as closely as integers allow).
bool spread_pick(int k, double share) {
  return spread_count(k + 1, share) > spread_count(k, share);
}

}  // namespace

std::string fleet_usage() {
  return R"(ocpp-sim fleet: thousands of simulated stations in one process (a load generator)

usage: ocpp-sim fleet --url ws[s]://HOST:PORT/PATH [options]

  --stations N            stations (default 100); ids are <prefix><6-digit index>, from 1
  --id-prefix P           (default FLEET-)
  --v201-share F          fraction 0..1 speaking OCPP 2.0.1, the rest 1.6 (default 0)
  --charging-share F      fraction 0..1 that start a transaction and send meter values (default 0.5)
  --meter-interval S      seconds between meter values per charging station (default 10)
  --meter-rate R          total meter messages/s over the fleet (interval = charging stations / R)
  --heartbeat S           heartbeat interval (default: the BootNotification answer's)
  --ramp R                new connections per second (default 1000; 0 = all at once)
  --duration S            seconds to run after the ramp (default 30)
  --warmup S              seconds after the ramp left out of rates and latencies (default 2)
  --source-addresses K    bind connections to 127.0.0.1..127.0.0.K in turn (default 1)
  --storm-at S            S seconds after the ramp, drop --storm-share of the connections
                          at once; they reconnect immediately
  --storm-share F         (default 1.0)
  --password PW           HTTP Basic auth for every station (user = station id)
  --ca-file FILE          wss://: CA certificates (PEM) that verify the CSMS (default: the
                          system's)
  --cert FILE --key FILE  wss://: one client certificate (PEM) every station presents
  --call-timeout-ms N     an unanswered CALL times out after N ms (default 10000)
  --connect-timeout-ms N  TCP connect + WebSocket handshake limit (default 10000)
  --stop-transactions     end every transaction before exiting
  --json                  print the report as one JSON object on stdout
  --progress S            a progress line on stderr every S seconds (default 0 = off)
  --idtag TAG             idTag / idToken of every transaction (default FLEET-TAG)
  --power-w W             charging power per station (default 7400)
  --seed N                random seed for jitter and the storm's choice (default random)
  --acked-log FILE        one line per acknowledged 1.6 MeterValues / 2.0.1 TransactionEvent
                          (what the CSMS must have stored exactly once)
  --commands-log FILE     one line per DataTransfer received from the CSMS (answered Accepted)
  --timeline FILE         one JSON line per second: connections, answers, errors, latency
  --resend-unconfirmed    a meter value not answered (dropped, timed out, CALLERROR) is sent
                          again, unchanged, instead of the next one
  --drop-on-timeout       a CALL timeout abandons the connection and reconnects; the old
                          socket stays open and is watched for CALLs (a stale server)
  --help

Exit codes: 0 the run completed (even with errors), 2 a bad command line.
)";
}

std::optional<FleetOptions> parse_fleet_options(const std::vector<std::string>& args,
                                                std::string& error) {
  FleetOptions o;
  using Setter = std::function<bool(const std::string&)>;
  auto number = [](double& field, double min, double max) -> Setter {
    return [&field, min, max](const std::string& v) { return to_double(v, min, max, field); };
  };
  auto optional_number = [](std::optional<double>& field, double min, double max) -> Setter {
    return [&field, min, max](const std::string& v) {
      double d = 0;
      if (!to_double(v, min, max, d)) return false;
      field = d;
      return true;
    };
  };
  auto integer = [](int& field, int min, int max) -> Setter {
    return [&field, min, max](const std::string& v) { return to_int(v, min, max, field); };
  };
  auto text = [](std::string& field) -> Setter {
    return [&field](const std::string& v) {
      field = v;
      return true;
    };
  };
  const std::map<std::string, Setter> with_value = {
      {"--url",
       [&](const std::string& v) {
         o.url = v;
         return true;
       }},
      {"--stations", integer(o.stations, 1, 1000000)},
      {"--id-prefix",
       [&](const std::string& v) {
         o.id_prefix = v;
         return v.size() <= 40 && plain_identity(v);  // room for 6 digits in 48 characters
       }},
      {"--v201-share", number(o.v201_share, 0, 1)},
      {"--charging-share", number(o.charging_share, 0, 1)},
      {"--meter-interval", number(o.meter_interval_s, 0.001, 86400)},
      {"--meter-rate", optional_number(o.meter_rate, 1e-6, 1e9)},
      {"--heartbeat", optional_number(o.heartbeat_s, 0.001, 86400)},
      {"--ramp", number(o.ramp, 0, 1e9)},
      {"--duration", number(o.duration_s, 0, 1e7)},
      {"--warmup", number(o.warmup_s, 0, 1e7)},
      {"--source-addresses", integer(o.source_addresses, 1, 254)},
      {"--storm-at", optional_number(o.storm_at_s, 0, 1e7)},
      {"--storm-share", number(o.storm_share, 0, 1)},
      {"--password",
       [&](const std::string& v) {
         o.password = v;
         return true;
       }},
      {"--ca-file", text(o.ca_file)},
      {"--cert", text(o.cert_file)},
      {"--key", text(o.key_file)},
      {"--call-timeout-ms", integer(o.call_timeout_ms, 1, 3600000)},
      {"--connect-timeout-ms", integer(o.connect_timeout_ms, 1, 3600000)},
      {"--progress", number(o.progress_s, 0, 1e7)},
      {"--idtag",
       [&](const std::string& v) {
         o.id_tag = v;
         return !v.empty() && v.size() <= 20 && plain_identity(v);  // 1.6 idTag limit
       }},
      {"--power-w", number(o.power_w, 0, 1e9)},
      {"--acked-log", text(o.acked_log)},
      {"--commands-log", text(o.commands_log)},
      {"--timeline", text(o.timeline)},
      {"--seed",
       [&](const std::string& v) {
         auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.seed);
         return ec == std::errc() && end == v.data() + v.size();
       }},
  };
  const std::map<std::string, bool*> flags = {
      {"--stop-transactions", &o.stop_transactions},
      {"--json", &o.json},
      {"--resend-unconfirmed", &o.resend_unconfirmed},
      {"--drop-on-timeout", &o.drop_on_timeout},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (auto flag = flags.find(arg); flag != flags.end()) {
      *flag->second = true;
      continue;
    }
    auto it = with_value.find(arg);
    if (it == with_value.end()) {
      error = "unknown option " + arg;
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      error = arg + " needs a value";
      return std::nullopt;
    }
    const std::string& value = args[++i];
    if (!it->second(value)) {
      error = arg + ": invalid value " + value;
      return std::nullopt;
    }
  }
  if (o.url.empty()) {
    error = "--url is required";
    return std::nullopt;
  }
  if (o.cert_file.empty() != o.key_file.empty()) {
    error = "--cert and --key go together";
    return std::nullopt;
  }
  if (o.stations > 999999 && o.id_prefix.empty()) {
    error = "--stations: at most 999999 with an empty --id-prefix";
    return std::nullopt;
  }
  return o;
}

StationPlan plan_station(const FleetOptions& options, int index) {
  StationPlan plan;
  plan.id = fmt::format("{}{:06d}", options.id_prefix, index + 1);
  plan.v201 = spread_pick(index, options.v201_share);
  // The rank of this station among those of its version.
  const int v201_before = spread_count(index, options.v201_share);
  const int rank = plan.v201 ? v201_before : index - v201_before;
  plan.charging = spread_pick(rank, options.charging_share);
  return plan;
}

int charging_stations(const FleetOptions& options) {
  const int v201 = spread_count(options.stations, options.v201_share);
  return spread_count(v201, options.charging_share) +
         spread_count(options.stations - v201, options.charging_share);
}

double meter_interval(const FleetOptions& options) {
  if (options.meter_rate) {
    const int charging = charging_stations(options);
    if (charging > 0) return static_cast<double>(charging) / *options.meter_rate;
  }
  return options.meter_interval_s;
}

}  // namespace simulator::fleet
