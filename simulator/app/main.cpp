// ocpp-sim: the charge-point simulator. Parses the command line, wires one
// station (link, model, optional scenario) onto an io_context and runs it.
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ocpp/ocmf.hpp"
#include "simulator/asio_scheduler.hpp"
#include "simulator/events.hpp"
#include "simulator/fleet.hpp"
#include "simulator/options.hpp"
#include "simulator/scenario.hpp"
#include "simulator/scenario_runner.hpp"
#include "simulator/site.hpp"
#include "simulator/station_core.hpp"
#include "simulator/tls.hpp"
#include "simulator/url.hpp"
#include "simulator/v16/charge_point.hpp"
#include "simulator/v201/charging_station.hpp"
#include "simulator/ws_link.hpp"

namespace {

constexpr int kExitUsage = 2;

int usage_error(simulator::EventSink& events, const std::string& message) {
  std::cerr << "ocpp-sim: " << message << "\n";
  events.emit(simulator::Event("error").add("message", message));
  return kExitUsage;
}

// `ocpp-sim fleet ...`: many stations in one process (simulator/include/simulator/fleet.hpp).
int run_fleet_command(int argc, char** argv) {
  std::string error;
  auto options =
      simulator::fleet::parse_fleet_options(std::vector<std::string>(argv + 2, argv + argc), error);
  if (!options) {
    std::cerr << "ocpp-sim fleet: " << error << " (see ocpp-sim fleet --help)\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << simulator::fleet::fleet_usage();
    return 0;
  }
  return simulator::fleet::run_fleet(*options, std::cout, std::cerr);
}

// `ocpp-sim site ...`: a simulated site and its stations (simulator/include/simulator/site.hpp).
int run_site_command(int argc, char** argv) {
  std::string error;
  auto options =
      simulator::site::parse_site_options(std::vector<std::string>(argv + 2, argv + argc), error);
  if (!options) {
    std::cerr << "ocpp-sim site: " << error << " (see ocpp-sim site --help)\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << simulator::site::site_usage();
    return 0;
  }
  auto config = simulator::site::load_site_config(options->config, error);
  if (!config) {
    std::cerr << "ocpp-sim site: " << error << "\n";
    return kExitUsage;
  }
  if (options->speed) config->speed = *options->speed;
  if (options->start_s) config->start_s = *options->start_s;
  if (options->end_s) config->end_s = *options->end_s;
  if (config->end_s && *config->end_s <= config->start_s) {
    std::cerr << "ocpp-sim site: the end must come after the start\n";
    return kExitUsage;
  }
  return simulator::site::run_site(*config, options->log_level, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace simulator;
  // Events go to a pipe the test harness may close first; a write must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc > 1 && std::string_view(argv[1]) == "fleet") return run_fleet_command(argc, argv);
  if (argc > 1 && std::string_view(argv[1]) == "site") return run_site_command(argc, argv);
  StreamEventSink stdout_events(std::cout);

  std::string error;
  auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc), error);
  if (!options) return usage_error(stdout_events, error + " (see --help)");
  if (options->help) {
    std::cout << usage();
    return 0;
  }
  auto url = parse_ws_url(options->url, error);
  if (!url) return usage_error(stdout_events, "--url " + options->url + ": " + error);
  std::optional<Scenario> scenario;
  if (!options->scenario.empty()) {
    scenario = load_scenario_file(options->scenario, error);
    if (!scenario) return usage_error(stdout_events, error);
  }

  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  EventHub events;
  events.listen([&stdout_events](const Event& e) { stdout_events.emit(e); });
  Logger log(options->log_level, options->id, &std::cerr);

  WsLinkSettings link_settings;
  link_settings.url = *url;
  link_settings.station_id = options->id;
  link_settings.password = options->password;
  link_settings.subprotocol = std::string(ocpp::subprotocol(options->version));
  link_settings.reconnect_min = Duration(options->reconnect_min_ms);
  link_settings.reconnect_max = Duration(options->reconnect_max_ms);
  link_settings.retry_rejected = options->retry_rejected;
  link_settings.seed = std::random_device{}();
  // Trust anchors and the client certificate are read once, here: a bad file is a usage error.
  auto read_pem = [&](const std::string& flag, const std::string& path, std::string& into) {
    if (path.empty()) return true;
    auto text = read_text_file(path, error);
    if (text) into = *text;
    if (text && (flag == "--key" || readable_certificates(into, error))) return true;
    if (text) error = path + ": " + error;
    error = flag + " " + error;
    return false;
  };
  if (!read_pem("--ca-file", options->ca_file, link_settings.tls.ca_pem) ||
      !read_pem("--cert", options->cert_file, link_settings.tls.cert_pem) ||
      !read_pem("--key", options->key_file, link_settings.tls.key_pem))
    return usage_error(stdout_events, error);
  if (!link_settings.tls.cert_pem.empty() &&
      !certificate_matches_key(link_settings.tls.cert_pem, link_settings.tls.key_pem, error))
    return usage_error(stdout_events, "--cert/--key: " + error);
  WsLink link(io, scheduler, link_settings, log);

  StationSettings settings;
  settings.id = options->id;
  settings.connectors = options->connectors;
  settings.vendor = options->vendor;
  settings.model = options->model;
  settings.serial_number = options->serial;
  settings.firmware_version = options->firmware;
  settings.power_w = options->power_w;
  settings.heartbeat_s = options->heartbeat_s;
  settings.meter_interval_s = options->meter_interval_s;
  settings.id_tag = options->id_tag;
  settings.call_timeout = seconds_to_duration(options->call_timeout_s);
  settings.queue_file = options->queue_file;
  settings.signed_meter = options->signed_meter;
  settings.signed_meter_tamper = options->signed_meter_tamper;
  settings.quirks = options->quirks;
  settings.password = options->password;
  settings.tls_url = options->tls_url;
  settings.security_profile = !url->tls                            ? (options->password ? 1 : 0)
                              : link_settings.tls.cert_pem.empty() ? 2
                                                                   : 3;
  if (!link_settings.tls.cert_pem.empty()) {
    settings.client_cert_pem = link_settings.tls.cert_pem;
    settings.client_key_pem = link_settings.tls.key_pem;
  }
  if (!options->meter_key_file.empty()) {
    std::ifstream key_file(options->meter_key_file, std::ios::binary);
    if (!key_file) {
      return usage_error(stdout_events, "--meter-key " + options->meter_key_file + ": cannot read");
    }
    std::stringstream pem;
    pem << key_file.rdbuf();
    if (!ocpp::ocmf::public_key_hex_of(pem.str(), &error)) {
      return usage_error(stdout_events, "--meter-key " + options->meter_key_file + ": " + error);
    }
    settings.meter_key_pem = pem.str();
  }
  std::random_device entropy;
  settings.seed = (std::uint64_t{entropy()} << 32) ^ entropy();
  std::unique_ptr<StationCore> station_ptr;
  if (options->version == ocpp::Version::v201) {
    station_ptr = std::make_unique<v201::ChargingStation>(settings, link, scheduler, events, log);
  } else {
    station_ptr = std::make_unique<v16::ChargePoint>(settings, link, scheduler, events, log);
  }
  StationCore& station = *station_ptr;
  if (!station.open_queue_file(&error)) return usage_error(stdout_events, error);

  int exit_code = 0;
  bool stopping = false;
  boost::asio::steady_timer grace(io);
  // Close cleanly, but never hang on a peer that does not answer the close.
  auto stop = [&](int code) {
    if (stopping) return;
    stopping = true;
    exit_code = code;
    grace.expires_after(std::chrono::seconds(3));
    grace.async_wait([&io](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
    station.shutdown(false, [&io] { io.stop(); });
  };

  std::unique_ptr<ScenarioRunner> runner;
  if (scenario) {
    runner = std::make_unique<ScenarioRunner>(station, scheduler, events, log, *scenario);
    if (auto problem = runner->validate()) return usage_error(stdout_events, *problem);
    events.listen([&runner](const Event& e) { runner->on_event(e); });
    runner->start([&](int code) {
      exit_code = code;
      stopping = true;
      io.stop();
    });
  }
  station.set_fatal_handler([&](const std::string& why) {
    log.error("giving up: {}", why);
    stop(1);
  });

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log.info("signal {}: closing", signal);
    stop(0);
  });

  station.start();
  io.run();
  return exit_code;
}
