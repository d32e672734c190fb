#include "carbon/records.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "carbon/calendar.hpp"
#include "carbon/ledger.hpp"
#include "carbon/method.hpp"
#include "csms/config.hpp"
#include "ocpp/ocmf.hpp"

namespace csms::carbon {

using storage::DateTime;

Settings settings_from(const Config& config) {
  Settings s;
  s.grid_series = config.carbon_grid_series;
  s.fuel = config.carbon_fuel;
  s.cap_points_per_session = config.carbon_cap_points_per_session;
  s.cap_points_per_day = config.carbon_cap_points_per_day;
  s.expiry_months = config.carbon_expiry_months;
  s.max_plausible_kw = config.carbon_max_plausible_kw;
  return s;
}

namespace {

const std::string kRegister = "Energy.Active.Import.Register";

// Flags are stored comma-separated: a detail must not contain one.
std::string flag(std::string code, const std::string& detail = "") {
  if (detail.empty()) return code;
  code += ": ";
  for (char c : detail) code.push_back(c == ',' ? ';' : c);
  return code;
}

// The OCMF text of a stored signed value: as sent when it is plain OCMF, else
// base64 of it (2.0.1 signedMeterData; some 1.6 firmware too).
std::optional<std::string> ocmf_text(const storage::SignedMeterValue& v) {
  if (v.signed_data.rfind("OCMF|", 0) == 0) return v.signed_data;
  auto decoded = ocpp::ocmf::base64_decode(v.signed_data);
  if (decoded && decoded->rfind("OCMF|", 0) == 0) return decoded;
  return std::nullopt;
}

// Energy from power samples (W or kW), trapezoids between readings of the
// same phase-less measurand; or the sum of interval energy readings.
std::optional<double> estimate_wh(const std::vector<storage::MeterSample>& samples) {
  double interval_wh = 0;
  bool has_interval = false;
  double power_wh = 0;
  bool has_power = false;
  std::optional<std::pair<DateTime, double>> last_power;
  for (const auto& sm : samples) {
    if (!sm.phase.empty()) continue;
    auto v = storage::sample_number(sm);
    if (!v) continue;
    if (sm.measurand == "Energy.Active.Import.Interval") {
      interval_wh += sm.unit == "kWh" ? *v * 1000 : *v;
      has_interval = true;
    } else if (sm.measurand == "Power.Active.Import") {
      const double watts = sm.unit == "kW" ? *v * 1000 : *v;
      if (last_power) {
        const double hours =
            static_cast<double>(sm.timestamp.unix_micros() - last_power->first.unix_micros()) /
            3.6e9;
        if (hours > 0) {
          power_wh += hours * (watts + last_power->second) / 2;
          has_power = true;
        }
      }
      last_power = std::make_pair(sm.timestamp, watts);
    }
  }
  if (has_interval) return std::max(0.0, interval_wh);
  if (has_power) return std::max(0.0, power_wh);
  return std::nullopt;
}

struct Parameters {
  MethodParameters values;
  std::vector<storage::AppliedParameter> applied;
  std::string missing;  ///< The first parameter not in force, if any.
};

Parameters parameters_at(storage::Session& s, const std::string& region,
                         const std::string& current_type, const Settings& settings,
                         const DateTime& at) {
  Parameters out;
  auto take = [&](const std::string& kind, const std::string& variant, const std::string& where,
                  double& into) {
    auto p = s.carbon.parameter_at(kind, variant, where, at);
    if (!p) {
      if (out.missing.empty()) out.missing = kind + (variant.empty() ? "" : " (" + variant + ")");
      return;
    }
    into = p->value;
    out.applied.push_back({p->id, p->kind, p->variant, p->value, p->unit, p->region, p->source});
  };
  take("grid", settings.grid_series, region, out.values.grid_kg_per_kwh);
  take("fuel-consumption", "", region, out.values.fuel_l_per_100km);
  take("ev-consumption", "", region, out.values.ev_kwh_per_100km);
  take("fuel-emission", settings.fuel, region, out.values.fuel_kg_per_l);
  take("charger-efficiency", current_type, region, out.values.charger_efficiency);
  // One points rate for the whole network: what a point is worth cannot depend
  // on where the driver charged (redeem and expiry use the same one).
  take("points-rate", "", "", out.values.points_rate_g);
  return out;
}

// Certificate kWh of the site-month not yet used by another current record.
std::optional<double> certificate_pool(storage::Session& s, const std::string& site_id,
                                       const DateTime& session_end, std::int64_t transaction_id) {
  if (site_id.empty()) return std::nullopt;
  const auto month = month_of(session_end);
  const auto batches = s.carbon.certificates(site_id, month);
  if (batches.empty()) return std::nullopt;
  double pool = 0;
  for (const auto& b : batches) pool += b.kwh;
  const auto range = month_range(month);
  storage::CarbonRecordFilter f;
  f.site_id = site_id;
  f.from = range->first;
  f.to = range->second;
  for (const auto& r : s.carbon.records(f))
    if (r.transaction_id != transaction_id) pool -= r.certificate_kwh;
  return std::max(0.0, pool);
}

// The site's PV self-consumption credited to a session, from the site's
// 15-minute interval energy: per interval t, g_t = (PV - export) / site
// consumption (capped at 1), and the session's consumption is spread evenly
// over its duration. nullopt: no interval data for the session's time.
std::optional<double> pv_green_kwh(storage::Session& s, const std::string& site_id,
                                   const DateTime& start, const DateTime& end,
                                   double consumed_kwh) {
  if (site_id.empty() || !(consumed_kwh > 0)) return std::nullopt;
  constexpr std::int64_t kInterval = 15LL * 60 * 1000000;
  const std::int64_t from = start.unix_micros(), to = std::max(end.unix_micros(), from + 1);
  const auto intervals = s.energy.intervals(
      site_id, DateTime::from_unix_micros(from - from % kInterval), DateTime::from_unix_micros(to));
  if (intervals.empty()) return std::nullopt;
  double green = 0;
  for (const auto& i : intervals) {
    const double consumption =
        i.grid_import_wh + i.pv_wh - i.grid_export_wh - i.battery_in_wh + i.battery_out_wh;
    if (!(consumption > 0)) continue;
    const double g = std::min(1.0, std::max(0.0, i.pv_wh - i.grid_export_wh) / consumption);
    const std::int64_t a = std::max(from, i.start.unix_micros());
    const std::int64_t b = std::min(to, i.start.unix_micros() + kInterval);
    if (b <= a) continue;
    green += consumed_kwh * static_cast<double>(b - a) / static_cast<double>(to - from) * g;
  }
  return green;
}

bool same_figures(const storage::CarbonRecord& a, const storage::CarbonRecord& b) {
  auto close = [](double x, double y) { return std::fabs(x - y) < 1e-9; };
  auto close_opt = [&](const std::optional<double>& x, const std::optional<double>& y) {
    return x.has_value() == y.has_value() && (!x || close(*x, *y));
  };
  return close(a.energy_delivered_wh, b.energy_delivered_wh) && a.provenance == b.provenance &&
         a.current_type == b.current_type && a.region == b.region && a.site_id == b.site_id &&
         a.account == b.account && a.excluded == b.excluded && a.flags == b.flags &&
         close(a.certificate_kwh, b.certificate_kwh) && close(a.pv_kwh, b.pv_kwh) &&
         close_opt(a.green_share, b.green_share) && close(a.reduction_kg, b.reduction_kg);
}

// The earn entry standing for a record: its own, or (when a superseding record
// left the ledger as it was) the one of the record it superseded, and so on.
std::optional<storage::LedgerEntry> earn_entry_of(storage::Session& s,
                                                  const storage::CarbonRecord& r) {
  if (r.account.empty()) return std::nullopt;
  const auto entries = s.carbon.entries(r.account, std::nullopt, std::nullopt);
  std::optional<storage::CarbonRecord> record = r;
  while (record) {
    const std::string ref = "record:" + std::to_string(record->id);
    for (const auto& e : entries)
      if (e.type == "earn" && e.ref == ref) return e;
    record = record->supersedes ? s.carbon.record(*record->supersedes) : std::nullopt;
  }
  return std::nullopt;
}

// The points an earn may credit under the operator's caps.
std::int64_t capped_points(storage::Session& s, const std::string& account, std::int64_t points,
                           const Settings& settings, const DateTime& now) {
  if (settings.cap_points_per_session > 0)
    points = std::min(points, settings.cap_points_per_session);
  if (settings.cap_points_per_day > 0) {
    const auto today = day_of(now);
    std::int64_t earned_today = 0;
    for (const auto& e : s.carbon.entries(account, std::nullopt, std::nullopt))
      if (e.type == "earn" && day_of(e.time) == today) earned_today += e.points;
    points =
        std::min(points, std::max<std::int64_t>(0, settings.cap_points_per_day - earned_today));
  }
  return points;
}

void update_ledger(storage::Session& s, const std::optional<storage::CarbonRecord>& current,
                   const storage::CarbonRecord& r, const MethodResult& figures,
                   const storage::Transaction& tx, const Settings& settings, const DateTime& now) {
  // The ledger: undo what the superseded record earned, then earn anew. A new
  // record that earns the same grams for the same account (e.g. only its
  // market-based share changed) leaves the ledger as it is.
  const bool earns =
      r.excluded.empty() && !r.account.empty() && figures.points > 0 && !tx.auth_rejected;
  if (current) {
    if (auto earned = earn_entry_of(s, *current)) {
      if (earns && earned->account == r.account && earned->grams == figures.reduction_grams) return;
      storage::LedgerEntry reverse;
      reverse.account = earned->account;
      reverse.type = "reverse";
      reverse.grams = -earned->grams;
      reverse.points = -earned->points;
      reverse.ref = "entry:" + std::to_string(earned->seq);
      reverse.reason =
          "record " + std::to_string(current->id) + " superseded by record " + std::to_string(r.id);
      reverse.time = now;
      append_entry(s.carbon, reverse);
    }
  }
  if (earns) {
    storage::LedgerEntry earn;
    earn.account = r.account;
    earn.type = "earn";
    earn.grams = figures.reduction_grams;
    earn.points = capped_points(s, r.account, figures.points, settings, now);
    earn.ref = "record:" + std::to_string(r.id);
    earn.reason = "transaction " + std::to_string(tx.id) + " at station " + tx.station_id;
    if (earn.points < figures.points)
      earn.reason += " (capped from " + std::to_string(figures.points) + " points)";
    earn.time = now;
    append_entry(s.carbon, earn);
  }
}

}  // namespace

std::string account_of(storage::Session& s, const std::string& id_tag) {
  if (id_tag.empty()) return "";
  if (auto linked = s.carbon.linked_account(id_tag)) return *linked;
  if (auto token = s.tokens.get(id_tag); token && token->parent_id_tag) {
    if (auto linked = s.carbon.linked_account(*token->parent_id_tag)) return *linked;
  }
  return id_tag;
}

double points_rate_at(storage::Session& s, const DateTime& at) {
  auto p = s.carbon.parameter_at("points-rate", "", "", at);
  return p && p->value > 0 ? p->value : 1.0;
}

EnergyEvidence energy_evidence(storage::Session& s, const storage::Transaction& tx,
                               const storage::StationCarbonSettings& station,
                               const Settings& settings) {
  EnergyEvidence ev;
  // 1. Signed meter data, verified: what an auditor trusts.
  const auto signed_values = s.meters.signed_for_transaction(tx.id);
  if (!signed_values.empty()) {
    std::vector<std::string> texts;
    std::string key = station.meter_public_key;
    for (const auto& v : signed_values) {
      if (auto text = ocmf_text(v)) texts.push_back(*text);
      if (key.empty() && !v.public_key.empty()) key = v.public_key;
    }
    if (texts.empty()) {
      ev.flags.push_back(flag("signed-data-invalid", "no OCMF document among the signed values"));
    } else if (key.empty()) {
      ev.flags.push_back(flag("signed-data-unverified", "no public key for the meter"));
    } else {
      const auto check = ocpp::ocmf::check_session(texts, key);
      if (check.ok && check.end_wh >= check.begin_wh) {
        ev.energy_wh = check.end_wh - check.begin_wh;
        ev.provenance = "signed";
        // Verified with the key the station sent, not one the operator registered.
        if (station.meter_public_key.empty()) ev.flags.push_back("meter-key-from-station");
      } else {
        ev.flags.push_back(flag("signed-data-invalid",
                                check.ok ? "end reading below begin reading" : check.problem));
      }
    }
  }
  // 2. The energy register delta (1.6 meterStop - meterStart, 2.0.1 first and
  // last register samples), as the transaction holds it.
  if (ev.provenance.empty() && tx.energy_wh) {
    ev.provenance = "register";
    ev.energy_wh = *tx.energy_wh;
  }
  if (tx.meter_anomaly) {
    ev.flags.push_back("register-backwards");
    if (ev.provenance == "register") ev.excluded = "the energy register went backwards";
  }
  // 3. An estimate from power or interval samples.
  if (ev.provenance.empty()) {
    ev.provenance = "estimate";
    if (auto wh = estimate_wh(s.meters.for_transaction(tx.id))) {
      ev.energy_wh = *wh;
    } else {
      ev.flags.push_back("no-energy-data");
    }
  }
  if (ev.excluded.empty() && ev.energy_wh <= 0) ev.excluded = "no energy delivered";
  if (ev.excluded.empty() && tx.stop_time) {
    const double hours =
        static_cast<double>(tx.stop_time->unix_micros() - tx.start_time.unix_micros()) / 3.6e9;
    const double kw = hours > 0 ? ev.energy_wh / 1000.0 / hours : INFINITY;
    if (kw > settings.max_plausible_kw) {
      ev.flags.push_back("implausible-energy");
      ev.excluded = "energy implies an average power above " +
                    std::to_string(static_cast<long long>(settings.max_plausible_kw)) + " kW";
    }
  }
  return ev;
}

std::optional<std::int64_t> record_transaction(storage::Session& s, std::int64_t transaction_id,
                                               const Settings& settings, const DateTime& now) {
  const auto tx = s.transactions.get(transaction_id);
  if (!tx || !tx->stop_time) return std::nullopt;
  const auto station = s.sites.station(tx->station_id);
  const auto site = station.site_id.empty() ? std::nullopt : s.sites.get(station.site_id);

  storage::CarbonRecord r;
  r.transaction_id = tx->id;
  r.station_id = tx->station_id;
  r.site_id = site ? site->id : "";
  r.region = site ? site->region : "";
  r.id_tag = tx->id_tag;
  r.account = account_of(s, tx->id_tag);
  r.session_start = tx->start_time;
  r.session_end = *tx->stop_time;
  r.computed_at = now;
  r.method_version = kMethodVersion;
  r.current_type = station.current_type == "DC" ? "DC" : "AC";

  auto evidence = energy_evidence(s, *tx, station, settings);
  r.energy_delivered_wh = evidence.energy_wh;
  r.provenance = evidence.provenance;
  r.flags = evidence.flags;
  r.excluded = evidence.excluded;
  // Its reduction counts, but a driver whose token was refused earns no points.
  if (tx->auth_rejected) r.flags.push_back("token-not-accepted");

  auto params = parameters_at(s, r.region, r.current_type, settings, r.session_end);
  r.parameters = params.applied;
  MethodResult figures;
  if (!params.missing.empty()) {
    r.excluded = "no " + params.missing + " parameter in force at the session's end";
    r.energy_consumed_wh = r.energy_delivered_wh;
  } else {
    MethodInputs in;
    in.energy_delivered_wh = r.energy_delivered_wh;
    const double consumed_kwh = r.energy_delivered_wh / 1000.0 / params.values.charger_efficiency;
    // Green data: the site's PV self-consumption first, certificates for the rest.
    const auto pv = pv_green_kwh(s, r.site_id, r.session_start, r.session_end, consumed_kwh);
    const auto pool = certificate_pool(s, r.site_id, r.session_end, tx->id);
    if (pv || pool) {
      r.pv_kwh = r.excluded.empty() ? pv.value_or(0) : 0.0;
      r.certificate_kwh = r.excluded.empty()
                              ? std::min(pool.value_or(0), std::max(0.0, consumed_kwh - r.pv_kwh))
                              : 0.0;
      in.green_kwh = r.pv_kwh + r.certificate_kwh;
    }
    figures = apply_method(in, params.values);
    r.energy_consumed_wh = figures.energy_consumed_wh;
    r.baseline_kg = figures.baseline_kg;
    r.project_kg = figures.project_kg;
    r.reduction_kg = figures.reduction_kg;
    r.green_share = figures.green_share;
    r.project_market_kg = figures.project_market_kg;
    r.reduction_market_kg = figures.reduction_market_kg;
  }

  const auto current = s.carbon.current_record(tx->id);
  // A session stays with the account it was first credited to: linking a token
  // to an account later applies to later sessions, it does not move points.
  if (current) r.account = current->account;
  if (current && same_figures(*current, r)) return std::nullopt;
  r.supersedes = current ? std::optional<std::int64_t>(current->id) : std::nullopt;
  r.id = s.carbon.add_record(r);
  update_ledger(s, current, r, figures, *tx, settings, now);
  // Certificate kWh this session no longer uses go to the month's other
  // sessions (their allocations can only grow: no further cascade).
  if (current && r.certificate_kwh < current->certificate_kwh - 1e-9) {
    const auto range = month_range(month_of(r.session_end));
    storage::CarbonRecordFilter f;
    f.site_id = r.site_id;
    f.from = range->first;
    f.to = range->second;
    for (const auto& other : s.carbon.records(f))
      if (other.transaction_id != r.transaction_id)
        record_transaction(s, other.transaction_id, settings, now);
  }
  return r.id;
}

std::int64_t record_certificates(storage::Session& s, storage::GreenCertificateBatch batch,
                                 const Settings& settings, const DateTime& now) {
  const auto range = month_range(batch.month);
  if (!range) throw std::invalid_argument("month must be YYYY-MM, not " + batch.month);
  batch.recorded_at = now;
  const auto id = s.carbon.add_certificates(batch);
  storage::CarbonRecordFilter f;
  f.site_id = batch.site_id;
  f.from = range->first;
  f.to = range->second;
  for (const auto& r : s.carbon.records(f)) record_transaction(s, r.transaction_id, settings, now);
  return id;
}

storage::LedgerEntry spend_or_adjust(storage::Session& s, const std::string& account,
                                     const std::string& type, std::int64_t points,
                                     const std::string& ref, const std::string& reason,
                                     const DateTime& now) {
  if (account.empty()) throw LedgerRefused("an account is needed");
  if (type != "redeem" && type != "donate" && type != "adjust")
    throw LedgerRefused("unknown ledger operation " + type);
  if (points == 0) throw LedgerRefused("points must not be 0");
  if (type != "adjust" && points < 0)
    throw LedgerRefused(type + " takes a positive number of points");
  const auto balance = balance_of(s.carbon.entries(account, std::nullopt, std::nullopt));
  const std::int64_t delta = type == "adjust" ? points : -points;
  if (delta < 0 && balance.points + delta < 0)
    throw LedgerRefused("account " + account + " has " + std::to_string(balance.points) +
                        " points: cannot " + type + " " + std::to_string(-delta));
  const double rate = points_rate_at(s, now);
  storage::LedgerEntry e;
  e.account = account;
  e.type = type;
  e.points = delta;
  e.grams = static_cast<std::int64_t>(std::llround(static_cast<double>(delta) * rate));
  e.ref = ref;
  e.reason = reason;
  e.time = now;
  return append_entry(s.carbon, e);
}

std::size_t expire_due(storage::Session& s, const Settings& settings, const DateTime& now) {
  if (settings.expiry_months <= 0) return 0;
  const double rate = points_rate_at(s, now);
  std::size_t appended = 0;
  for (const auto& account : s.carbon.accounts()) {
    const auto entries = s.carbon.entries(account, std::nullopt, std::nullopt);
    for (auto& e : due_expiries(entries, settings.expiry_months, now, rate)) {
      append_entry(s.carbon, e);
      ++appended;
    }
  }
  return appended;
}

}  // namespace csms::carbon
