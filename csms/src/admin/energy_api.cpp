// Admin API routes of site energy management (docs/energy.md): a site's
// limits and controller settings, its circuits, EVSE settings, pushed meter
// readings, the live view and the decision log.
#include <cmath>
#include <set>

#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"

namespace csms::admin {

namespace {

constexpr std::size_t kMaxIdChars = 64;

std::optional<double> ranged(const rapidjson::Value& obj, const char* name, double lo, double hi) {
  auto v = optional_number(obj, name);
  if (v && (*v < lo || *v > hi))
    throw ApiError(400, fmt::format("{} must be from {} to {}, not {}", name, lo, hi, *v));
  return v;
}

void check_id(const std::string& id, const char* what) {
  if (id.empty() || id.size() > kMaxIdChars)
    throw ApiError(400, std::string(what) + " must be 1 to 64 characters");
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      throw ApiError(400, std::string(what) + " " + quoted(id) +
                              " may hold letters, digits, '-', '_' and '.' only");
}

void check_mode(const std::string& mode) {
  if (mode != "fast" && mode != "smart" && mode != "off")
    throw ApiError(400, "mode must be fast, smart or off, not " + quoted(mode));
}

// "HH:MM" -> minute of the day.
int minute_of(const std::string& text, const char* name) {
  if (text.size() == 5 && text[2] == ':' && std::isdigit(static_cast<unsigned char>(text[0])) &&
      std::isdigit(static_cast<unsigned char>(text[1])) &&
      std::isdigit(static_cast<unsigned char>(text[3])) &&
      std::isdigit(static_cast<unsigned char>(text[4]))) {
    const int h = (text[0] - '0') * 10 + (text[1] - '0');
    const int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h < 24 && m < 60) return h * 60 + m;
  }
  throw ApiError(400, std::string(name) + " must be HH:MM (UTC), not " + quoted(text));
}

std::string hhmm(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

void settings_object(JsonOut& out, const storage::SiteEnergySettings& s,
                     const std::vector<storage::LimitWindow>& windows) {
  auto opt = [&](const char* key, const std::optional<double>& v) {
    out.key(key);
    v ? out.real(*v) : out.null();
  };
  out.object();
  opt("importLimitW", s.import_limit_w);
  out.key("marginW").real(s.margin_w);
  opt("maxBaseW", s.max_base_w);
  out.key("batteryPrioritySoc").real(s.battery_priority_soc);
  out.key("batteryMaxDischargeW").real(s.battery_max_discharge_w);
  out.key("defaultMode").str(s.default_mode);
  out.key("smartKeepMinimum").flag(s.smart_keep_minimum);
  out.key("periodS").num(s.period_s);
  out.key("readingMaxAgeS").num(s.reading_max_age_s);
  out.key("safeCurrentA").real(s.safe_current_a);
  out.key("leaseS").num(s.lease_s);
  out.key("windows").array();
  for (const auto& w : windows) {
    out.object().key("start").str(hhmm(w.start_minute)).key("end").str(hhmm(w.end_minute));
    out.key("importLimitW").real(w.import_limit_w).end_object();
  }
  out.end_array();
  out.end_object();
}

void circuit_object(JsonOut& out, const storage::Circuit& c) {
  out.object().key("id").str(c.id).key("parent").str_or_null(c.parent);
  out.key("maxCurrentA");
  c.max_current_a ? out.real(*c.max_current_a) : out.null();
  out.key("maxPowerW");
  c.max_power_w ? out.real(*c.max_power_w) : out.null();
  out.end_object();
}

// A stored JSON text (decision log) copied into the answer.
void raw(JsonOut& out, const std::string& json) {
  rapidjson::Document doc;
  if (ocpp::parse_json(json, doc).IsError()) {
    out.null();
  } else {
    out.value(doc);
  }
}

void decision_object(JsonOut& out, const storage::EnergyDecision& d) {
  out.object().key("id").num(d.id).key("time").time(d.time);
  out.key("budgetW").real(d.budget_w).key("binding").str(d.binding);
  out.key("failSafe").flag(d.fail_safe);
  out.key("readings");
  raw(out, d.readings_json);
  out.key("evses");
  raw(out, d.evses_json);
  out.end_object();
}

void require_site(storage::Session& s, const std::string& id) {
  if (!s.sites.get(id)) throw ApiError(404, "site " + quoted(id) + " is not known");
}

void require_circuit(storage::Session& s, const std::string& site, const std::string& circuit) {
  for (const auto& c : s.energy.circuits(site))
    if (c.id == circuit) return;
  throw ApiError(404, "circuit " + quoted(circuit) + " is not in site " + quoted(site));
}

}  // namespace

void Api::site_energy(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  struct View {
    std::optional<storage::SiteEnergySettings> settings;
    std::vector<storage::LimitWindow> windows;
    std::vector<storage::Circuit> circuits;
    std::vector<storage::EnergyDecision> latest;
  };
  read<View>(
      call.reply,
      [id](storage::Session& s) {
        require_site(s, id);
        View v;
        v.settings = s.energy.settings(id);
        v.windows = s.energy.windows(id);
        v.circuits = s.energy.circuits(id);
        v.latest = s.energy.decisions(id, 1);
        return v;
      },
      [id](View& v) {
        JsonOut out;
        out.object().key("siteId").str(id);
        out.key("settings");
        if (v.settings) {
          settings_object(out, *v.settings, v.windows);
        } else {
          out.null();
        }
        out.key("circuits").array();
        for (const auto& c : v.circuits) circuit_object(out, c);
        out.end_array();
        if (v.latest.empty()) {
          out.key("time").null().key("budgetW").null().key("binding").null();
          out.key("failSafe").flag(false);
          out.key("readings").array().end_array().key("evses").array().end_array();
        } else {
          const auto& d = v.latest.front();
          out.key("time").time(d.time).key("budgetW").real(d.budget_w);
          out.key("binding").str(d.binding).key("failSafe").flag(d.fail_safe);
          out.key("readings");
          raw(out, d.readings_json);
          out.key("evses");
          raw(out, d.evses_json);
        }
        out.end_object();
        return json_response(200, out.text());
      });
}

void Api::set_site_energy(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::site_energy);
  const auto import_kw = ranged(doc, "importLimitKw", 0.1, 1e6);
  const auto margin_kw = ranged(doc, "marginKw", 0, 1e6);
  const auto base_kw = ranged(doc, "maxBaseKw", 0, 1e6);
  const auto soc = ranged(doc, "batteryPrioritySoc", 0, 100);
  const auto discharge_kw = ranged(doc, "batteryMaxDischargeKw", 0, 1e6);
  const auto mode = optional_string(doc, "defaultMode", "");
  if (mode) check_mode(*mode);
  const auto keep_minimum = optional_bool(doc, "smartKeepMinimum", "");
  const auto period = ranged(doc, "periodS", 5, 60);
  const auto max_age = ranged(doc, "readingMaxAgeS", 1, 3600);
  const auto safe = ranged(doc, "safeCurrentA", 0, 1000);
  const auto lease = ranged(doc, "leaseS", 0, 86400);
  std::optional<std::vector<storage::LimitWindow>> windows;
  if (auto it = doc.FindMember("windows"); it != doc.MemberEnd()) {
    if (!it->value.IsArray()) throw ApiError(400, "windows must be an array");
    windows.emplace();
    for (const auto& w : it->value.GetArray()) {
      expect_object(w, "windows: ", bodies::limit_window);
      storage::LimitWindow lw;
      lw.site_id = id;
      lw.start_minute = minute_of(required_string(w, "start", "windows: "), "start");
      lw.end_minute = minute_of(required_string(w, "end", "windows: "), "end");
      auto kw = ranged(w, "importLimitKw", 0, 1e6);
      if (!kw) throw ApiError(400, "windows: importLimitKw is required");
      lw.import_limit_w = *kw * 1000;
      windows->push_back(lw);
    }
  }
  write<std::pair<storage::SiteEnergySettings, std::vector<storage::LimitWindow>>>(
      call.reply,
      [=](storage::Session& s) {
        require_site(s, id);
        auto st = s.energy.settings(id).value_or(storage::SiteEnergySettings{});
        st.site_id = id;
        if (import_kw) st.import_limit_w = *import_kw * 1000;
        if (margin_kw) st.margin_w = *margin_kw * 1000;
        if (base_kw) st.max_base_w = *base_kw * 1000;
        if (soc) st.battery_priority_soc = *soc;
        if (discharge_kw) st.battery_max_discharge_w = *discharge_kw * 1000;
        if (mode) st.default_mode = *mode;
        if (keep_minimum) st.smart_keep_minimum = *keep_minimum;
        if (period) st.period_s = static_cast<int>(*period);
        if (max_age) st.reading_max_age_s = static_cast<int>(*max_age);
        if (safe) st.safe_current_a = *safe;
        if (lease) st.lease_s = static_cast<int>(*lease);
        st.updated_at = DateTime::now();
        s.energy.put_settings(st);
        if (windows) s.energy.put_windows(id, *windows);
        return std::make_pair(st, s.energy.windows(id));
      },
      [this, id](std::pair<storage::SiteEnergySettings, std::vector<storage::LimitWindow>>& r) {
        deps_.commands.site_changed(id);
        JsonOut out;
        settings_object(out, r.first, r.second);
        return json_response(200, out.text());
      });
}

void Api::list_circuits(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  read<std::vector<storage::Circuit>>(
      call.reply,
      [id](storage::Session& s) {
        require_site(s, id);
        return s.energy.circuits(id);
      },
      [](std::vector<storage::Circuit>& list) {
        JsonOut out;
        out.array();
        for (const auto& c : list) circuit_object(out, c);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::add_circuit(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::circuit);
  storage::Circuit c;
  c.site_id = call.params[0];
  c.id = required_string(doc, "id", "");
  check_id(c.id, "circuit id");
  if (c.id == "grid") throw ApiError(400, "\"grid\" names the grid connection: choose another id");
  c.parent = optional_string(doc, "parent", "").value_or("");
  if (c.parent == "grid") c.parent.clear();
  if (c.parent == c.id) throw ApiError(400, "a circuit cannot be its own parent");
  c.max_current_a = ranged(doc, "maxCurrentA", 0, 100000);
  if (auto kw = ranged(doc, "maxPowerKw", 0, 1e6)) c.max_power_w = *kw * 1000;
  if (!c.max_current_a && !c.max_power_w)
    throw ApiError(400, "a circuit needs maxCurrentA (per phase) and/or maxPowerKw");
  write<storage::Circuit>(
      call.reply,
      [c](storage::Session& s) {
        require_site(s, c.site_id);
        auto all = s.energy.circuits(c.site_id);
        if (!c.parent.empty()) {
          // The parent must exist, and this must not close a loop.
          std::map<std::string, std::string> parent_of;
          for (const auto& x : all) parent_of[x.id] = x.parent;
          if (!parent_of.count(c.parent))
            throw ApiError(404, "parent circuit " + quoted(c.parent) + " is not known");
          for (std::string at = c.parent; !at.empty(); at = parent_of[at])
            if (at == c.id)
              throw ApiError(400, "circuit " + quoted(c.id) + " would be its own ancestor");
        }
        s.energy.put_circuit(c);
        return c;
      },
      [this, c](storage::Circuit& stored) {
        deps_.commands.site_changed(c.site_id);
        JsonOut out;
        circuit_object(out, stored);
        return json_response(201, out.text());
      });
}

void Api::remove_circuit(Call& call) {
  no_query(call.request);
  const std::string site = call.params[0];
  const std::string id = call.params[1];
  write<bool>(
      call.reply,
      [site, id](storage::Session& s) {
        for (const auto& c : s.energy.circuits(site))
          if (c.parent == id)
            throw ApiError(409, "circuit " + quoted(c.id) + " hangs on " + quoted(id) +
                                    ": remove or move it first");
        return s.energy.remove_circuit(site, id);
      },
      [this, site, id](bool& removed) {
        if (!removed) throw ApiError(404, "circuit " + quoted(id) + " is not known");
        deps_.commands.site_changed(site);
        return no_content();
      });
}

void Api::set_evse_energy(Call& call) {
  no_query(call.request);
  const std::string station = call.params[0];
  const auto evse = parse_int(call.params[1]);
  if (!evse || *evse < 1 || *evse > 1000)
    throw ApiError(400, "EVSE must be a number from 1, not " + quoted(call.params[1]));
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::evse_energy);
  const auto circuit = optional_string(doc, "circuit", "");
  const auto phases = ranged(doc, "phases", 1, 3);
  const auto rotation = optional_string(doc, "rotation", "");
  if (rotation) {
    static const std::set<std::string> ok = {"L1",     "L2",     "L3",     "L1L2L3", "L2L3L1",
                                             "L3L1L2", "L1L3L2", "L2L1L3", "L3L2L1"};
    if (!ok.count(*rotation))
      throw ApiError(400,
                     "rotation must be the grid phases of the EVSE's L1..L3, e.g. L1L2L3 or "
                     "L2L3L1 (or L2 for a one-phase EVSE), not " +
                         quoted(*rotation));
  }
  const auto min_a = ranged(doc, "minCurrentA", 0, 1000);
  const auto max_a = ranged(doc, "maxCurrentA", 1, 1000);
  const auto priority = ranged(doc, "priority", -100, 100);
  const auto mode = optional_string(doc, "mode", "");
  if (mode && !mode->empty() && *mode != "default") check_mode(*mode);
  write<std::pair<std::string, storage::EvseEnergySettings>>(
      call.reply,
      [=](storage::Session& s) {
        if (!s.stations.get(station))
          throw ApiError(404, "station " + quoted(station) + " is not registered");
        const auto site = s.sites.station(station).site_id;
        storage::EvseEnergySettings e;
        e.station_id = station;
        e.evse_id = static_cast<int>(*evse);
        for (const auto& x : s.energy.evses(station))
          if (x.evse_id == e.evse_id) e = x;
        if (circuit) {
          e.circuit = *circuit == "grid" ? "" : *circuit;
          if (!e.circuit.empty()) {
            if (site.empty())
              throw ApiError(409, "station " + quoted(station) +
                                      " belongs to no site: csmsctl station set-site first");
            bool known = false;
            for (const auto& c : s.energy.circuits(site)) known = known || c.id == e.circuit;
            if (!known)
              throw ApiError(
                  404, "circuit " + quoted(e.circuit) + " is not known at site " + quoted(site));
          }
        }
        if (phases) e.phases = static_cast<int>(*phases);
        if (rotation) e.rotation = *rotation;
        if (min_a) e.min_current_a = *min_a;
        if (max_a) e.max_current_a = *max_a;
        if (e.min_current_a > e.max_current_a)
          throw ApiError(400, "minCurrentA must not exceed maxCurrentA");
        if (priority) e.priority = static_cast<int>(*priority);
        if (mode) e.mode = *mode == "default" ? "" : *mode;
        s.energy.put_evse(e);
        return std::make_pair(site, e);
      },
      [this](std::pair<std::string, storage::EvseEnergySettings>& r) {
        if (!r.first.empty()) deps_.commands.site_changed(r.first);
        const auto& e = r.second;
        JsonOut out;
        out.object().key("stationId").str(e.station_id).key("evse").num(e.evse_id);
        out.key("siteId").str_or_null(r.first).key("circuit").str(e.circuit.empty() ? "grid"
                                                                                    : e.circuit);
        out.key("phases").num(e.phases).key("rotation").str(e.rotation);
        out.key("minCurrentA").real(e.min_current_a).key("maxCurrentA").real(e.max_current_a);
        out.key("priority").num(e.priority).key("mode").str(e.mode.empty() ? "default" : e.mode);
        out.end_object();
        return json_response(200, out.text());
      });
}

void Api::push_reading(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, true);
  expect_object(doc, "", bodies::reading);
  storage::SiteReading r;
  r.site_id = call.params[0];
  r.grid_w = ranged(doc, "gridW", -1e9, 1e9);
  r.pv_w = ranged(doc, "pvW", 0, 1e9);
  r.battery_w = ranged(doc, "batteryW", -1e9, 1e9);
  r.battery_soc = ranged(doc, "batterySoc", 0, 100);
  r.base_w = ranged(doc, "baseW", 0, 1e9);
  const bool site_values = r.grid_w || r.pv_w || r.battery_w || r.battery_soc || r.base_w;
  // A circuit meter's reading: its per-phase currents, on their own.
  r.circuit = optional_string(doc, "circuit", "").value_or("");
  const auto currents = doc.FindMember("currentsA");
  if (!r.circuit.empty() || currents != doc.MemberEnd()) {
    if (r.circuit.empty()) throw ApiError(400, "currentsA needs circuit: the circuit they measure");
    if (site_values)
      throw ApiError(400, "a circuit's reading has currentsA only: push the site's values apart");
    if (currents == doc.MemberEnd() || !currents->value.IsArray() || currents->value.Empty() ||
        currents->value.Size() > 3)
      throw ApiError(400, "currentsA must be an array of 1 to 3 currents (A, L1..L3)");
    for (rapidjson::SizeType i = 0; i < currents->value.Size(); ++i) {
      const auto& v = currents->value[i];
      if (!v.IsNumber() || !std::isfinite(v.GetDouble()) || v.GetDouble() < 0 ||
          v.GetDouble() > 1e5)
        throw ApiError(400, "currentsA: each current is a number from 0 to 100000 A");
      r.current_a[i] = v.GetDouble();
    }
  } else if (!site_values) {
    throw ApiError(400,
                   "a reading needs at least one of gridW, pvW, batteryW, batterySoc, baseW "
                   "(or circuit with currentsA)");
  }
  const auto now = DateTime::now();
  r.time = now;
  if (auto text = optional_string(doc, "time", "")) {
    auto t = DateTime::parse(*text);
    if (!t) throw ApiError(400, "time: " + quoted(*text) + " is not an RFC 3339 date-time");
    if (now.unix_micros() < t->unix_micros() - 5LL * 1000000)
      throw ApiError(400, "time " + quoted(*text) + " is in the future");
    r.time = *t;
  }
  const auto max_age = ranged(doc, "maxAgeS", 1, 86400);
  r.max_age_s = max_age ? static_cast<int>(*max_age) : 0;  // 0: the site's setting
  r.source = optional_string(doc, "source", "").value_or("push");
  check_id(r.source, "source");
  write<storage::SiteReading>(
      call.reply,
      [r](storage::Session& s) {
        require_site(s, r.site_id);
        auto stored = r;
        auto settings = s.energy.settings(r.site_id);
        if (stored.max_age_s <= 0) stored.max_age_s = settings ? settings->reading_max_age_s : 60;
        // One row per quantity ("push:grid", "push:pv", ...): a push of one
        // value neither erases nor refreshes the others.
        auto one = [&](const char* name, std::optional<double> storage::SiteReading::*field) {
          if (!(r.*field)) return;
          storage::SiteReading part;
          part.site_id = stored.site_id;
          part.source = stored.source + ":" + name;
          part.time = stored.time;
          part.max_age_s = stored.max_age_s;
          part.*field = r.*field;
          s.energy.put_reading(part);
        };
        one("grid", &storage::SiteReading::grid_w);
        one("pv", &storage::SiteReading::pv_w);
        one("battery", &storage::SiteReading::battery_w);
        one("soc", &storage::SiteReading::battery_soc);
        one("base", &storage::SiteReading::base_w);
        if (!r.circuit.empty()) {
          require_circuit(s, r.site_id, r.circuit);
          storage::SiteReading part = stored;
          part.source = stored.source + ":circuit:" + r.circuit;
          s.energy.put_reading(part);
        }
        return stored;
      },
      [this](storage::SiteReading& stored) {
        deps_.commands.site_changed(stored.site_id);
        JsonOut out;
        out.object().key("siteId").str(stored.site_id).key("source").str(stored.source);
        out.key("time").time(stored.time).key("maxAgeS").num(stored.max_age_s).end_object();
        return json_response(201, out.text());
      });
}

namespace {

void meter_object(JsonOut& out, const storage::MeterSource& m) {
  out.object().key("name").str(m.name).key("host").str(m.host).key("port").num(m.port);
  out.key("unitId").num(m.unit_id).key("role").str(m.role).key("circuit").str_or_null(m.circuit);
  out.key("pollIntervalS").num(m.poll_interval_s).key("maxAgeS").num(m.max_age_s);
  out.end_object();
}

}  // namespace

void Api::list_meters(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  read<std::vector<storage::MeterSource>>(
      call.reply,
      [id](storage::Session& s) {
        require_site(s, id);
        return s.energy.meter_sources(id);
      },
      [](std::vector<storage::MeterSource>& list) {
        JsonOut out;
        out.array();
        for (const auto& m : list) meter_object(out, m);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::add_meter(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::meter);
  storage::MeterSource m;
  m.site_id = call.params[0];
  m.name = required_string(doc, "name", "");
  check_id(m.name, "meter name");
  if (m.name == "push") throw ApiError(400, "\"push\" names pushed readings: choose another name");
  m.host = required_string(doc, "host", "");
  if (m.host.empty() || m.host.size() > 253 ||
      m.host.find_first_of(" /\t\r\n") != std::string::npos)
    throw ApiError(400, "host must be a host name or address, not " + quoted(m.host));
  m.role = required_string(doc, "role", "");
  if (m.role != "grid" && m.role != "pv" && m.role != "battery" && m.role != "circuit")
    throw ApiError(400, "role must be grid, pv, battery or circuit, not " + quoted(m.role));
  m.circuit = optional_string(doc, "circuit", "").value_or("");
  if ((m.role == "circuit") != !m.circuit.empty())
    throw ApiError(400,
                   "circuit names the circuit a meter of role circuit measures (and only then)");
  if (auto v = ranged(doc, "port", 1, 65535)) m.port = static_cast<int>(*v);
  if (auto v = ranged(doc, "unitId", 0, 255)) m.unit_id = static_cast<int>(*v);
  if (auto v = ranged(doc, "pollIntervalS", 1, 3600)) m.poll_interval_s = static_cast<int>(*v);
  if (auto v = ranged(doc, "maxAgeS", 1, 86400)) m.max_age_s = static_cast<int>(*v);
  if (m.max_age_s < m.poll_interval_s)
    throw ApiError(400, "maxAgeS must be at least pollIntervalS");
  write<storage::MeterSource>(
      call.reply,
      [m](storage::Session& s) {
        require_site(s, m.site_id);
        if (!m.circuit.empty()) require_circuit(s, m.site_id, m.circuit);
        s.energy.put_meter_source(m);
        return m;
      },
      [this](storage::MeterSource& stored) {
        deps_.commands.site_changed(stored.site_id);
        JsonOut out;
        meter_object(out, stored);
        return json_response(201, out.text());
      });
}

void Api::remove_meter(Call& call) {
  no_query(call.request);
  const std::string site = call.params[0];
  const std::string name = call.params[1];
  write<bool>(
      call.reply,
      [site, name](storage::Session& s) { return s.energy.remove_meter_source(site, name); },
      [this, site, name](bool& removed) {
        if (!removed) throw ApiError(404, "meter " + quoted(name) + " is not known");
        deps_.commands.site_changed(site);
        return no_content();
      });
}

void Api::site_decisions(Call& call) {
  const Query query(call.request, {"limit"});
  const std::size_t limit = query.limit(20, 1000);
  const std::string id = call.params[0];
  read<std::vector<storage::EnergyDecision>>(
      call.reply,
      [id, limit](storage::Session& s) {
        require_site(s, id);
        return s.energy.decisions(id, limit);
      },
      [](std::vector<storage::EnergyDecision>& list) {
        JsonOut out;
        out.array();
        for (const auto& d : list) decision_object(out, d);
        out.end_array();
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
