#pragma once
// `ocpp-sim site --config site.json`: a simulated site (site_model.hpp) whose
// grid meter, PV inverter and battery are served over Modbus TCP with the
// SunSpec models (site_meter.hpp), with 1.6 and 2.0.1 stations whose cars
// arrive, follow the charging profiles the CSMS sends, and leave. The site's
// physics runs on a simulated clock (`speed` simulated seconds per real
// second); the stations' protocol timers stay on real time.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/version.hpp"
#include "simulator/log.hpp"
#include "simulator/site_model.hpp"
#include "simulator/smart_charging.hpp"

namespace simulator::site {

/// One car's visit: it plugs in at `arrive_s` (the station starts a
/// transaction) and leaves at `depart_s` (the station stops it).
struct CarVisit {
  int connector = 1;
  std::int64_t arrive_s = 0;  ///< Time of day, s.
  std::int64_t depart_s = 0;  ///< Time of day, s; past the end: stays.
  std::string id_tag = "SIM-TAG";
  CarSettings car;
};

/// A simulated station at the site.
struct SiteStation {
  std::string id;
  ocpp::Version version = ocpp::Version::v16;
  int connectors = 1;
  std::optional<std::string> password;
  ProfileQuirks quirks;
  int phases = 3;             ///< What its meters measure on.
  double max_a = 32;          ///< Its power: max_a x 230 V x phases.
  int meter_interval_s = 10;  ///< MeterValueSampleInterval / TxUpdatedInterval.
  std::vector<CarVisit> cars;
};

enum class FaultKind { MeterFrozen, MeterOffline, StationOffline };

/// A fault from `at_s` (time of day) for `duration_s` (0: to the end).
/// Targets: meter-frozen the unit `grid`, `pv`, `battery` or `all`;
/// meter-offline the whole Modbus server; station-offline a station id.
struct Fault {
  std::int64_t at_s = 0;
  FaultKind kind = FaultKind::MeterOffline;
  std::string target;
  std::int64_t duration_s = 0;
};

/// A site.json.
struct SiteConfig {
  std::string csms_url;
  std::string modbus_host = "127.0.0.1";
  int modbus_port = 0;  ///< 0: ephemeral (the site-ready event tells).
  int grid_unit = 1;
  int pv_unit = 2;
  int battery_unit = 3;
  int grid_model = 213;               ///< 203 (integers and scale factors) or 213 (floats).
  std::int64_t start_s = 12 * 3600;   ///< Simulated time of day at start.
  std::optional<std::int64_t> end_s;  ///< Simulated time to stop at; none: until a signal.
  double speed = 1;                   ///< Simulated seconds per real second.
  std::int64_t report_every_s = 60;   ///< Simulated seconds between "site" events.
  Pv pv;
  Battery battery;
  BaseLoad base;
  std::vector<SiteStation> stations;
  std::vector<Fault> faults;
};

/// Parses a site configuration; relative file names (the PV CSV) are read from
/// `base_dir`. nullopt with `error` naming the member (`stations[1].cars[0].arrive: ...`).
std::optional<SiteConfig> parse_site_config(std::string_view json, const std::string& base_dir,
                                            std::string& error);
/// Reads and parses a file; errors name it.
std::optional<SiteConfig> load_site_config(const std::string& path, std::string& error);

/// The `ocpp-sim site` command line.
struct SiteOptions {
  std::string config;
  std::optional<double> speed;          ///< Overrides the config's.
  std::optional<std::int64_t> start_s;  ///< Overrides the config's.
  std::optional<std::int64_t> end_s;    ///< Overrides the config's.
  LogLevel log_level = LogLevel::Info;
  bool help = false;
};
std::optional<SiteOptions> parse_site_options(const std::vector<std::string>& args,
                                              std::string& error);
std::string site_usage();

/// Runs the site until its end time or SIGINT/SIGTERM; JSON event lines to
/// `out`, logs to `err`. Returns the exit code (0, or 1 when the Modbus server
/// cannot listen).
int run_site(const SiteConfig& config, LogLevel log_level, std::ostream& out, std::ostream& err);

}  // namespace simulator::site
