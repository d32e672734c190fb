// Admin API routes of sites and the carbon feature (docs/carbon.md): sites and
// stations' carbon settings, the parameter registry, carbon records, drivers'
// accounts and the ledger, reports and the verification bundle.
#include <openssl/sha.h>

#include <cmath>
#include <set>

#include "admin/bodies.hpp"
#include "admin/json_out.hpp"
#include "admin/request.hpp"
#include "carbon/calendar.hpp"
#include "carbon/ledger.hpp"
#include "carbon/method.hpp"
#include "carbon/records.hpp"
#include "carbon/report.hpp"
#include "csms/version.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

namespace {

constexpr std::size_t kMaxIdChars = 64;
constexpr std::size_t kMaxTextChars = 1000;

const std::set<std::string>& parameter_kinds() {
  static const std::set<std::string> kinds = {
      "grid",          "fuel-consumption",   "ev-consumption",
      "fuel-emission", "charger-efficiency", "points-rate"};
  return kinds;
}

// A name an operator chose for a site or account: printable, bounded.
void check_name(const std::string& value, const char* name, std::size_t max_chars) {
  const std::size_t chars = ocpp::utf8_length(value);
  if (chars < 1 || chars > max_chars)
    throw ApiError(400, std::string(name) + " must be 1 to " + std::to_string(max_chars) +
                            " characters, got " + std::to_string(chars));
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw ApiError(400, std::string(name) + " must not contain control characters");
  }
}

std::int64_t required_integer(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull())
    throw ApiError(400, std::string(name) + " is required");
  if (!it->value.IsInt64())
    throw ApiError(400, std::string(name) + " must be an integer, got " +
                            (it->value.IsNumber() ? "a fraction" : json_type_name(it->value)));
  return it->value.GetInt64();
}

std::string month_param(const Query& query) {
  auto month = query.get("month");
  if (!month) throw ApiError(400, "month is required (YYYY-MM)");
  if (!carbon::month_range(*month))
    throw ApiError(400, "month must be YYYY-MM, not " + quoted(*month));
  return *month;
}

void site_object(JsonOut& out, const storage::Site& site,
                 const std::vector<storage::StationCarbonSettings>& stations,
                 const std::vector<storage::GreenCertificateBatch>& certificates) {
  out.object();
  out.key("id").str(site.id);
  out.key("name").str(site.name);
  out.key("address").str(site.address);
  out.key("region").str_or_null(site.region);
  out.key("timezone").str(site.timezone);
  out.key("latitude");
  site.latitude ? out.real(*site.latitude) : out.null();
  out.key("longitude");
  site.longitude ? out.real(*site.longitude) : out.null();
  out.key("createdAt").time(site.created_at);
  out.key("stations").array();
  for (const auto& st : stations) {
    out.object();
    out.key("stationId").str(st.station_id);
    out.key("currentType").str(st.current_type.empty() ? "AC" : st.current_type);
    out.key("meterKey").flag(!st.meter_public_key.empty());
    out.end_object();
  }
  out.end_array();
  out.key("greenCertificates").array();
  for (const auto& b : certificates) {
    out.object();
    out.key("id").num(b.id);
    out.key("month").str(b.month);
    out.key("kwh").real(b.kwh);
    out.key("certificateIds").array();
    for (const auto& id : b.certificate_ids) out.str(id);
    out.end_array();
    out.key("recordedAt").time(b.recorded_at);
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

// What a registry row and a record's copy of it share.
template <class Parameter>
void parameter_fields(JsonOut& out, const Parameter& p) {
  out.key("id").num(p.id);
  out.key("kind").str(p.kind);
  out.key("variant").str_or_null(p.variant);
  out.key("value").real(p.value);
  out.key("unit").str(p.unit);
  out.key("region").str_or_null(p.region);
  out.key("source").str(p.source);
}

void parameter_object(JsonOut& out, const storage::CarbonParameter& p) {
  out.object();
  parameter_fields(out, p);
  out.key("vintage");
  p.vintage ? out.num(p.vintage) : out.null();
  out.key("validFrom").time(p.valid_from);
  out.key("createdAt").time(p.created_at);
  out.end_object();
}

void applied_object(JsonOut& out, const storage::AppliedParameter& p) {
  out.object();
  parameter_fields(out, p);
  out.end_object();
}

void opt_real(JsonOut& out, const char* key, const std::optional<double>& v) {
  out.key(key);
  v ? out.real(*v) : out.null();
}

void opt_id(JsonOut& out, const char* key, const std::optional<std::int64_t>& v) {
  out.key(key);
  v ? out.num(*v) : out.null();
}

void transaction_key(JsonOut& out, const storage::Transaction& tx) {
  out.key("transactionId");
  tx.station_tx_id.empty() ? out.num(tx.id) : out.str(tx.station_tx_id);
}

void record_fields(JsonOut& out, const storage::CarbonRecord& r) {
  out.key("recordId").num(r.id);
  out.key("stationId").str(r.station_id);
  out.key("siteId").str_or_null(r.site_id);
  out.key("region").str_or_null(r.region);
  out.key("idTag").str_or_null(r.id_tag);
  out.key("account").str_or_null(r.account);
  out.key("sessionStart").time(r.session_start);
  out.key("sessionEnd").time(r.session_end);
  out.key("computedAt").time(r.computed_at);
  out.key("energyDeliveredWh").real(r.energy_delivered_wh);
  out.key("provenance").str(r.provenance);
  out.key("currentType").str(r.current_type);
  out.key("energyConsumedWh").real(r.energy_consumed_wh);
  out.key("baselineKgCO2").real(r.baseline_kg);
  out.key("projectKgCO2").real(r.project_kg);
  out.key("reductionKgCO2").real(r.reduction_kg);
  opt_real(out, "greenShare", r.green_share);
  opt_real(out, "projectMarketKgCO2", r.project_market_kg);
  opt_real(out, "reductionMarketKgCO2", r.reduction_market_kg);
  out.key("certificateKwh").real(r.certificate_kwh);
  out.key("pvKwh").real(r.pv_kwh);
  out.key("excluded").str_or_null(r.excluded);
  out.key("flags").array();
  for (const auto& f : r.flags) out.str(f);
  out.end_array();
  out.key("methodVersion").str(r.method_version);
  out.key("factors").array();
  for (const auto& p : r.parameters) applied_object(out, p);
  out.end_array();
  opt_id(out, "supersedes", r.supersedes);
  opt_id(out, "supersededBy", r.superseded_by);
}

void entry_object(JsonOut& out, const storage::LedgerEntry& e) {
  out.object();
  out.key("seq").num(e.seq);
  out.key("account").str(e.account);
  out.key("type").str(e.type);
  out.key("grams").num(e.grams);
  out.key("points").num(e.points);
  out.key("ref").str(e.ref);
  out.key("reason").str(e.reason);
  out.key("time").time(e.time);
  out.key("prevHash").str(e.prev_hash);
  out.key("hash").str(e.hash);
  out.end_object();
}

void cell_value(JsonOut& out, const carbon::Cell& c) {
  if (c.kind == carbon::Cell::Kind::Integer) {
    out.num(c.integer);
  } else if (c.kind == carbon::Cell::Kind::Number) {
    out.real(c.number);
  } else if (c.kind == carbon::Cell::Kind::Text) {
    out.str(c.text);
  } else {
    out.null();
  }
}

void report_object(JsonOut& out, const carbon::Report& r) {
  const auto& columns = carbon::report_columns();
  out.object();
  out.key("siteId").str_or_null(r.site_id);
  out.key("account").str_or_null(r.account);
  out.key("month").str(r.month);
  out.key("from").time(r.from);
  out.key("to").time(r.to);
  out.key("methodVersion").str(carbon::kMethodVersion);
  out.key("sessions").array();
  for (const auto& row : r.rows) {
    out.object();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out.key(columns[i]);
      cell_value(out, row.cells[i]);
    }
    out.end_object();
  }
  out.end_array();
  const auto& t = r.totals;
  out.key("totals").object();
  out.key("sessions").num(t.sessions);
  out.key("excludedSessions").num(t.excluded);
  out.key("byProvenance").object();
  out.key("signed").num(t.signed_sessions);
  out.key("register").num(t.register_sessions);
  out.key("estimate").num(t.estimate_sessions);
  out.end_object();
  out.key("energyDeliveredWh").real(t.energy_delivered_wh);
  out.key("energyConsumedWh").real(t.energy_consumed_wh);
  out.key("certificateKwh").real(t.certificate_kwh);
  out.key("pvKwh").real(t.pv_kwh);
  out.key("baselineKgCO2").real(t.baseline_kg);
  out.key("projectKgCO2").real(t.project_kg);
  out.key("reductionKgCO2").real(t.reduction_kg);
  out.key("projectMarketKgCO2").real(t.project_market_kg);
  out.key("reductionMarketKgCO2").real(t.reduction_market_kg);
  out.key("marketBasedSessions").num(t.market_sessions);
  out.end_object();
  out.key("exclusions").array();
  for (const auto& row : r.rows) {
    if (row.record.excluded.empty()) continue;
    out.object();
    out.key("transactionId");
    cell_value(out, row.cells.front());
    out.key("stationId").str(row.record.station_id);
    out.key("reason").str(row.record.excluded);
    out.end_object();
  }
  out.end_array();
  out.key("factors").array();
  for (const auto& p : r.factors) applied_object(out, p);
  out.end_array();
  if (!r.site_id.empty()) {
    out.key("certificateKwhRecorded").real(r.certificate_kwh_recorded);
    // The site's metered energy of the month (15-minute intervals), where known.
    out.key("siteEnergy");
    if (const auto& e = r.site_energy) {
      out.object().key("gridImportKwh").real(e->grid_import_wh / 1000);
      out.key("gridExportKwh").real(e->grid_export_wh / 1000);
      out.key("pvKwh").real(e->pv_wh / 1000);
      out.key("batteryInKwh").real(e->battery_in_wh / 1000);
      out.key("batteryOutKwh").real(e->battery_out_wh / 1000);
      out.key("chargingKwh").real(e->charging_wh / 1000).end_object();
    } else {
      out.null();
    }
  }
  out.key("notes").array();
  for (const auto& n : r.notes) out.str(n);
  out.end_array();
  if (!r.account.empty()) {
    out.key("ledger").array();
    for (const auto& e : r.ledger) entry_object(out, e);
    out.end_array();
  }
  out.end_object();
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

storage::Site parse_site(const rapidjson::Value& doc) {
  expect_object(doc, "", bodies::site);
  storage::Site site;
  site.id = required_string(doc, "id", "");
  check_name(site.id, "id", kMaxIdChars);
  site.name = optional_string(doc, "name", "").value_or(site.id);
  check_name(site.name, "name", kMaxTextChars);
  site.address = optional_string(doc, "address", "").value_or("");
  if (!site.address.empty()) check_name(site.address, "address", kMaxTextChars);
  site.region = optional_string(doc, "region", "").value_or("");
  if (!site.region.empty()) check_name(site.region, "region", kMaxIdChars);
  site.timezone = optional_string(doc, "timezone", "").value_or("UTC");
  check_name(site.timezone, "timezone", kMaxIdChars);
  if (!carbon::known_timezone(site.timezone))
    throw ApiError(400, "timezone " + quoted(site.timezone) +
                            " is not a zone of the tz database (e.g. Asia/Shanghai or UTC)");
  site.latitude = optional_number(doc, "latitude");
  site.longitude = optional_number(doc, "longitude");
  if (site.latitude && std::fabs(*site.latitude) > 90)
    throw ApiError(400, "latitude must be from -90 to 90");
  if (site.longitude && std::fabs(*site.longitude) > 180)
    throw ApiError(400, "longitude must be from -180 to 180");
  if (site.latitude.has_value() != site.longitude.has_value())
    throw ApiError(400, "give latitude and longitude together");
  return site;
}

storage::CarbonParameter parse_parameter(const rapidjson::Value& doc, const DateTime& now) {
  expect_object(doc, "", bodies::factor);
  storage::CarbonParameter p;
  p.kind = required_string(doc, "kind", "");
  if (!parameter_kinds().count(p.kind)) {
    std::string list;
    for (const auto& k : parameter_kinds()) list += (list.empty() ? "" : ", ") + k;
    throw ApiError(400, "kind must be one of " + list + ", not " + quoted(p.kind));
  }
  auto value = optional_number(doc, "value");
  if (!value) throw ApiError(400, "value is required");
  if (!(*value > 0)) throw ApiError(400, "value must be positive");
  p.value = *value;
  p.variant = optional_string(doc, "variant", "").value_or("");
  struct KindRule {
    const char* unit;
    std::vector<std::string> variants;  ///< Empty: takes no variant.
    const char* default_variant;
  };
  static const std::map<std::string, KindRule> rules = {
      {"grid", {"kgCO2/kWh", {"mee-nbs", "ets"}, "mee-nbs"}},
      {"fuel-consumption", {"L/100km", {}, ""}},
      {"ev-consumption", {"kWh/100km", {}, ""}},
      {"fuel-emission", {"kgCO2/L", {"gasoline", "diesel"}, "gasoline"}},
      {"charger-efficiency", {"ratio", {"AC", "DC"}, nullptr}},
      {"points-rate", {"g/point", {}, ""}},
  };
  const auto& rule = rules.at(p.kind);
  if (rule.variants.empty()) {
    if (!p.variant.empty()) throw ApiError(400, p.kind + " takes no variant");
  } else {
    if (p.variant.empty()) {
      if (!rule.default_variant) throw ApiError(400, p.kind + " needs variant AC or DC");
      p.variant = rule.default_variant;
    }
    if (std::find(rule.variants.begin(), rule.variants.end(), p.variant) == rule.variants.end()) {
      std::string list;
      for (const auto& v : rule.variants) list += (list.empty() ? "" : ", ") + v;
      throw ApiError(
          400, "variant of " + p.kind + " must be one of " + list + ", not " + quoted(p.variant));
    }
  }
  if (p.kind == "charger-efficiency" && p.value > 1)
    throw ApiError(400, "a charger efficiency is a ratio from 0 to 1");
  p.unit = optional_string(doc, "unit", "").value_or(rule.unit);
  if (p.unit != rule.unit)
    throw ApiError(400, "unit of " + p.kind + " is " + rule.unit + ", not " + quoted(p.unit));
  p.region = optional_string(doc, "region", "").value_or("");
  if (!p.region.empty()) check_name(p.region, "region", kMaxIdChars);
  if (auto it = doc.FindMember("vintage"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsInt() || it->value.GetInt() < 1900 || it->value.GetInt() > 2200)
      throw ApiError(400, "vintage must be a year");
    p.vintage = it->value.GetInt();
  }
  p.valid_from = now;
  if (auto text = optional_string(doc, "validFrom", "")) {
    auto t = DateTime::parse(*text);
    if (!t)
      throw ApiError(400, "validFrom: " + quoted(*text) +
                              " is not an RFC 3339 date-time (e.g. 2027-01-01T00:00:00Z)");
    // Never back-dated: a session already ended keeps the value it was computed
    // with. A minute of grace for the operator's clock, meaning "now".
    if (t->unix_micros() < now.unix_micros() - 60LL * 1000000)
      throw ApiError(400,
                     "validFrom " + quoted(*text) +
                         " is in the past: parameters are never back-dated (use now or later)");
    if (now < *t) p.valid_from = *t;
  }
  p.source = required_string(doc, "source", "");
  check_name(p.source, "source", kMaxTextChars);
  p.created_at = now;
  return p;
}

}  // namespace

// ---- sites ---------------------------------------------------------------------

void Api::list_sites(Call& call) {
  no_query(call.request);
  struct Item {
    storage::Site site;
    std::vector<storage::StationCarbonSettings> stations;
    std::vector<storage::GreenCertificateBatch> certificates;
  };
  read<std::vector<Item>>(
      call.reply,
      [](storage::Session& s) {
        std::vector<Item> items;
        for (auto& site : s.sites.list())
          items.push_back({site, s.sites.stations_of(site.id), s.carbon.certificates(site.id, "")});
        return items;
      },
      [](std::vector<Item>& items) {
        JsonOut out;
        out.array();
        for (const auto& i : items) site_object(out, i.site, i.stations, i.certificates);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::add_site(Call& call) {
  no_query(call.request);
  auto site = parse_site(parse_body(call.request.body, false));
  struct View {
    bool created = false;
    storage::Site site;
    std::vector<storage::StationCarbonSettings> stations;
    std::vector<storage::GreenCertificateBatch> certificates;
  };
  write<View>(
      call.reply,
      [site](storage::Session& s) {
        View v;
        v.site = site;
        auto existing = s.sites.get(site.id);
        v.created = !existing;
        v.site.created_at = existing ? existing->created_at : DateTime::now();
        s.sites.put(v.site);
        v.stations = s.sites.stations_of(site.id);
        v.certificates = s.carbon.certificates(site.id, "");
        return v;
      },
      [](View& v) {
        JsonOut out;
        site_object(out, v.site, v.stations, v.certificates);
        return json_response(v.created ? 201 : 200, out.text());
      });
}

void Api::get_site(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  struct View {
    std::optional<storage::Site> site;
    std::vector<storage::StationCarbonSettings> stations;
    std::vector<storage::GreenCertificateBatch> certificates;
  };
  read<View>(
      call.reply,
      [id](storage::Session& s) {
        View v;
        v.site = s.sites.get(id);
        if (v.site) {
          v.stations = s.sites.stations_of(id);
          v.certificates = s.carbon.certificates(id, "");
        }
        return v;
      },
      [id](View& v) {
        if (!v.site) throw ApiError(404, "site " + quoted(id) + " is not known");
        JsonOut out;
        site_object(out, *v.site, v.stations, v.certificates);
        return json_response(200, out.text());
      });
}

void Api::remove_site(Call& call) {
  no_query(call.request);
  const std::string id = call.params[0];
  write<bool>(
      call.reply, [id](storage::Session& s) { return s.sites.remove(id); },
      [id](bool& removed) {
        if (!removed) throw ApiError(404, "site " + quoted(id) + " is not known");
        return no_content();
      });
}

void Api::add_green_certificates(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::green_certificates);
  storage::GreenCertificateBatch batch;
  batch.site_id = call.params[0];
  batch.month = required_string(doc, "month", "");
  if (!carbon::month_range(batch.month))
    throw ApiError(400, "month must be YYYY-MM, not " + quoted(batch.month));
  auto kwh = optional_number(doc, "kwh");
  if (!kwh || !(*kwh > 0)) throw ApiError(400, "kwh is required and must be positive");
  batch.kwh = *kwh;
  auto ids = doc.FindMember("ids");
  if (ids == doc.MemberEnd() || !ids->value.IsArray() || ids->value.Empty())
    throw ApiError(400, "ids must be a non-empty array of certificate ids");
  std::set<std::string> seen;
  for (const auto& v : ids->value.GetArray()) {
    if (!v.IsString()) throw ApiError(400, "ids must be strings");
    std::string id(v.GetString(), v.GetStringLength());
    check_name(id, "certificate id", kMaxIdChars);
    if (!seen.insert(id).second)
      throw ApiError(400, "certificate id " + quoted(id) + " is repeated");
    batch.certificate_ids.push_back(id);
  }
  const auto settings = carbon::settings_from(deps_.config);
  write<std::int64_t>(
      call.reply,
      [batch, settings](storage::Session& s) -> std::int64_t {
        if (!s.sites.get(batch.site_id))
          throw ApiError(404, "site " + quoted(batch.site_id) + " is not known");
        try {
          return carbon::record_certificates(s, batch, settings, DateTime::now());
        } catch (const std::invalid_argument& e) {
          throw ApiError(409, e.what());  // a certificate counts once
        }
      },
      [batch](std::int64_t& id) {
        JsonOut out;
        out.object().key("id").num(id).key("siteId").str(batch.site_id);
        out.key("month").str(batch.month).key("kwh").real(batch.kwh);
        out.key("certificates").num(static_cast<std::int64_t>(batch.certificate_ids.size()));
        out.end_object();
        return json_response(201, out.text());
      });
}

void Api::set_station_carbon(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::station_carbon);
  const std::string station = call.params[0];
  // Members absent stay as they are; siteId null or "" detaches.
  const bool sets_site = doc.HasMember("siteId");
  const auto site = optional_string(doc, "siteId", "").value_or("");
  const auto current = optional_string(doc, "currentType", "");
  if (current && *current != "AC" && *current != "DC")
    throw ApiError(400, "currentType must be AC or DC, not " + quoted(*current));
  const auto key = optional_string(doc, "meterPublicKey", "");
  if (key && key->size() > 8192) throw ApiError(400, "meterPublicKey is too long");
  write<storage::StationCarbonSettings>(
      call.reply,
      [station, sets_site, site, current, key](storage::Session& s) {
        if (!s.stations.get(station))
          throw ApiError(404, "station " + quoted(station) + " is not registered");
        if (!site.empty() && !s.sites.get(site))
          throw ApiError(404, "site " + quoted(site) + " is not known");
        auto settings = s.sites.station(station);
        if (sets_site) settings.site_id = site;
        if (current) settings.current_type = *current;
        if (key) settings.meter_public_key = *key;
        s.sites.put_station(settings);
        return settings;
      },
      [](storage::StationCarbonSettings& st) {
        JsonOut out;
        out.object();
        out.key("stationId").str(st.station_id);
        out.key("siteId").str_or_null(st.site_id);
        out.key("currentType").str(st.current_type.empty() ? "AC" : st.current_type);
        out.key("meterKey").flag(!st.meter_public_key.empty());
        out.end_object();
        return json_response(200, out.text());
      });
}

// ---- parameters ------------------------------------------------------------------

void Api::list_factors(Call& call) {
  const Query query(call.request, {"kind", "region"});
  const std::string kind = query.get("kind").value_or("");
  const auto region = query.get("region");
  read<std::vector<storage::CarbonParameter>>(
      call.reply, [kind, region](storage::Session& s) { return s.carbon.parameters(kind, region); },
      [](std::vector<storage::CarbonParameter>& list) {
        JsonOut out;
        out.array();
        for (const auto& p : list) parameter_object(out, p);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::add_factor(Call& call) {
  no_query(call.request);
  auto p = parse_parameter(parse_body(call.request.body, false), DateTime::now());
  write<storage::CarbonParameter>(
      call.reply,
      [p](storage::Session& s) {
        auto stored = p;
        stored.id = s.carbon.add_parameter(p);
        return stored;
      },
      [](storage::CarbonParameter& stored) {
        JsonOut out;
        parameter_object(out, stored);
        return json_response(201, out.text());
      });
}

// ---- records ----------------------------------------------------------------------

void Api::carbon_transaction(Call& call) {
  const Query query(call.request, {"stationId"});
  const auto station = query.get("stationId");
  const std::string key = call.params[0];
  struct View {
    std::vector<storage::Transaction> matches;
    std::vector<storage::CarbonRecord> records;
  };
  read<View>(
      call.reply,
      [key, station](storage::Session& s) {
        View v;
        v.matches = find_transactions(s, key, station);
        if (v.matches.size() == 1) v.records = s.carbon.records_of(v.matches[0].id);
        return v;
      },
      [key](View& v) {
        const auto& tx = one_transaction(v.matches, key);
        if (v.records.empty())
          throw ApiError(404, tx.stop_time
                                  ? "transaction " + quoted(key) +
                                        " has no carbon record yet (it is computed "
                                        "right after the session ends)"
                                  : "transaction " + quoted(key) +
                                        " has not ended: its carbon record follows its end");
        const auto* current = &v.records.back();
        for (const auto& r : v.records)
          if (!r.superseded_by) current = &r;
        JsonOut out;
        out.object();
        transaction_key(out, tx);
        record_fields(out, *current);
        out.key("history").array();
        for (const auto& r : v.records) {
          out.object();
          out.key("recordId").num(r.id);
          out.key("computedAt").time(r.computed_at);
          out.key("energyDeliveredWh").real(r.energy_delivered_wh);
          out.key("provenance").str(r.provenance);
          out.key("reductionKgCO2").real(r.reduction_kg);
          opt_id(out, "supersededBy", r.superseded_by);
          out.end_object();
        }
        out.end_array();
        out.end_object();
        return json_response(200, out.text());
      });
}

// ---- accounts and ledger --------------------------------------------------------------

void Api::carbon_account(Call& call) {
  no_query(call.request);
  const std::string tag = call.params[0];
  struct View {
    std::string account;
    std::vector<storage::LedgerEntry> entries;
    std::int64_t sessions = 0;
  };
  read<View>(
      call.reply,
      [tag](storage::Session& s) {
        View v;
        v.account = carbon::account_of(s, tag);
        v.entries = s.carbon.entries(v.account, std::nullopt, std::nullopt);
        storage::CarbonRecordFilter f;
        f.account = v.account;
        v.sessions = static_cast<std::int64_t>(s.carbon.records(f).size());
        return v;
      },
      [tag](View& v) {
        const auto b = carbon::balance_of(v.entries);
        JsonOut out;
        out.object();
        out.key("idTag").str(tag);
        out.key("account").str(v.account);
        out.key("points").num(b.points);
        out.key("grams").num(b.grams);
        out.key("earnedPoints").num(b.earned_points);
        out.key("earnedGrams").num(b.earned_grams);
        out.key("reversedPoints").num(b.reversed_points);
        out.key("redeemedPoints").num(b.redeemed_points);
        out.key("donatedPoints").num(b.donated_points);
        out.key("expiredPoints").num(b.expired_points);
        out.key("adjustedPoints").num(b.adjusted_points);
        out.key("entries").num(static_cast<std::int64_t>(b.entries));
        out.key("sessions").num(v.sessions);
        out.end_object();
        return json_response(200, out.text());
      });
}

void Api::carbon_ledger_operation(Call& call) {
  no_query(call.request);
  const std::string tag = call.params[0];
  const std::string op = call.params[1];
  if (op != "redeem" && op != "donate" && op != "adjust")
    throw ApiError(404, "no ledger operation " + quoted(op) + " (redeem, donate or adjust)");
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::ledger_operation);
  const auto points = required_integer(doc, "points");
  if (op == "adjust" ? points == 0 : points <= 0)
    throw ApiError(400, op == "adjust" ? "points must not be 0 (negative takes points away)"
                                       : "points must be a positive integer");
  std::string reason = optional_string(doc, "reason", "").value_or("");
  std::string ref = optional_string(doc, "ref", "").value_or("");
  if (op == "donate") {
    const auto to = required_string(doc, "to", "");
    check_name(to, "to", kMaxTextChars);
    if (reason.empty()) reason = "donated to " + to;
    if (ref.empty()) ref = to;
  } else if (reason.empty()) {
    throw ApiError(400, "reason is required");
  }
  if (!reason.empty()) check_name(reason, "reason", kMaxTextChars);
  if (!ref.empty()) check_name(ref, "ref", kMaxTextChars);
  write<storage::LedgerEntry>(
      call.reply,
      [tag, op, points, reason, ref](storage::Session& s) {
        const auto account = carbon::account_of(s, tag);
        try {
          return carbon::spend_or_adjust(s, account, op, points, ref, reason, DateTime::now());
        } catch (const carbon::LedgerRefused& e) {
          throw ApiError(409, e.what());
        }
      },
      [](storage::LedgerEntry& e) {
        JsonOut out;
        entry_object(out, e);
        return json_response(201, out.text());
      });
}

void Api::carbon_link(Call& call) {
  no_query(call.request);
  const auto doc = parse_body(call.request.body, false);
  expect_object(doc, "", bodies::carbon_link);
  const auto tag = required_string(doc, "idTag", "");
  check_name(tag, "idTag", 36);
  const auto account = required_string(doc, "account", "");
  check_name(account, "account", kMaxIdChars);
  write<bool>(
      call.reply,
      [tag, account](storage::Session& s) {
        s.carbon.link_account(tag, account);
        return true;
      },
      [tag, account](bool&) {
        JsonOut out;
        out.object().key("idTag").str(tag).key("account").str(account).end_object();
        return json_response(200, out.text());
      });
}

void Api::carbon_ledger(Call& call) {
  const Query query(call.request, {"account", "from", "to"});
  const auto tag = query.get("account");
  const auto from = query.time("from");
  const auto to = query.time("to");
  read<std::vector<storage::LedgerEntry>>(
      call.reply,
      [tag, from, to](storage::Session& s) {
        return s.carbon.entries(tag ? carbon::account_of(s, *tag) : "", from, to);
      },
      [](std::vector<storage::LedgerEntry>& entries) {
        JsonOut out;
        out.array();
        for (const auto& e : entries) entry_object(out, e);
        out.end_array();
        return json_response(200, out.text());
      });
}

void Api::carbon_verify(Call& call) {
  no_query(call.request);
  read<std::vector<storage::LedgerEntry>>(
      call.reply,
      [](storage::Session& s) { return s.carbon.entries("", std::nullopt, std::nullopt); },
      [](std::vector<storage::LedgerEntry>& entries) {
        const auto check = carbon::verify_chain(entries);
        if (!check.ok)
          throw ApiError(409, "ledger entry " + std::to_string(check.first_broken_seq) +
                                  " is broken: " + check.problem);
        JsonOut out;
        out.object().key("ok").flag(true);
        out.key("entries").num(static_cast<std::int64_t>(check.entries));
        out.key("lastHash").str(entries.empty() ? carbon::kGenesisHash : entries.back().hash);
        out.end_object();
        return json_response(200, out.text());
      });
}

// ---- reports ----------------------------------------------------------------------------

void Api::carbon_report(Call& call) {
  const Query query(call.request, {"site", "account", "month", "format"});
  const auto site = query.get("site");
  const auto tag = query.get("account");
  if (site.has_value() == tag.has_value())
    throw ApiError(400, "give site (a site report) or account (a driver's statement)");
  const std::string month = month_param(query);
  const std::string format = query.get("format").value_or("json");
  if (format != "json" && format != "csv")
    throw ApiError(400, "format must be json or csv, not " + quoted(format));
  read<carbon::Report>(
      call.reply,
      [site, tag, month](storage::Session& s) {
        if (site && !s.sites.get(*site))
          throw ApiError(404, "site " + quoted(*site) + " is not known");
        return carbon::build_report(s, site.value_or(""), tag ? carbon::account_of(s, *tag) : "",
                                    month);
      },
      [format](carbon::Report& report) {
        if (format == "csv") {
          ApiResponse r;
          r.content_type = "text/csv; charset=utf-8";
          r.body = carbon::report_csv(report);
          return r;
        }
        JsonOut out;
        report_object(out, report);
        return json_response(200, out.text());
      });
}

void Api::carbon_bundle(Call& call) {
  const Query query(call.request, {"site", "month"});
  const auto site = query.get("site");
  if (!site) throw ApiError(400, "site is required");
  const std::string month = month_param(query);
  struct View {
    carbon::Report report;
    std::vector<storage::CarbonParameter> parameters;
    std::vector<std::pair<std::string, std::vector<storage::SignedMeterValue>>> signed_values;
    std::vector<storage::StationCarbonSettings> stations;
    std::vector<storage::LedgerEntry> ledger;
    storage::Site site;
    std::vector<std::optional<storage::Station>> chargers;  ///< Per stations[i].
  };
  read<View>(
      call.reply,
      [site, month](storage::Session& s) {
        auto known = s.sites.get(*site);
        if (!known) throw ApiError(404, "site " + quoted(*site) + " is not known");
        View v;
        v.site = *known;
        v.report = carbon::build_report(s, *site, "", month);
        v.parameters = s.carbon.parameters("", std::nullopt);
        for (const auto& row : v.report.rows) {
          auto values = s.meters.signed_for_transaction(row.record.transaction_id);
          if (!values.empty()) v.signed_values.emplace_back(row.transaction_key, std::move(values));
        }
        v.stations = s.sites.stations_of(*site);
        for (const auto& st : v.stations) v.chargers.push_back(s.stations.get(st.station_id));
        // The ledger entries that credit these sessions (an earn may name a
        // record the current one superseded), so points can be traced.
        std::set<std::string> refs;
        for (const auto& row : v.report.rows)
          for (const auto& r : s.carbon.records_of(row.record.transaction_id))
            refs.insert("record:" + std::to_string(r.id));
        for (auto& e : s.carbon.entries("", std::nullopt, std::nullopt))
          if (refs.count(e.ref)) v.ledger.push_back(std::move(e));
        return v;
      },
      [site, month](View& v) {
        std::vector<std::pair<std::string, std::string>> files;
        {
          JsonOut out;
          report_object(out, v.report);
          files.emplace_back("report.json", out.text());
        }
        files.emplace_back("sessions.csv", carbon::report_csv(v.report));
        {
          JsonOut out;
          out.array();
          for (const auto& p : v.parameters) parameter_object(out, p);
          out.end_array();
          files.emplace_back("parameters.json", out.text());
        }
        {
          JsonOut out;
          out.object().key("sessions").array();
          for (const auto& [tx, values] : v.signed_values) {
            for (const auto& sv : values) {
              out.object();
              out.key("transactionId").str(tx);
              out.key("stationId").str(sv.station_id);
              out.key("timestamp").time(sv.timestamp);
              out.key("context").str(sv.context);
              out.key("signedData").str(sv.signed_data);
              out.key("signingMethod").str_or_null(sv.signing_method);
              out.key("encodingMethod").str_or_null(sv.encoding_method);
              out.key("publicKey").str_or_null(sv.public_key);
              out.end_object();
            }
          }
          out.end_array();
          out.key("meterKeys").array();
          for (const auto& st : v.stations) {
            if (st.meter_public_key.empty()) continue;
            out.object().key("stationId").str(st.station_id);
            out.key("publicKey").str(st.meter_public_key).end_object();
          }
          out.end_array().end_object();
          files.emplace_back("signed-meter-values.json", out.text());
        }
        {
          JsonOut out;
          out.array();
          for (const auto& e : v.ledger) entry_object(out, e);
          out.end_array();
          files.emplace_back("ledger.json", out.text());
        }
        {
          // Where the chargers stand and what they are (a verifier's first questions).
          JsonOut out;
          site_object(out, v.site, v.stations, {});
          std::string site_json = out.text();
          JsonOut chargers;
          chargers.array();
          for (std::size_t i = 0; i < v.stations.size() && i < v.chargers.size(); ++i) {
            const auto& st = v.stations[i];
            chargers.object().key("stationId").str(st.station_id);
            chargers.key("currentType").str(st.current_type.empty() ? "AC" : st.current_type);
            if (const auto& c = v.chargers[i]) {
              chargers.key("vendor").str(c->vendor).key("model").str(c->model);
              chargers.key("serialNumber").str_or_null(c->serial_number);
              chargers.key("firmwareVersion").str_or_null(c->firmware_version);
              chargers.key("ocppVersion").str_or_null(c->ocpp_version);
            }
            chargers.key("meterPublicKey").str_or_null(st.meter_public_key);
            chargers.end_object();
          }
          chargers.end_array();
          files.emplace_back("site.json", site_json);
          files.emplace_back("chargers.json", chargers.text());
        }
        {
          JsonOut out;
          out.object();
          out.key("software").str("csms").key("version").str(kVersion);
          out.key("methodVersion").str(carbon::kMethodVersion);
          out.key("siteId").str(*site).key("month").str(month);
          out.key("generatedAt").time(DateTime::now());
          out.end_object();
          files.emplace_back("software.json", out.text());
        }
        std::string manifest;
        for (const auto& [name, content] : files)
          manifest += sha256_hex(content) + "  " + name + "\n";
        files.emplace_back("MANIFEST.sha256", manifest);
        JsonOut out;
        out.object().key("files").array();
        for (const auto& [name, content] : files)
          out.object().key("name").str(name).key("content").str(content).end_object();
        out.end_array().end_object();
        return json_response(200, out.text());
      });
}

}  // namespace csms::admin
