// `ocpp-sim site`: the site's physics on a simulated clock, its meters over
// Modbus TCP, and real stations (with their cars) on one io_context.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "simulator/asio_scheduler.hpp"
#include "simulator/events.hpp"
#include "simulator/site.hpp"
#include "simulator/site_meter.hpp"
#include "simulator/station_core.hpp"
#include "simulator/url.hpp"
#include "simulator/v16/charge_point.hpp"
#include "simulator/v201/charging_station.hpp"
#include "simulator/ws_link.hpp"

namespace simulator::site {

namespace {

using SteadyClock = std::chrono::steady_clock;
namespace sunspec = ocpp::sunspec;

/// Adds the station's id to each of its events on the way to stdout.
class TaggingSink : public EventSink {
 public:
  TaggingSink(EventSink& out, std::string id) : out_(out), id_(std::move(id)) {}
  void emit(const Event& event) override {
    Event tagged = event;
    tagged.add("station", id_);
    out_.emit(tagged);
  }

 private:
  EventSink& out_;
  std::string id_;
};

struct StationRun {
  const SiteStation* config = nullptr;
  std::unique_ptr<TaggingSink> sink;
  std::unique_ptr<WsLink> link;
  std::unique_ptr<StationCore> station;
};

enum class CarState { Waiting, Starting, Charging, Stopping, Gone };

struct CarRun {
  std::size_t station = 0;
  const CarVisit* visit = nullptr;
  CarState state = CarState::Waiting;
  std::optional<Car> car;
  double offered_a = 0;
};

// `v` to a multiple of `step` (0.1, 0.01), printed without float noise
// (12093.4, not 12093.400000000001): an integer over a power of ten.
double round_to(double v, double step) {
  return std::round(v / step) / std::round(1 / step);
}

class SiteRunner {
 public:
  SiteRunner(const SiteConfig& config, LogLevel level, std::ostream& out, std::ostream& err)
      : config_(config),
        level_(level),
        err_(err),
        out_(out),
        scheduler_(io_),
        tick_(io_),
        grace_(io_),
        meters_(config.modbus_host, static_cast<std::uint16_t>(config.modbus_port)),
        base_(config.base, config.start_s),
        battery_soc_(config.battery.soc_pct),
        log_(level, "site", &err) {}

  int run() {
    std::string error;
    auto url = parse_ws_url(config_.csms_url, error);
    if (!url) {
      err_ << "ocpp-sim site: csmsUrl " << config_.csms_url << ": " << error << "\n";
      return 2;
    }
    const auto grid_model =
        config_.grid_model == 203 ? sunspec::Model::Meter203 : sunspec::Model::Meter213;
    meters_.add_unit(config_.grid_unit, {grid_model}, "SITE-GRID");
    meters_.add_unit(config_.pv_unit, {sunspec::Model::Inverter103}, "SITE-PV");
    meters_.add_unit(config_.battery_unit, {sunspec::Model::Storage124, sunspec::Model::Battery802},
                     "SITE-BATTERY");
    try {
      meters_.start();
    } catch (const std::exception& e) {
      err_ << "ocpp-sim site: " << e.what() << "\n";
      out_.emit(Event("error").add("message", std::string(e.what())));
      return 1;
    }
    start_stations(*url);
    t0_ = SteadyClock::now();
    next_s_ = config_.start_s;
    step_to(config_.start_s);  // the meters have values before anyone asks
    out_.emit(Event("site-ready")
                  .add("modbusPort", static_cast<int>(meters_.port()))
                  .add("gridUnit", config_.grid_unit)
                  .add("pvUnit", config_.pv_unit)
                  .add("batteryUnit", config_.battery_unit)
                  .add("start", format_time_of_day(config_.start_s))
                  .add("speed", config_.speed));
    for (auto& s : stations_) s.station->start();
    boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      log_.info("signal {}: closing", signal);
      finish("signal");
    });
    schedule_tick();
    io_.run();
    meters_.stop();
    return 0;
  }

 private:
  void start_stations(const WsUrl& url) {
    std::random_device entropy;
    stations_.reserve(config_.stations.size());
    for (const auto& s : config_.stations) {
      StationRun run;
      run.config = &s;
      run.sink = std::make_unique<TaggingSink>(out_, s.id);
      Logger log(level_, s.id, &err_);
      WsLinkSettings link;
      link.url = url;
      link.station_id = s.id;
      link.password = s.password;
      link.subprotocol = std::string(ocpp::subprotocol(s.version));
      link.seed = entropy();
      run.link = std::make_unique<WsLink>(io_, scheduler_, link, log);
      StationSettings settings;
      settings.id = s.id;
      settings.connectors = s.connectors;
      settings.phases = s.phases;
      settings.power_w = power_of(s.phases, s.max_a);
      settings.meter_interval_s = s.meter_interval_s;
      settings.quirks = s.quirks;
      settings.seed = (std::uint64_t{entropy()} << 32) ^ entropy();
      if (s.version == ocpp::Version::v201)
        run.station = std::make_unique<v201::ChargingStation>(settings, *run.link, scheduler_,
                                                              *run.sink, log);
      else
        run.station =
            std::make_unique<v16::ChargePoint>(settings, *run.link, scheduler_, *run.sink, log);
      const std::string id = s.id;
      run.station->set_fatal_handler(
          [this, id](const std::string& why) { log_.error("station {} gave up: {}", id, why); });
      for (const auto& visit : s.cars) {
        CarRun car;
        car.station = stations_.size();
        car.visit = &visit;
        cars_.push_back(std::move(car));
      }
      stations_.push_back(std::move(run));
    }
  }

  double sim_now() const {
    const double real = std::chrono::duration<double>(SteadyClock::now() - t0_).count();
    return static_cast<double>(config_.start_s) + real * config_.speed;
  }

  void schedule_tick() {
    // Several ticks per simulated second at low speeds; at most 200 per real second.
    const double ms = std::clamp(1000.0 / config_.speed, 5.0, 200.0);
    tick_.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || finishing_) return;
      const double now = sim_now();
      const auto target = static_cast<std::int64_t>(std::floor(now));
      if (config_.end_s && target >= *config_.end_s) {
        step_to(*config_.end_s);
        return finish("end");
      }
      step_to(target);
      schedule_tick();
    });
  }

  /// Runs every simulated second up to and including `t`.
  void step_to(std::int64_t t) {
    // A slow machine must not fall behind for ever: at most a day per tick.
    if (t - next_s_ > 86400) next_s_ = t - 86400;
    for (; next_s_ <= t; ++next_s_) step(next_s_);
  }

  void step(std::int64_t t) {
    apply_faults(t);
    double cars_w = 0;
    for (auto& c : cars_) cars_w += step_car(c, t);
    const double pv = pv_power(config_.pv, static_cast<double>(t));
    const double base = base_.step(t);
    flow_ = site_flow(base, cars_w, pv, config_.battery, battery_soc_);
    if (flow_.grid_w > 0)
      import_wh_ += flow_.grid_w / 3600;
    else
      export_wh_ -= flow_.grid_w / 3600;
    pv_wh_ += pv / 3600;
    update_meters();
    if ((t - config_.start_s) % config_.report_every_s == 0) report(t);
  }

  double step_car(CarRun& c, std::int64_t t) {
    StationRun& s = stations_[c.station];
    Station& station = *s.station;
    const CarVisit& v = *c.visit;
    const int connector = v.connector;
    if (c.state == CarState::Waiting && t >= v.arrive_s && t < v.depart_s && station.ready()) {
      c.state = CarState::Starting;
      c.car.emplace(v.car, 0.0);
      out_.emit(Event("car-arrived")
                    .add("station", s.config->id)
                    .add("connector", connector)
                    .add("time", format_time_of_day(t))
                    .add("soc", v.car.soc_pct));
      Step start;
      start.kind = StepKind::Start;
      start.connector = connector;
      start.id_tag = v.id_tag;
      station.run_step(start, [this, &c, id = s.config->id](StepResult r) {
        if (c.state != CarState::Starting) return;
        if (r.ok) {
          c.state = CarState::Charging;
        } else {
          log_.warn("{}: a car could not start charging: {}", id, r.error);
          c.state = CarState::Gone;
        }
      });
    }
    if ((c.state == CarState::Starting || c.state == CarState::Charging) && t >= v.depart_s) {
      station.set_drawn_power_w(connector, std::nullopt);
      out_.emit(Event("car-left")
                    .add("station", s.config->id)
                    .add("connector", connector)
                    .add("time", format_time_of_day(t))
                    .add("soc", round_to(c.car->soc_pct(), 0.1)));
      c.state = CarState::Stopping;
      Step stop;
      stop.kind = StepKind::Stop;
      stop.connector = connector;
      stop.reason = "EVDisconnected";
      station.run_step(stop, [&c](StepResult) { c.state = CarState::Gone; });
      return 0;
    }
    if (c.state != CarState::Starting && c.state != CarState::Charging) return 0;
    const auto offered = station.offered_power_w(connector);
    if (!offered) return 0;  // the transaction has not begun (or was ended by the CSMS)
    c.offered_a = *offered / (kVoltage * s.config->phases);
    c.car->follow(static_cast<double>(t), c.offered_a);
    c.car->step(static_cast<double>(t));
    const double w = c.car->power_w();
    station.set_drawn_power_w(connector, w);
    return w;
  }

  void apply_faults(std::int64_t t) {
    for (const auto& f : config_.faults) {
      const bool begins = t == f.at_s || (t == config_.start_s && f.at_s < t &&
                                          (f.duration_s == 0 || f.at_s + f.duration_s > t));
      const bool ends = f.duration_s > 0 && t == f.at_s + f.duration_s && t != config_.start_s;
      if (!begins && !ends) continue;
      const bool on = begins;
      Event e("fault");
      e.add("kind", f.kind == FaultKind::MeterFrozen    ? "meter-frozen"
                    : f.kind == FaultKind::MeterOffline ? "meter-offline"
                                                        : "station-offline")
          .add("target", f.target)
          .add("active", on)
          .add("time", format_time_of_day(t));
      out_.emit(e);
      switch (f.kind) {
        case FaultKind::MeterOffline:
          meters_.set_offline(on);
          break;
        case FaultKind::MeterFrozen:
          for (const auto& [name, unit] : {std::pair<const char*, int>{"grid", config_.grid_unit},
                                           {"pv", config_.pv_unit},
                                           {"battery", config_.battery_unit}})
            if (f.target == "all" || f.target == name) meters_.set_frozen(unit, on);
          break;
        case FaultKind::StationOffline:
          for (auto& s : stations_) {
            if (s.config->id != f.target) continue;
            if (!on) {
              s.station->go_online();
            } else if (f.duration_s > 0) {
              // The station's own timers run on real time.
              const double real_ms = 1000.0 * static_cast<double>(f.duration_s) / config_.speed;
              s.station->go_offline(Duration(std::max<std::int64_t>(1, std::llround(real_ms))));
            } else {
              s.station->go_offline(std::nullopt);
            }
          }
          break;
      }
    }
  }

  void update_meters() {
    sunspec::Values grid;
    grid.power_w = flow_.grid_w;
    for (auto& a : grid.phase_current_a) a = flow_.grid_w / (kVoltage * 3);
    grid.energy_import_wh = import_wh_;
    grid.energy_export_wh = export_wh_;
    meters_.set(config_.grid_unit, grid);
    sunspec::Values pv;
    pv.power_w = flow_.pv_w;
    for (auto& a : pv.phase_current_a) a = flow_.pv_w / (kVoltage * 3);
    pv.energy_export_wh = pv_wh_;
    meters_.set(config_.pv_unit, pv);
    sunspec::Values battery;
    if (config_.battery.present) {
      battery.soc_pct = battery_soc_;
      battery.battery_power_w = flow_.battery_w;
    }
    meters_.set(config_.battery_unit, battery);
  }

  void report(std::int64_t t) {
    std::string cars = "[";
    for (const auto& c : cars_) {
      if (c.state != CarState::Starting && c.state != CarState::Charging) continue;
      if (cars.size() > 1) cars += ",";
      const auto& s = *stations_[c.station].config;
      Event car("car");  // only to format the members
      car.add("station", s.id)
          .add("connector", c.visit->connector)
          .add("offeredA", round_to(c.offered_a, 0.01))
          .add("drawA", round_to(c.car->draw_a(), 0.01))
          .add("drawW", round_to(c.car->power_w(), 0.1))
          .add("soc", round_to(c.car->soc_pct(), 0.01));
      std::string json = car.to_json();
      cars += "{" + json.substr(json.find(',') + 1);  // drop the "event" member
    }
    cars += "]";
    out_.emit(Event("site")
                  .add("time", format_time_of_day(t))
                  .add("t", t)
                  .add("gridW", round_to(flow_.grid_w, 0.1))
                  .add("pvW", round_to(flow_.pv_w, 0.1))
                  .add("baseW", round_to(flow_.base_w, 0.1))
                  .add("carsW", round_to(flow_.cars_w, 0.1))
                  .add("batteryW", round_to(flow_.battery_w, 0.1))
                  .add("batterySoc", round_to(battery_soc_, 0.01))
                  .add("meterOffline", meter_offline_at(t))
                  .add_raw("cars", cars));
  }

  bool meter_offline_at(std::int64_t t) const {
    for (const auto& f : config_.faults)
      if (f.kind == FaultKind::MeterOffline && t >= f.at_s &&
          (f.duration_s == 0 || t < f.at_s + f.duration_s))
        return true;
    return false;
  }

  void finish(const char* why) {
    if (finishing_) return;
    finishing_ = true;
    tick_.cancel();
    out_.emit(Event("site-end")
                  .add("reason", why)
                  .add("time", format_time_of_day(next_s_ - 1))
                  .add("importWh", round_to(import_wh_, 0.1))
                  .add("exportWh", round_to(export_wh_, 0.1))
                  .add("pvWh", round_to(pv_wh_, 0.1)));
    grace_.expires_after(std::chrono::seconds(3));
    grace_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) io_.stop();
    });
    auto left = std::make_shared<std::size_t>(stations_.size());
    if (*left == 0) return io_.stop();
    for (auto& s : stations_)
      s.station->shutdown(false, [this, left] {
        if (--*left == 0) io_.stop();
      });
  }

  const SiteConfig& config_;
  LogLevel level_;
  std::ostream& err_;
  StreamEventSink out_;
  boost::asio::io_context io_;
  AsioScheduler scheduler_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer grace_;
  SiteMeterServer meters_;
  BaseLoadModel base_;
  double battery_soc_;
  Logger log_;
  std::vector<StationRun> stations_;
  std::vector<CarRun> cars_;
  SteadyClock::time_point t0_;
  std::int64_t next_s_ = 0;
  Flow flow_;
  double import_wh_ = 0;
  double export_wh_ = 0;
  double pv_wh_ = 0;
  bool finishing_ = false;
};

}  // namespace

int run_site(const SiteConfig& config, LogLevel log_level, std::ostream& out, std::ostream& err) {
  SiteRunner runner(config, log_level, out, err);
  return runner.run();
}

}  // namespace simulator::site
