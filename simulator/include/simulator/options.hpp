#pragma once
// The ocpp-sim command line.

#include <optional>
#include <string>
#include <vector>

#include "ocpp/common/version.hpp"
#include "simulator/log.hpp"
#include "simulator/smart_charging.hpp"

namespace simulator {

/// Everything the command line can say.
struct Options {
  std::string url;
  std::string id;
  std::optional<std::string> password;
  std::string ca_file;       ///< --ca-file: trust anchors for wss:// (PEM).
  std::string cert_file;     ///< --cert: client certificate chain (PEM), security profile 3.
  std::string key_file;      ///< --key: its private key (PEM).
  std::string tls_url;       ///< --tls-url: the wss:// URL a 1.6 SecurityProfile upgrade goes to.
  std::string ocpp = "1.6";  ///< As given.
  ocpp::Version version = ocpp::Version::v16;  ///< What `ocpp` names.
  int connectors = 1;
  std::string scenario;
  std::string vendor = "ocpp-sim";
  std::string model = "SIM-1";
  std::string serial;  ///< Empty: the station id.
  std::string firmware = "0.1.0";
  double power_w = 7400.0;
  std::optional<int> heartbeat_s;
  std::optional<int> meter_interval_s;
  std::string id_tag = "SIM-TAG";
  int reconnect_min_ms = 500;
  int reconnect_max_ms = 30000;
  double call_timeout_s = 30.0;
  LogLevel log_level = LogLevel::Info;
  bool retry_rejected = false;
  std::string queue_file;
  bool signed_meter = false;         ///< --signed-meter (also implied by the two below).
  std::string meter_key_file;        ///< --meter-key: a PEM EC private key.
  bool signed_meter_tamper = false;  ///< --signed-meter-tamper.
  ProfileQuirks quirks;              ///< --quirk (repeatable).
  bool help = false;
};

/// Parses argv[1..]. Accepts `--name value` and `--name=value`. On a bad
/// command line returns nullopt with `error` set.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

/// The --help text.
std::string usage();

}  // namespace simulator
