#include "services/energy_service.hpp"

#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <set>

#include <condition_variable>
#include <thread>

#include "carbon/calendar.hpp"
#include "csms/log.hpp"
#include "energy/modbus_source.hpp"
#include "ocpp/common/json.hpp"
#include "server/context.hpp"

namespace csms {

namespace {

using storage::DateTime;

constexpr const char* kRoot = "grid";              // the grid connection's node
constexpr std::int64_t kTxProfileIdBase = 880000;  // + EVSE id: one dynamic profile each
constexpr std::int64_t kDefaultProfileId = 879999;
constexpr std::int64_t kStationMaxProfileId = 879998;
constexpr std::int64_t kIntervalMs = 15 * 60 * 1000;
// The pause sent to a station that rejects 0 A (a firmware quirk): below the
// 6 A of IEC 61851 no car draws, and 1.6 takes one decimal.
constexpr double kPauseA = 0.1;

std::int64_t now_ms(const Clock& clock) {
  return clock.system_now().unix_micros() / 1000;
}

/// The meter poller's time: it paces real network I/O on its own thread with
/// real waits, so it reads the machine's clock, not the context's.
std::int64_t poller_now_ms() {
  return DateTime::now().unix_micros() / 1000;
}

std::string evse_key(const std::string& station, int evse) {
  return station + "/" + std::to_string(evse);
}

energy::Mode mode_of(const std::string& text) {
  if (text == "smart") return energy::Mode::Smart;
  if (text == "off") return energy::Mode::Off;
  return energy::Mode::Fast;
}

const char* mode_name(energy::Mode m) {
  switch (m) {
    case energy::Mode::Smart:
      return "smart";
    case energy::Mode::Off:
      return "off";
    case energy::Mode::Fast:
      break;
  }
  return "fast";
}

// "L2L3L1" -> {1, 2, 0}
void rotation_of(const std::string& text, int (&map)[3]) {
  for (int i = 0; i < 3; ++i) {
    const auto at = static_cast<std::size_t>(i) * 2;
    if (text.size() >= at + 2 && text[at] == 'L' && text[at + 1] >= '1' && text[at + 1] <= '3')
      map[i] = text[at + 1] - '1';
  }
}

// The JSON writer of the decision log.
class Json {
 public:
  Json() : writer_(buffer_) {}
  Json& object() { return ok(writer_.StartObject()); }
  Json& end_object() { return ok(writer_.EndObject()); }
  Json& array() { return ok(writer_.StartArray()); }
  Json& end_array() { return ok(writer_.EndArray()); }
  Json& key(const char* k) { return ok(writer_.Key(k)); }
  Json& str(const std::string& s) {
    return ok(writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())));
  }
  Json& num(double v) { return ok(writer_.Double(std::round(v * 1000) / 1000)); }
  Json& integer(std::int64_t v) { return ok(writer_.Int64(v)); }
  Json& flag(bool v) { return ok(writer_.Bool(v)); }
  Json& opt(const std::optional<double>& v) { return v ? num(*v) : ok(writer_.Null()); }
  std::string text() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  Json& ok(bool) { return *this; }
  rapidjson::StringBuffer buffer_;
  ocpp::JsonWriter writer_;
};

}  // namespace

/// Polls the sites' Modbus/SunSpec meters on its own thread (blocking I/O
/// never runs on the network thread) and stores each result as a reading.
class MeterPoller {
 public:
  /// `stored` runs on the network thread after each reading is stored.
  MeterPoller(ServerContext& ctx, std::function<void(const storage::SiteReading&)> stored)
      : ctx_(ctx), stored_(std::move(stored)), thread_([this] {
          pthread_setname_np(pthread_self(), "site-meters");
          loop();
        }) {}
  ~MeterPoller() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  /// The meters to poll (replaces the list; unchanged ones keep their connection).
  void configure(std::vector<storage::MeterSource> sources) {
    std::lock_guard<std::mutex> lock(mutex_);
    wanted_ = std::move(sources);
    wake_.notify_all();
  }

 private:
  struct Polled {
    storage::MeterSource source;
    std::unique_ptr<energy::ModbusSource> device;
    std::int64_t next_ms = 0;
    bool failing = false;
  };

  static std::string key(const storage::MeterSource& m) { return m.site_id + "/" + m.name; }

  void loop() {
    std::map<std::string, Polled> polled;  // this thread's only
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      // Apply the configured list: new or changed sources get a new device.
      std::map<std::string, storage::MeterSource> want;
      for (const auto& m : wanted_) want[key(m)] = m;
      lock.unlock();
      for (auto it = polled.begin(); it != polled.end();)
        it = want.count(it->first) ? std::next(it) : polled.erase(it);
      for (const auto& [k, m] : want) {
        auto& p = polled[k];
        if (p.device && p.source.host == m.host && p.source.port == m.port &&
            p.source.unit_id == m.unit_id && p.source.role == m.role) {
          p.source = m;
          continue;
        }
        p.source = m;
        energy::ModbusSourceConfig c;
        c.name = m.name;
        c.host = m.host;
        c.port = static_cast<std::uint16_t>(m.port);
        c.unit_id = m.unit_id;
        c.role = m.role;
        c.poll_interval_s = m.poll_interval_s;
        c.max_age_s = m.max_age_s;
        p.device = std::make_unique<energy::ModbusSource>(c);
        p.next_ms = 0;
      }
      for (auto& [k, p] : polled) {
        if (poller_now_ms() < p.next_ms) continue;
        p.next_ms = poller_now_ms() + std::int64_t{std::max(1, p.source.poll_interval_s)} * 1000;
        poll(p);
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
    }
  }

  void poll(Polled& p) {
    storage::SiteReading r;
    r.site_id = p.source.site_id;
    r.source = p.source.name;
    r.max_age_s = p.source.max_age_s;
    try {
      const auto v = p.device->poll();
      r.time = DateTime::now();  // the poller's real clock (see poller_now_ms)
      if (p.source.role == "grid") r.grid_w = v.power_w;
      if (p.source.role == "pv") r.pv_w = v.power_w;
      if (p.source.role == "battery") {
        r.battery_w = v.battery_power_w;
        r.battery_soc = v.soc_pct;
      }
      if (p.source.role == "circuit") {
        r.circuit = p.source.circuit;
        for (int i = 0; i < 3; ++i) r.current_a[i] = v.phase_current_a[i];
      }
      if (p.failing) log::info("energy: meter {} answers again", key(p.source));
      p.failing = false;
    } catch (const std::exception& e) {
      // Nothing stored: the reading goes stale and the site falls back safely.
      if (!p.failing) log::warn("energy: meter {}: {}", key(p.source), e.what());
      p.failing = true;
      return;
    }
    ctx_.db.write([r](storage::Session& s) { s.energy.put_reading(r); },
                  ctx_.on_io([stored = stored_, r](std::exception_ptr e) {
                    if (!e && stored) stored(r);  // the poller may be gone by now
                  }));
  }

  ServerContext& ctx_;
  std::function<void(const storage::SiteReading&)> stored_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<storage::MeterSource> wanted_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

struct EnergyService::Impl {
  explicit Impl(ServerContext& c) : ctx(c) {}

  /// The newest draw an EVSE reported.
  struct Measured {
    std::optional<double> power_w;
    std::optional<double> current_a;
    std::int64_t at_ms = 0;
  };
  /// What was sent to one EVSE.
  struct Output {
    double sent_a = -1;
    std::int64_t sent_ms = 0;
    double accepted_a = -1;
    bool rejected = false;
  };
  /// One site's controller.
  struct Site {
    energy::State state;
    std::int64_t next_due_ms = 0;
    bool running = false;
    std::map<std::string, Output> outputs;
    std::set<std::string> members;  ///< Stations steered last period.
    /// A restart: the limits last sent (from the decision log) cap each
    /// EVSE's first period back, so nothing is raised before they are re-sent;
    /// kept until the EVSE is back or their lease is over.
    bool restored = false;
    std::map<std::string, double> restore_a;
    std::int64_t restore_until_ms = 0;
    std::optional<std::int64_t> last_integrated_ms;
    // Gauges for /metrics.
    double grid_w = 0, limit_w = 0, pv_w = 0, battery_w = 0, allocated_w = 0, measured_w = 0;
    std::uint64_t profiles_sent = 0;
  };
  /// What one period reads from storage.
  struct Snapshot {
    storage::SiteEnergySettings settings;
    std::vector<storage::Circuit> circuits;
    std::vector<storage::LimitWindow> windows;
    std::vector<storage::SiteReading> readings;
    std::vector<storage::MeterSource> meters;
    struct Station {
      std::string id;
      std::vector<storage::EvseEnergySettings> evses;
      std::vector<storage::Transaction> active;
    };
    std::vector<Station> stations;
    std::string timezone = "UTC";
    std::optional<storage::EnergyDecision> last_decision;  ///< Read once after a start.
  };
  /// What a station was given beside its sessions' dynamic limits, and the
  /// firmware quirks its answers showed.
  struct StationOut {
    std::optional<double> default_a;  ///< TxDefaultProfile installed (or on its way).
    std::optional<double> max_a;      ///< Static StationMax profile installed (or on its way).
    bool stack0_only = false;         ///< Rejected stack level 1, so TxProfiles go at 0.
    bool zero_rejected = false;       ///< Rejected 0 A, so pauses are kPauseA.
  };

  ServerContext& ctx;
  TimerHandle tick;
  std::unique_ptr<MeterPoller> poller;  ///< Started with the service.
  EnergyProfileSender send;
  std::function<bool(const std::string&)> connected;
  bool running = false;
  std::map<std::string, Measured> measured;
  std::map<std::string, Site> sites;
  std::map<std::string, StationOut> station_out;
  std::int64_t sites_loaded_ms = 0;
  std::mutex gauges_mutex;  // /metrics may be rendered elsewhere

  void schedule() {
    tick = ctx.executor.post_after(std::chrono::seconds(1), [this] {
      if (!running) return;
      on_tick();
      schedule();
    });
  }

  void on_tick() {
    const auto now = now_ms(ctx.clock);
    if (now - sites_loaded_ms >= 10000) load_sites();
    for (auto& [id, site] : sites)
      if (!site.running && site.next_due_ms <= now) run(id);
  }

  void load_sites() {
    sites_loaded_ms = now_ms(ctx.clock);
    auto list = std::make_shared<std::vector<std::string>>();
    auto meters = std::make_shared<std::vector<storage::MeterSource>>();
    ctx.db.read(
        [list, meters](storage::Session& s) {
          for (const auto& e : s.energy.all_settings()) list->push_back(e.site_id);
          *meters = s.energy.meter_sources("");
        },
        ctx.on_io([this, list, meters](std::exception_ptr error) {
          if (error) return;
          if (poller) poller->configure(*meters);
          std::lock_guard<std::mutex> lock(gauges_mutex);
          for (const auto& id : *list) sites.emplace(id, Site{});
          for (auto it = sites.begin(); it != sites.end();)
            it = std::find(list->begin(), list->end(), it->first) == list->end() ? sites.erase(it)
                                                                                 : std::next(it);
        }));
  }

  void run(const std::string& site_id) {
    auto& site = sites[site_id];
    site.running = true;
    auto snap = std::make_shared<Snapshot>();
    const bool restoring = !site.restored;
    ctx.db.read(
        [site_id, snap, restoring](storage::Session& s) {
          auto settings = s.energy.settings(site_id);
          if (!settings) return;
          snap->settings = *settings;
          if (auto info = s.sites.get(site_id)) snap->timezone = info->timezone;
          if (restoring) {
            auto last = s.energy.decisions(site_id, 1);
            if (!last.empty()) snap->last_decision = last.front();
          }
          snap->circuits = s.energy.circuits(site_id);
          snap->windows = s.energy.windows(site_id);
          snap->readings = s.energy.readings(site_id);
          snap->meters = s.energy.meter_sources(site_id);
          for (const auto& st : s.sites.stations_of(site_id)) {
            Snapshot::Station station;
            station.id = st.station_id;
            station.evses = s.energy.evses(st.station_id);
            storage::TransactionFilter f;
            f.station_id = st.station_id;
            f.active = true;
            f.limit = 64;
            station.active = s.transactions.list(f);
            snap->stations.push_back(std::move(station));
          }
        },
        ctx.on_io([this, site_id, snap](std::exception_ptr error) {
          auto it = sites.find(site_id);
          if (it == sites.end()) return;
          it->second.running = false;
          if (error || snap->settings.site_id.empty()) {
            it->second.next_due_ms = now_ms(ctx.clock) + 5000;
            return;
          }
          decide(site_id, it->second, *snap);
        }));
  }

  void decide(const std::string& site_id, Site& site, const Snapshot& snap) {
    const auto now = now_ms(ctx.clock);
    const auto& cfg = snap.settings;
    const std::int64_t period_ms = std::int64_t{std::clamp(cfg.period_s, 5, 60)} * 1000;
    site.next_due_ms = now + period_ms;
    if (!site.restored) {
      site.restored = true;
      if (snap.last_decision) restore_limits(site, *snap.last_decision, cfg, now);
    }

    // Readings: each value from its newest source that is not stale.
    energy::Readings readings;
    struct Newest {
      std::int64_t grid = 0, pv = 0, battery = 0, soc = 0, base = 0;
    } newest;
    auto take = [](std::optional<double>& into, std::int64_t& into_at,
                   const std::optional<double>& v, std::int64_t at_ms) {
      if (v && at_ms >= into_at) {
        into = v;
        into_at = at_ms;
      }
    };
    // Circuit meters: the newest fresh reading of each metered circuit.
    std::map<std::string, const storage::SiteReading*> circuit_readings;
    std::set<std::string> metered;
    for (const auto& m : snap.meters)
      if (!m.circuit.empty()) metered.insert(m.circuit);
    for (const auto& r : snap.readings) {
      if (r.circuit.empty()) continue;
      metered.insert(r.circuit);
      const std::int64_t at = r.time.unix_micros() / 1000;
      auto& newest_of = circuit_readings[r.circuit];
      if (now - at <= std::int64_t{r.max_age_s} * 1000 &&
          (!newest_of || newest_of->time.unix_micros() < r.time.unix_micros()))
        newest_of = &r;
    }
    for (const auto& r : snap.readings) {
      const std::int64_t at = r.time.unix_micros() / 1000;
      if (now - at > std::int64_t{r.max_age_s} * 1000) continue;  // stale: not used
      take(readings.grid_w, newest.grid, r.grid_w, at);
      take(readings.pv_w, newest.pv, r.pv_w, at);
      take(readings.battery_w, newest.battery, r.battery_w, at);
      take(readings.battery_soc, newest.soc, r.battery_soc, at);
      take(readings.base_w, newest.base, r.base_w, at);
    }

    energy::SiteLimits limits;
    limits.import_limit_w = cfg.import_limit_w;
    // Windows are the site's local time (tariffs are).
    const std::int64_t local_ms =
        now + carbon::utc_offset_s(snap.timezone, DateTime::from_unix_micros(now * 1000)) * 1000;
    const int minute = static_cast<int>((local_ms / 60000) % 1440);
    for (const auto& w : snap.windows) {
      const bool inside = w.start_minute <= w.end_minute
                              ? minute >= w.start_minute && minute < w.end_minute
                              : minute >= w.start_minute || minute < w.end_minute;
      if (inside)
        limits.import_limit_w =
            std::min(limits.import_limit_w.value_or(w.import_limit_w), w.import_limit_w);
    }
    limits.margin_w = cfg.margin_w;
    limits.base_configured = cfg.max_base_w.has_value();
    limits.max_base_w = cfg.max_base_w.value_or(0);
    limits.battery_priority_soc = cfg.battery_priority_soc;
    limits.battery_max_discharge_w = cfg.battery_max_discharge_w;

    // The grid connection is the root; the site limits bind there.
    std::vector<energy::Node> nodes(1);
    nodes[0].id = kRoot;
    for (const auto& c : snap.circuits) {
      energy::Node n;
      n.id = c.id;
      n.parent = c.parent.empty() ? kRoot : c.parent;
      n.max_current_a = c.max_current_a;
      n.max_power_w = c.max_power_w;
      n.metered = metered.count(c.id) > 0;
      if (auto r = circuit_readings.find(c.id); r != circuit_readings.end() && r->second)
        for (int p = 0; p < 3; ++p) n.measured_current_a[p] = r->second->current_a[p];
      nodes.push_back(n);
    }

    std::vector<energy::Evse> evses;
    std::vector<std::string> station_of;
    std::vector<int> evse_of;
    std::vector<bool> online;
    for (const auto& st : snap.stations) {
      const bool is_connected = connected && connected(st.id);
      std::map<int, const storage::EvseEnergySettings*> configured;
      for (const auto& e : st.evses) configured[e.evse_id] = &e;
      std::map<int, const storage::Transaction*> running;
      for (const auto& tx : st.active) running[tx.evse_id > 0 ? tx.evse_id : tx.connector_id] = &tx;
      std::set<int> ids;
      for (const auto& [id, e] : configured) ids.insert(id);
      for (const auto& [id, tx] : running) ids.insert(id);
      for (int id : ids) {
        if (id <= 0) continue;
        energy::Evse e;
        e.key = evse_key(st.id, id);
        e.safe_current_a = cfg.safe_current_a;
        e.mode = mode_of(cfg.default_mode);
        e.smart_keep_minimum = cfg.smart_keep_minimum;
        e.node = kRoot;
        if (auto c = configured.find(id); c != configured.end()) {
          const auto& s = *c->second;
          if (!s.circuit.empty()) e.node = s.circuit;
          e.phases = std::clamp(s.phases, 1, 3);
          rotation_of(s.rotation, e.phase_map);
          e.min_current_a = s.min_current_a;
          e.max_current_a = s.max_current_a;
          e.priority = s.priority;
          if (!s.mode.empty()) e.mode = mode_of(s.mode);
        }
        // A station that refused its last limit is counted at the one it took.
        if (auto o = site.outputs.find(e.key);
            o != site.outputs.end() && o->second.rejected && o->second.accepted_a >= 0) {
          e.min_current_a = std::min(e.min_current_a, o->second.accepted_a);
          e.max_current_a = o->second.accepted_a;
        }
        auto tx = running.find(id);
        e.active = is_connected && tx != running.end();
        if (tx != running.end()) e.arrived_ms = tx->second->start_time.unix_micros() / 1000;
        if (auto m = measured.find(e.key);
            m != measured.end() && now - m->second.at_ms <= 2 * period_ms + 30000) {
          if (m->second.current_a) {
            e.measured_current_a = m->second.current_a;
          } else if (m->second.power_w) {
            e.measured_current_a = *m->second.power_w / (energy::kVoltage * e.phases);
          }
        }
        evses.push_back(e);
        station_of.push_back(st.id);
        evse_of.push_back(id);
        online.push_back(is_connected);
      }
    }

    subtract_controlled(nodes, evses);

    energy::Parameters params;
    // After a restart the ramps go on from the limits sent before.
    for (const auto& [key, a] : site.restore_a) site.state.last_current_a[key] = a;
    auto result =
        energy::allocate(nodes, evses, readings, limits, params, site.state, now, period_ms);
    // An EVSE's first period back raises nothing above what was sent before.
    for (std::size_t i = 0; i < evses.size() && !site.restore_a.empty(); ++i) {
      auto r = site.restore_a.find(evses[i].key);
      if (r == site.restore_a.end() || !evses[i].active || !online[i]) continue;
      auto& d = result.decisions[i];
      if (d.current_a > r->second) {
        d.current_a = r->second;
        d.power_w = d.current_a * energy::kVoltage * evses[i].phases;
        d.limited_by = "restart: the limit sent before";
        site.state.last_current_a[evses[i].key] = d.current_a;
      }
      site.restore_a.erase(r);
    }
    if (now > site.restore_until_ms) site.restore_a.clear();

    // Safe defaults and static maxima first: a station that loses the CSMS
    // falls back by itself. Both only on change (they are written to flash).
    std::set<std::string> members;
    for (const auto& st : snap.stations) {
      members.insert(st.id);
      if (!(connected && connected(st.id)) || !send) continue;
      auto& so = station_out[st.id];
      if (!so.default_a || *so.default_a != cfg.safe_current_a) {
        so.default_a = cfg.safe_current_a;
        EnergyProfile p;
        p.station_id = st.id;
        p.kind = EnergyProfile::Kind::TxDefault;
        p.limit_a = cfg.safe_current_a;
        p.profile_id = kDefaultProfileId;
        p.stack_level = 0;
        send_station_profile(p, &StationOut::default_a, "safe default");
      }
      const auto cap = station_cap(st, snap.circuits);
      if (cap && (!so.max_a || std::fabs(*so.max_a - *cap) >= 0.05)) {
        so.max_a = *cap;
        EnergyProfile p;
        p.station_id = st.id;
        p.kind = EnergyProfile::Kind::StationMax;
        p.limit_a = *cap;
        p.profile_id = kStationMaxProfileId;
        p.stack_level = 0;
        send_station_profile(p, &StationOut::max_a, "static maximum");
      }
    }
    for (const auto& gone : site.members)
      if (!members.count(gone)) leave(site, gone);
    site.members = std::move(members);

    const bool over_limit =
        readings.grid_w && limits.import_limit_w && *readings.grid_w > *limits.import_limit_w;
    double allocated_w = 0, measured_w = 0;
    for (std::size_t i = 0; i < evses.size(); ++i) {
      const auto& d = result.decisions[i];
      const auto& e = evses[i];
      if (e.active) allocated_w += d.power_w;
      if (e.measured_current_a) measured_w += *e.measured_current_a * energy::kVoltage * e.phases;
      if (!e.active || !online[i] || !send) continue;
      auto& out = site.outputs[e.key];
      energy::OutputPolicy policy;
      policy.lease_ms = std::int64_t{cfg.lease_s} * 1000;
      const auto limit =
          energy::profile_to_send(policy, {out.sent_a, out.sent_ms}, d.current_a, over_limit, now);
      if (!limit) continue;
      const double target = *limit;
      const auto& quirks = station_out[station_of[i]];
      EnergyProfile p;
      p.station_id = station_of[i];
      p.evse = evse_of[i];
      p.kind = EnergyProfile::Kind::Tx;
      p.limit_a = target == 0 && quirks.zero_rejected ? kPauseA : target;
      p.profile_id = kTxProfileIdBase + evse_of[i];
      p.stack_level = quirks.stack0_only ? 0 : 1;
      p.duration_s = cfg.lease_s > 0 ? cfg.lease_s + 60 : 0;
      out.sent_a = target;
      out.sent_ms = now;
      ++site.profiles_sent;
      send(p, [this, site_id, key = e.key, target, p](CommandResult r) {
        auto s = sites.find(site_id);
        if (s == sites.end()) return;
        auto& o = s->second.outputs[key];
        if (accepted(r)) {
          o.accepted_a = target;
          o.rejected = false;
        } else if (r.error == CommandError::None || r.error == CommandError::CallError) {
          if (work_around(p)) {
            o.sent_a = -1;  // sent again in the form the station takes
            s->second.next_due_ms = 0;
            return;
          }
          o.rejected = true;
          log::warn("energy: {}: {} A not taken: {}", key, target,
                    r.message.empty() ? r.response_json : r.message);
        } else {
          // Counted at its last accepted limit; flagged in the decision log.
          o.rejected = true;
          log::warn("energy: {}: {} A not taken: {}", key, target,
                    r.message.empty() ? r.response_json : r.message);
        }
      });
    }

    {
      std::lock_guard<std::mutex> lock(gauges_mutex);
      site.grid_w = readings.grid_w.value_or(0);
      site.limit_w = limits.import_limit_w.value_or(0);
      site.pv_w = readings.pv_w.value_or(0);
      site.battery_w = readings.battery_w.value_or(0);
      site.allocated_w = allocated_w;
      site.measured_w = measured_w;
    }
    log_decision(site_id, site, snap, evses, result, station_of, evse_of, readings, now,
                 measured_w);
  }

  /// A circuit meter measures everything below it; the EVSEs' own measured
  /// draw is taken out (per grid phase), so what is left is the uncontrolled
  /// load the allocator plans around.
  static void subtract_controlled(std::vector<energy::Node>& nodes,
                                  const std::vector<energy::Evse>& evses) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < nodes.size(); ++i) index[nodes[i].id] = i;
    for (const auto& e : evses) {
      if (!e.measured_current_a) continue;
      auto at = index.find(e.node);
      for (std::size_t depth = 0; at != index.end() && depth <= nodes.size(); ++depth) {
        auto& n = nodes[at->second];
        for (int k = 0; k < e.phases && k < 3; ++k) {
          auto& m = n.measured_current_a[e.phase_map[k]];
          if (m) m = std::max(0.0, *m - *e.measured_current_a);
        }
        at = n.parent.empty() ? index.end() : index.find(n.parent);
      }
    }
  }

  static bool accepted(const CommandResult& r) {
    rapidjson::Document doc;
    return r.error == CommandError::None && !ocpp::parse_json(r.response_json, doc).IsError() &&
           doc.IsObject() && doc.HasMember("status") && doc["status"].IsString() &&
           std::string(doc["status"].GetString()) == "Accepted";
  }

  /// Sends a station-wide profile whose installed value `field` records; a
  /// station that did not get it (offline, no answer) gets it next period, one
  /// that refused it is not asked again until its next connection.
  void send_station_profile(const EnergyProfile& p, std::optional<double> StationOut::*field,
                            const char* what) {
    send(p, [this, p, field, what](CommandResult r) {
      if (accepted(r)) return;
      if (r.error != CommandError::None && r.error != CommandError::CallError)
        station_out[p.station_id].*field = std::nullopt;
      log::warn("energy: {}: {} profile ({} A) not installed: {}", p.station_id, what, p.limit_a,
                r.message.empty() ? r.response_json : r.message);
    });
  }

  /// A station's static maximum per phase: the sum of its configured EVSEs'
  /// maxima and the smallest fuse (max A) on their way to the grid; nullopt
  /// when nothing bounds it.
  static std::optional<double> station_cap(const Snapshot::Station& st,
                                           const std::vector<storage::Circuit>& circuits) {
    if (st.evses.empty()) return std::nullopt;
    std::map<std::string, const storage::Circuit*> by_id;
    for (const auto& c : circuits) by_id[c.id] = &c;
    double cap = 0;
    for (const auto& e : st.evses) cap += e.max_current_a;
    for (const auto& e : st.evses) {
      std::string node = e.circuit;
      for (std::size_t depth = 0; depth <= circuits.size() && !node.empty(); ++depth) {
        auto c = by_id.find(node);
        if (c == by_id.end()) break;
        if (c->second->max_current_a) cap = std::min(cap, *c->second->max_current_a);
        node = c->second->parent;
      }
    }
    return cap;
  }

  /// A station no longer at the site: its profiles go with it (another
  /// site's controller installs its own). An offline one keeps them until
  /// the dynamic one's lease ends; its safe default stays.
  void leave(Site& site, const std::string& station) {
    std::vector<std::int64_t> ids{kDefaultProfileId, kStationMaxProfileId};
    const std::string prefix = station + "/";
    for (auto it = site.outputs.begin(); it != site.outputs.end();) {
      if (it->first.rfind(prefix, 0) != 0) {
        ++it;
        continue;
      }
      ids.push_back(kTxProfileIdBase + std::atoi(it->first.c_str() + prefix.size()));
      it = site.outputs.erase(it);
    }
    auto& so = station_out[station];
    so.default_a.reset();
    so.max_a.reset();
    if (!send || !(connected && connected(station))) return;
    log::info("energy: {} left its site: clearing the controller's profiles", station);
    for (auto id : ids) {
      EnergyProfile p;
      p.station_id = station;
      p.kind = EnergyProfile::Kind::Clear;
      p.profile_id = id;
      send(p, [station, id](CommandResult r) {
        if (r.error != CommandError::None)
          log::warn("energy: {}: profile {} not cleared: {}", station, id, r.message);
      });
    }
  }

  /// A station refused a dynamic profile: the firmware quirks seen in the
  /// field (docs/energy.md) are tried once each, 0 A refused (pause at
  /// kPauseA instead) before stack level 1 refused (use 0: a TxProfile still
  /// overrides the TxDefaultProfile there). True when the limit is to be sent again.
  bool work_around(const EnergyProfile& refused) {
    auto& so = station_out[refused.station_id];
    if (refused.limit_a == 0 && !so.zero_rejected) {
      so.zero_rejected = true;
      log::warn("energy: {} refused 0 A: pauses are sent as {} A", refused.station_id, kPauseA);
      return true;
    }
    if (refused.stack_level != 0 && !so.stack0_only) {
      so.stack0_only = true;
      log::warn("energy: {} refused stack level {}: its limits go at stack level 0",
                refused.station_id, refused.stack_level);
      return true;
    }
    return false;
  }

  /// After a start: the limits the last decision sent (while their lease may
  /// still hold on the stations) cap the first period and seed the ramps.
  static void restore_limits(Site& site, const storage::EnergyDecision& last,
                             const storage::SiteEnergySettings& cfg, std::int64_t now) {
    const std::int64_t at = last.time.unix_micros() / 1000;
    // Without a lease a sent limit holds until replaced: wait 10 minutes for its station.
    site.restore_until_ms =
        cfg.lease_s > 0 ? at + (std::int64_t{cfg.lease_s} + 60) * 1000 : now + 600000;
    if (now > site.restore_until_ms) return;
    rapidjson::Document doc;
    if (ocpp::parse_json(last.evses_json, doc).IsError() || !doc.IsArray()) return;
    for (const auto& e : doc.GetArray()) {
      if (!e.IsObject() || !e.HasMember("station") || !e["station"].IsString() ||
          !e.HasMember("evse") || !e["evse"].IsInt() || !e.HasMember("sentA") ||
          !e["sentA"].IsNumber())
        continue;
      const auto key = evse_key(e["station"].GetString(), e["evse"].GetInt());
      site.restore_a[key] = e["sentA"].GetDouble();
      site.state.last_current_a[key] = e["sentA"].GetDouble();
    }
  }

  void log_decision(const std::string& site_id, Site& site, const Snapshot& snap,
                    const std::vector<energy::Evse>& evses, const energy::Result& result,
                    const std::vector<std::string>& station_of, const std::vector<int>& evse_of,
                    const energy::Readings& used, std::int64_t now, double measured_w) {
    Json readings;
    readings.array();
    for (const auto& r : snap.readings) {
      const std::int64_t at = r.time.unix_micros() / 1000;
      readings.object().key("source").str(r.source);
      readings.key("time").str(r.time.to_string());
      readings.key("maxAgeS").integer(r.max_age_s);
      readings.key("stale").flag(now - at > std::int64_t{r.max_age_s} * 1000);
      readings.key("gridW").opt(r.grid_w).key("pvW").opt(r.pv_w).key("batteryW").opt(r.battery_w);
      readings.key("batterySoc").opt(r.battery_soc).key("baseW").opt(r.base_w);
      if (!r.circuit.empty()) {
        readings.key("circuit").str(r.circuit).key("currentsA").array();
        for (const auto& a : r.current_a) readings.opt(a);
        readings.end_array();
      }
      readings.end_object();
    }
    readings.end_array();
    Json list;
    list.array();
    for (std::size_t i = 0; i < evses.size(); ++i) {
      const auto& e = evses[i];
      const auto& d = result.decisions[i];
      const auto out = site.outputs.find(e.key);
      list.object().key("station").str(station_of[i]).key("evse").integer(evse_of[i]);
      list.key("mode").str(mode_name(e.mode)).key("active").flag(e.active);
      list.key("circuit").str(e.node).key("priority").integer(e.priority);
      list.key("allocationA").num(d.current_a).key("allocationW").num(d.power_w);
      list.key("measuredA").opt(e.measured_current_a);
      list.key("measuredW")
          .opt(e.measured_current_a
                   ? std::optional<double>(*e.measured_current_a * energy::kVoltage * e.phases)
                   : std::nullopt);
      list.key("limitedBy").str(d.limited_by);
      list.key("sentA").opt(out != site.outputs.end() && out->second.sent_a >= 0
                                ? std::optional<double>(out->second.sent_a)
                                : std::nullopt);
      list.key("rejected").flag(out != site.outputs.end() && out->second.rejected);
      list.end_object();
    }
    list.end_array();

    storage::EnergyDecision d;
    d.site_id = site_id;
    d.time = DateTime::from_unix_micros(now * 1000);
    d.budget_w = result.budget_w;
    d.binding = result.binding;
    d.fail_safe = result.fail_safe;
    d.readings_json = readings.text();
    d.evses_json = list.text();

    // The interval energy since the last period (never more than two periods).
    std::optional<storage::SiteInterval> interval;
    if (site.last_integrated_ms) {
      const double hours =
          static_cast<double>(
              std::min(now - *site.last_integrated_ms,
                       std::int64_t{2} * std::clamp(snap.settings.period_s, 5, 60) * 1000)) /
          3.6e6;
      storage::SiteInterval i;
      i.site_id = site_id;
      i.start = DateTime::from_unix_micros((now / kIntervalMs) * kIntervalMs * 1000);
      if (used.grid_w)
        (*used.grid_w >= 0 ? i.grid_import_wh : i.grid_export_wh) = std::fabs(*used.grid_w) * hours;
      if (used.pv_w) i.pv_wh = std::max(0.0, *used.pv_w) * hours;
      if (used.battery_w)
        (*used.battery_w >= 0 ? i.battery_in_wh : i.battery_out_wh) =
            std::fabs(*used.battery_w) * hours;
      i.charging_wh = measured_w * hours;
      interval = i;
    }
    site.last_integrated_ms = now;
    ctx.db.write(
        [d, interval](storage::Session& s) {
          s.energy.append_decision(d);
          if (interval) s.energy.add_interval(*interval);
        },
        ctx.on_io([this, site_id](std::exception_ptr e) {
          if (!e) ctx.publish("site", {{"id", site_id}});
        }));
  }
};

EnergyService::EnergyService(ServerContext& ctx) : impl_(std::make_unique<Impl>(ctx)) {
  auto* impl = impl_.get();
  ctx.metrics.add_collector([impl](std::string& out) {
    std::lock_guard<std::mutex> lock(impl->gauges_mutex);
    if (impl->sites.empty()) return;
    struct Gauge {
      const char* name;
      const char* help;
      double Impl::Site::*field;
    };
    static const Gauge gauges[] = {
        {"csms_site_grid_import_w", "Grid power per site (import positive), W.",
         &Impl::Site::grid_w},
        {"csms_site_import_limit_w", "Import limit in force per site, W.", &Impl::Site::limit_w},
        {"csms_site_pv_w", "PV production per site, W.", &Impl::Site::pv_w},
        {"csms_site_battery_w", "Battery power per site (charging positive), W.",
         &Impl::Site::battery_w},
        {"csms_site_allocated_charging_w", "Charging power allocated per site, W.",
         &Impl::Site::allocated_w},
        {"csms_site_measured_charging_w", "Charging power measured per site, W.",
         &Impl::Site::measured_w},
    };
    for (const auto& g : gauges) {
      out += std::string("# HELP ") + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
      for (const auto& [id, site] : impl->sites)
        out +=
            std::string(g.name) + "{site=\"" + id + "\"} " + std::to_string(site.*g.field) + "\n";
    }
    out +=
        "# HELP csms_site_profiles_sent_total Charging profiles the energy controller sent.\n"
        "# TYPE csms_site_profiles_sent_total counter\n";
    for (const auto& [id, site] : impl->sites)
      out += "csms_site_profiles_sent_total{site=\"" + id + "\"} " +
             std::to_string(site.profiles_sent) + "\n";
  });
}

EnergyService::~EnergyService() = default;

void EnergyService::start(EnergyProfileSender send,
                          std::function<bool(const std::string&)> connected) {
  impl_->send = std::move(send);
  impl_->connected = std::move(connected);
  // A polled grid reading over the site's limit is acted on at once, as a
  // pushed one is (the decrease path), not at the next period.
  auto* impl = impl_.get();
  impl_->poller = std::make_unique<MeterPoller>(impl_->ctx, [impl](const storage::SiteReading& r) {
    auto it = impl->sites.find(r.site_id);
    if (it != impl->sites.end() && r.grid_w && it->second.limit_w > 0 &&
        *r.grid_w > it->second.limit_w)
      it->second.next_due_ms = 0;
  });
  impl_->running = true;
  impl_->load_sites();
  impl_->schedule();
}

void EnergyService::stop() {
  impl_->running = false;
  impl_->tick.cancel();
  impl_->poller.reset();
}

void EnergyService::observe(const std::vector<storage::MeterSample>& samples) {
  if (!impl_->running) return;
  for (const auto& s : samples) {
    const bool power = s.measurand == "Power.Active.Import";
    const bool current = s.measurand == "Current.Import";
    if (!power && !current) continue;
    auto v = storage::sample_number(s);
    if (!v) continue;
    auto& m = impl_->measured[evse_key(s.station_id, s.evse_id > 0 ? s.evse_id : s.connector_id)];
    const std::int64_t at = s.timestamp.unix_micros() / 1000;
    if (at < m.at_ms - 60000) continue;  // an old sample delivered late
    if (power && s.phase.empty()) {
      m.power_w = s.unit == "kW" ? *v * 1000 : *v;
      m.at_ms = std::max(m.at_ms, at);
    } else if (current) {
      // The highest phase current is what a per-phase limit meets.
      m.current_a =
          s.phase.empty() ? *v : std::max(*v, m.at_ms == at ? m.current_a.value_or(0) : 0);
      m.at_ms = std::max(m.at_ms, at);
    }
  }
}

void EnergyService::site_changed(const std::string& site_id) {
  if (!impl_->running) return;
  auto& site = impl_->sites[site_id];
  site.next_due_ms = 0;  // the next tick runs it
  impl_->sites_loaded_ms = 0;
}

void EnergyService::station_connected(const std::string& station_id) {
  // A new connection may be a rebooted station: its profiles are sent again.
  auto& so = impl_->station_out[station_id];
  so.default_a.reset();
  so.max_a.reset();
  for (auto& [id, site] : impl_->sites)
    for (auto& [key, out] : site.outputs)
      if (key.rfind(station_id + "/", 0) == 0) out = Impl::Output{};
}

}  // namespace csms
