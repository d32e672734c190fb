// site.json and the `ocpp-sim site` command line.
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "ocpp/common/json.hpp"
#include "parse_number.hpp"
#include "simulator/site.hpp"

namespace simulator::site {

namespace {

/// Thrown with the member's path and the problem; caught at the top.
struct ConfigError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw ConfigError{path + ": " + problem};
}

/// Reads members of one JSON object, naming them in errors.
class Reader {
 public:
  Reader(const rapidjson::Value& v, std::string path) : v_(v), path_(std::move(path)) {
    if (!v_.IsObject()) fail(path_.empty() ? "the configuration" : path_, "must be an object");
  }

  const rapidjson::Value* find(const char* key) const {
    auto it = v_.FindMember(key);
    return it == v_.MemberEnd() ? nullptr : &it->value;
  }
  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  double number(const char* key, double fallback, double min, double max) const {
    const auto* m = find(key);
    if (!m) return fallback;
    if (!m->IsNumber() || !std::isfinite(m->GetDouble()) || m->GetDouble() < min ||
        m->GetDouble() > max)
      fail(at(key), fmt::format("must be a number in {}..{}", min, max));
    return m->GetDouble();
  }
  int integer(const char* key, int fallback, int min, int max) const {
    const auto* m = find(key);
    if (!m) return fallback;
    if (!m->IsInt() || m->GetInt() < min || m->GetInt() > max)
      fail(at(key), fmt::format("must be an integer in {}..{}", min, max));
    return m->GetInt();
  }
  std::string text(const char* key, const std::string& fallback) const {
    const auto* m = find(key);
    if (!m) return fallback;
    if (!m->IsString() || m->GetStringLength() == 0) fail(at(key), "must be a non-empty string");
    return m->GetString();
  }
  /// A time of day: "HH:MM[:SS]" or seconds.
  std::optional<std::int64_t> time(const char* key) const {
    const auto* m = find(key);
    if (!m) return std::nullopt;
    std::optional<double> t;
    if (m->IsNumber() && m->GetDouble() >= 0 && m->GetDouble() <= 7 * 86400)
      t = m->GetDouble();
    else if (m->IsString())
      t = parse_time_of_day(m->GetString());
    if (!t) fail(at(key), "must be a time of day, \"HH:MM[:SS]\" or seconds");
    return static_cast<std::int64_t>(std::llround(*t));
  }
  std::int64_t required_time(const char* key) const {
    auto t = time(key);
    if (!t) fail(at(key), "is required");
    return *t;
  }
  /// Calls `fn(element reader)` for each object of the array `key`.
  void each(const char* key, const std::function<void(const Reader&)>& fn) const {
    const auto* m = find(key);
    if (!m) return;
    if (!m->IsArray()) fail(at(key), "must be an array");
    for (rapidjson::SizeType i = 0; i < m->Size(); ++i)
      fn(Reader((*m)[i], fmt::format("{}[{}]", at(key), i)));
  }
  std::optional<Reader> object(const char* key) const {
    const auto* m = find(key);
    if (!m) return std::nullopt;
    return Reader(*m, at(key));
  }
  /// Rejects members not in `known` (a typo must not be silently ignored).
  void only(std::initializer_list<const char*> known) const {
    for (auto it = v_.MemberBegin(); it != v_.MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      bool ok = false;
      for (const char* k : known) ok = ok || name == k;
      if (!ok) fail(at(name.c_str()), "unknown member");
    }
  }
  const rapidjson::Value& value() const { return v_; }
  const std::string& path() const { return path_; }

 private:
  const rapidjson::Value& v_;
  std::string path_;
};

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream text;
  if (ok) text << in.rdbuf();
  return text.str();
}

void read_pv(const Reader& r, const std::string& base_dir, Pv& pv) {
  r.only({"peakW", "sunrise", "sunset", "clouds", "cloudDrop", "cloudRampS", "csv"});
  pv.peak_w = r.number("peakW", 0, 0, 1e9);
  if (auto t = r.time("sunrise")) pv.sunrise_h = static_cast<double>(*t) / 3600;
  if (auto t = r.time("sunset")) pv.sunset_h = static_cast<double>(*t) / 3600;
  if (pv.sunset_h <= pv.sunrise_h) fail(r.at("sunset"), "must come after sunrise");
  pv.cloud_drop = r.number("cloudDrop", pv.cloud_drop, 0, 1);
  pv.cloud_ramp_s = r.integer("cloudRampS", static_cast<int>(pv.cloud_ramp_s), 1, 3600);
  r.each("clouds", [&pv](const Reader& c) {
    c.only({"at", "durationS"});
    pv.clouds.push_back(Cloud{c.required_time("at"), c.integer("durationS", 600, 0, 86400)});
  });
  if (r.find("csv")) {
    std::string file = r.text("csv", "");
    if (!file.empty() && file.front() != '/' && !base_dir.empty()) file = base_dir + "/" + file;
    bool ok = false;
    const std::string text = read_file(file, ok);
    if (!ok) fail(r.at("csv"), file + ": cannot read");
    std::string error;
    auto series = parse_pv_csv(text, error);
    if (!series) fail(r.at("csv"), file + ": " + error);
    pv.series = std::move(*series);
  }
}

void read_battery(const Reader& r, Battery& b) {
  r.only({"capacityWh", "socPct", "maxChargeW", "maxDischargeW", "efficiency", "minSocPct",
          "maxSocPct"});
  b.present = true;
  b.capacity_wh = r.number("capacityWh", b.capacity_wh, 1, 1e9);
  b.soc_pct = r.number("socPct", b.soc_pct, 0, 100);
  b.max_charge_w = r.number("maxChargeW", b.max_charge_w, 0, 1e9);
  b.max_discharge_w = r.number("maxDischargeW", b.max_discharge_w, 0, 1e9);
  b.efficiency = r.number("efficiency", b.efficiency, 0.01, 1);
  b.min_soc_pct = r.number("minSocPct", b.min_soc_pct, 0, 100);
  b.max_soc_pct = r.number("maxSocPct", b.max_soc_pct, 0, 100);
  if (b.max_soc_pct < b.min_soc_pct) fail(r.at("maxSocPct"), "must be at least minSocPct");
}

void read_base(const Reader& r, BaseLoad& base) {
  r.only({"startW", "walkW", "walkEveryS", "minW", "maxW", "steps", "seed"});
  base.start_w = r.number("startW", 0, 0, 1e9);
  base.walk_w = r.number("walkW", 0, 0, 1e9);
  base.walk_every_s = r.integer("walkEveryS", 10, 1, 86400);
  base.min_w = r.number("minW", 0, 0, 1e9);
  base.max_w = r.number("maxW", 1e9, 0, 1e9);
  base.seed = static_cast<std::uint64_t>(r.integer("seed", 1, 0, 2147483647));
  r.each("steps", [&base](const Reader& s) {
    s.only({"at", "deltaW"});
    base.steps.push_back(BaseStep{s.required_time("at"), s.number("deltaW", 0, -1e9, 1e9)});
  });
}

void read_quirks(const Reader& r, ProfileQuirks& quirks) {
  const auto* m = r.find("quirks");
  if (!m) return;
  if (!m->IsArray()) fail(r.at("quirks"), "must be an array");
  for (rapidjson::SizeType i = 0; i < m->Size(); ++i) {
    const auto& q = (*m)[i];
    if (!q.IsString() || !add_quirk(quirks, q.GetString()))
      fail(fmt::format("{}[{}]", r.at("quirks"), i),
           "must be \"stack0-only\", \"amps-only\" or \"rejects-zero\"");
  }
}

SiteStation read_station(const Reader& r) {
  r.only({"id", "version", "connectors", "password", "quirks", "phases", "maxA", "meterIntervalS",
          "cars"});
  SiteStation s;
  s.id = r.text("id", "");
  if (s.id.empty()) fail(r.at("id"), "is required");
  const std::string version = r.text("version", "1.6");
  if (version == "1.6" || version == "1.6J")
    s.version = ocpp::Version::v16;
  else if (version == "2.0.1")
    s.version = ocpp::Version::v201;
  else
    fail(r.at("version"), "must be \"1.6\" or \"2.0.1\"");
  s.connectors = r.integer("connectors", 1, 1, 64);
  if (r.find("password")) s.password = r.text("password", "");
  read_quirks(r, s.quirks);
  s.phases = r.integer("phases", 3, 1, 3);
  s.max_a = r.number("maxA", 32, 1, 1000);
  s.meter_interval_s = r.integer("meterIntervalS", 10, 0, 86400);
  r.each("cars", [&s](const Reader& c) {
    c.only({"connector", "arrive", "depart", "idTag", "phases", "minA", "maxA", "drawMaxA",
            "socPct", "targetSocPct", "taperFromPct", "capacityWh", "delayS", "rampAPerS"});
    CarVisit v;
    v.connector = c.integer("connector", 1, 1, s.connectors);
    v.arrive_s = c.required_time("arrive");
    v.depart_s = c.time("depart").value_or(7 * 86400);
    if (v.depart_s <= v.arrive_s) fail(c.at("depart"), "must come after arrive");
    v.id_tag = c.text("idTag", "SIM-TAG");
    CarSettings& car = v.car;
    car.phases = c.integer("phases", s.phases, 1, 3);
    car.min_a = c.number("minA", car.min_a, 0, 1000);
    const double max_a = c.number("maxA", 32, 0, 1000);
    car.draw_max_a = std::min(max_a, c.number("drawMaxA", max_a, 0, 1000));
    car.soc_pct = c.number("socPct", car.soc_pct, 0, 100);
    car.target_soc_pct = c.number("targetSocPct", car.target_soc_pct, 0, 100);
    car.taper_from_pct = c.number("taperFromPct", car.taper_from_pct, 0, 99.9);
    car.capacity_wh = c.number("capacityWh", car.capacity_wh, 100, 1e7);
    car.delay_s = c.number("delayS", car.delay_s, 0, 3600);
    car.ramp_up_a_per_s = c.number("rampAPerS", car.ramp_up_a_per_s, 0.01, 1000);
    for (const auto& other : s.cars)
      if (other.connector == v.connector && v.arrive_s < other.depart_s &&
          other.arrive_s < v.depart_s)
        fail(c.path(), fmt::format("overlaps another car on connector {}", v.connector));
    s.cars.push_back(std::move(v));
  });
  return s;
}

Fault read_fault(const Reader& r, const SiteConfig& config) {
  r.only({"at", "kind", "target", "durationS"});
  Fault f;
  f.at_s = r.required_time("at");
  const std::string kind = r.text("kind", "");
  if (kind == "meter-frozen")
    f.kind = FaultKind::MeterFrozen;
  else if (kind == "meter-offline")
    f.kind = FaultKind::MeterOffline;
  else if (kind == "station-offline")
    f.kind = FaultKind::StationOffline;
  else
    fail(r.at("kind"), "must be \"meter-frozen\", \"meter-offline\" or \"station-offline\"");
  f.target = r.text("target", f.kind == FaultKind::MeterFrozen ? "all" : "");
  if (f.kind == FaultKind::MeterFrozen && f.target != "grid" && f.target != "pv" &&
      f.target != "battery" && f.target != "all")
    fail(r.at("target"), "must be \"grid\", \"pv\", \"battery\" or \"all\"");
  if (f.kind == FaultKind::StationOffline) {
    bool known = false;
    for (const auto& s : config.stations) known = known || s.id == f.target;
    if (!known) fail(r.at("target"), "must name a station");
  }
  f.duration_s = r.integer("durationS", 0, 0, 7 * 86400);
  return f;
}

}  // namespace

std::optional<SiteConfig> parse_site_config(std::string_view json, const std::string& base_dir,
                                            std::string& error) {
  rapidjson::Document doc;
  auto parsed = ocpp::parse_json(json, doc, ocpp::JsonComments::Allowed);
  if (parsed.IsError()) {
    error = fmt::format("invalid JSON at offset {}: {}", parsed.Offset(),
                        rapidjson::GetParseError_En(parsed.Code()));
    return std::nullopt;
  }
  try {
    Reader r(doc, "");
    r.only({"csmsUrl", "modbus", "clock", "reportEveryS", "pv", "battery", "base", "stations",
            "faults"});
    SiteConfig c;
    c.csms_url = r.text("csmsUrl", "");
    if (c.csms_url.empty()) fail("csmsUrl", "is required");
    if (auto m = r.object("modbus")) {
      m->only({"host", "port", "gridUnit", "pvUnit", "batteryUnit", "gridModel"});
      c.modbus_host = m->text("host", c.modbus_host);
      c.modbus_port = m->integer("port", 0, 0, 65535);
      c.grid_unit = m->integer("gridUnit", c.grid_unit, 1, 247);
      c.pv_unit = m->integer("pvUnit", c.pv_unit, 1, 247);
      c.battery_unit = m->integer("batteryUnit", c.battery_unit, 1, 247);
      c.grid_model = m->integer("gridModel", c.grid_model, 203, 213);
      if (c.grid_model != 203 && c.grid_model != 213)
        fail(m->at("gridModel"), "must be 203 or 213");
      if (c.grid_unit == c.pv_unit || c.grid_unit == c.battery_unit || c.pv_unit == c.battery_unit)
        fail(m->path(), "the grid, PV and battery units need different ids");
    }
    if (auto clock = r.object("clock")) {
      clock->only({"start", "end", "speed"});
      c.start_s = clock->time("start").value_or(c.start_s);
      c.end_s = clock->time("end");
      c.speed = clock->number("speed", 1, 0.01, 100000);
      if (c.end_s && *c.end_s <= c.start_s) fail(clock->at("end"), "must come after start");
    }
    c.report_every_s = r.integer("reportEveryS", 60, 1, 86400);
    if (auto pv = r.object("pv")) read_pv(*pv, base_dir, c.pv);
    if (auto battery = r.object("battery")) read_battery(*battery, c.battery);
    if (auto base = r.object("base")) read_base(*base, c.base);
    r.each("stations", [&c](const Reader& s) {
      SiteStation station = read_station(s);
      for (const auto& other : c.stations)
        if (other.id == station.id) fail(s.at("id"), "is used twice");
      c.stations.push_back(std::move(station));
    });
    r.each("faults", [&c](const Reader& f) { c.faults.push_back(read_fault(f, c)); });
    return c;
  } catch (const ConfigError& e) {
    error = e.message;
    return std::nullopt;
  }
}

std::optional<SiteConfig> load_site_config(const std::string& path, std::string& error) {
  bool ok = false;
  const std::string text = read_file(path, ok);
  if (!ok) {
    error = path + ": cannot read";
    return std::nullopt;
  }
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  auto config = parse_site_config(text, dir, error);
  if (!config) error = path + ": " + error;
  return config;
}

std::string site_usage() {
  return R"(ocpp-sim site: a simulated site (PV, battery, base load, grid meter over Modbus TCP
with SunSpec) and its 1.6 / 2.0.1 stations, whose cars follow the CSMS's charging profiles

usage: ocpp-sim site --config SITE.json [options]

  --config FILE      the site (simulator/README.md, "Site mode"; simulator/sites/*.json)
  --speed N          simulated seconds per real second (default: the config's, else 1)
  --start HH:MM[:SS] simulated time of day at start (default: the config's, else 12:00)
  --end HH:MM[:SS]   simulated time of day to stop at (default: the config's, else never)
  --log-level L      trace|debug|info|warn|error (stderr; default info)
  --help

Events go to stdout, one JSON object per line: site-ready (the Modbus port),
site (every reportEveryS simulated seconds), car-arrived, car-left, fault,
site-end, and the stations' own events with a "station" member.
)";
}

std::optional<SiteOptions> parse_site_options(const std::vector<std::string>& args,
                                              std::string& error) {
  error.clear();
  SiteOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    ArgOption option = split_option(args[i]);
    const std::string& name = option.name;
    const std::optional<std::string>& value = option.value;
    if (name == "--help" || name == "-h") {
      o.help = true;
      return o;
    }
    if (name != "--config" && name != "--speed" && name != "--start" && name != "--end" &&
        name != "--log-level") {
      error = fmt::format("unknown option {}", name);
      return std::nullopt;
    }
    if (!take_value(option, args, i)) {
      error = name + " needs a value";
      return std::nullopt;
    }
    bool ok = true;
    if (name == "--config") {
      o.config = *value;
    } else if (name == "--speed") {
      double speed = 0;
      ok = to_double(*value, 0.01, 100000, speed);
      o.speed = speed;
    } else if (name == "--log-level") {
      auto level = log_level_from_string(*value);
      ok = level.has_value();
      if (ok) o.log_level = *level;
    } else {
      auto t = parse_time_of_day(*value);
      ok = t.has_value();
      if (ok) (name == "--start" ? o.start_s : o.end_s) = static_cast<std::int64_t>(*t);
    }
    if (!ok) {
      error = fmt::format("{} {}: invalid value", name, *value);
      return std::nullopt;
    }
  }
  if (o.config.empty()) {
    error = "--config is required";
    return std::nullopt;
  }
  return o;
}

}  // namespace simulator::site
