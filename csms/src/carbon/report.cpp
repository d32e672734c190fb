#include "carbon/report.hpp"

#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "carbon/calendar.hpp"

namespace csms::carbon {

namespace {

Cell num(double v) {
  Cell c;
  c.kind = Cell::Kind::Number;
  c.number = v;
  return c;
}

Cell integer(std::int64_t v) {
  Cell c;
  c.kind = Cell::Kind::Integer;
  c.integer = v;
  return c;
}

Cell text(std::string v) {
  Cell c;
  c.kind = Cell::Kind::Text;
  c.text = std::move(v);
  return c;
}

Cell opt_num(const std::optional<double>& v) {
  return v ? num(*v) : Cell{};
}

Cell text_or_null(const std::string& v) {
  return v.empty() ? Cell{} : text(v);
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

double grid_factor(const storage::CarbonRecord& r) {
  for (const auto& p : r.parameters)
    if (p.kind == "grid") return p.value;
  return 0;
}

std::vector<Cell> cells_of(const storage::CarbonRecord& r, const ReportRow& row) {
  return {row.numeric_key ? integer(r.transaction_id) : text(row.transaction_key),
          integer(r.id),
          text(r.station_id),
          text_or_null(r.site_id),
          text_or_null(r.region),
          text_or_null(r.account),
          text(r.session_start.to_string()),
          text(r.session_end.to_string()),
          text(r.provenance),
          text(r.current_type),
          num(r.energy_delivered_wh),
          num(r.energy_consumed_wh),
          num(r.certificate_kwh),
          num(r.pv_kwh),
          opt_num(r.green_share),
          num(grid_factor(r)),
          num(r.baseline_kg),
          num(r.project_kg),
          num(r.reduction_kg),
          opt_num(r.project_market_kg),
          opt_num(r.reduction_market_kg),
          text_or_null(r.excluded),
          text_or_null(joined(r.flags, "; "))};
}

std::string csv_field(const Cell& c) {
  if (c.kind == Cell::Kind::Null) return "";
  if (c.kind == Cell::Kind::Integer) return std::to_string(c.integer);
  if (c.kind == Cell::Kind::Number) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.10g", c.number);
    return buf;
  }
  if (c.text.find_first_of(",\"\r\n") == std::string::npos) return c.text;
  std::string out = "\"";
  for (char ch : c.text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& report_columns() {
  static const std::vector<std::string> columns = {"transactionId",
                                                   "recordId",
                                                   "stationId",
                                                   "siteId",
                                                   "region",
                                                   "account",
                                                   "sessionStart",
                                                   "sessionEnd",
                                                   "provenance",
                                                   "currentType",
                                                   "energyDeliveredWh",
                                                   "energyConsumedWh",
                                                   "certificateKwh",
                                                   "pvKwh",
                                                   "greenShare",
                                                   "gridFactorKgPerKwh",
                                                   "baselineKgCO2",
                                                   "projectKgCO2",
                                                   "reductionKgCO2",
                                                   "projectMarketKgCO2",
                                                   "reductionMarketKgCO2",
                                                   "excluded",
                                                   "flags"};
  return columns;
}

Report build_report(storage::Session& s, const std::string& site_id, const std::string& account,
                    const std::string& month) {
  const auto range = month_range(month);
  if (!range) throw std::invalid_argument("month must be YYYY-MM, not \"" + month + "\"");
  Report report;
  report.site_id = site_id;
  report.account = account;
  report.month = month;
  report.from = range->first;
  report.to = range->second;

  storage::CarbonRecordFilter f;
  if (!site_id.empty()) f.site_id = site_id;
  if (!account.empty()) f.account = account;
  f.from = range->first;
  f.to = range->second;
  std::map<std::int64_t, storage::AppliedParameter> factors;
  for (auto& r : s.carbon.records(f)) {
    ReportRow row;
    auto tx = s.transactions.get(r.transaction_id);
    row.numeric_key = !tx || tx->station_tx_id.empty();
    row.transaction_key = row.numeric_key ? std::to_string(r.transaction_id) : tx->station_tx_id;
    row.cells = cells_of(r, row);
    auto& t = report.totals;
    if (!r.excluded.empty()) {
      ++t.excluded;
    } else {
      ++t.sessions;
      t.signed_sessions += r.provenance == "signed";
      t.register_sessions += r.provenance == "register";
      t.estimate_sessions += r.provenance == "estimate";
      t.energy_delivered_wh += r.energy_delivered_wh;
      t.energy_consumed_wh += r.energy_consumed_wh;
      t.certificate_kwh += r.certificate_kwh;
      t.pv_kwh += r.pv_kwh;
      t.baseline_kg += r.baseline_kg;
      t.project_kg += r.project_kg;
      t.reduction_kg += r.reduction_kg;
      t.project_market_kg += r.project_market_kg.value_or(r.project_kg);
      t.reduction_market_kg += r.reduction_market_kg.value_or(r.reduction_kg);
      t.market_sessions += r.green_share.has_value();
      for (const auto& p : r.parameters) factors.emplace(p.id, p);
    }
    row.record = std::move(r);
    report.rows.push_back(std::move(row));
  }
  for (auto& [id, p] : factors) report.factors.push_back(p);

  // Factors are published late: say where a session's region has a newer
  // value now than the one its record applied (the record keeps its own;
  // nothing is silently recomputed).
  std::set<std::pair<std::int64_t, std::int64_t>> noted;
  const auto now = ocpp::DateTime::now();
  for (const auto& row : report.rows) {
    for (const auto& applied : row.record.parameters) {
      auto newer =
          s.carbon.parameter_at(applied.kind, applied.variant,
                                applied.kind == "points-rate" ? "" : row.record.region, now);
      if (!newer || newer->id == applied.id || !noted.insert({applied.id, newer->id}).second)
        continue;
      char value[64];
      std::snprintf(value, sizeof value, "%g", newer->value);
      report.notes.push_back("parameter " + std::to_string(applied.id) + " (" + applied.kind +
                             (applied.region.empty() ? ", national" : ", " + applied.region) +
                             ") was applied; parameter " + std::to_string(newer->id) + " (" +
                             value + " " + newer->unit + ", valid from " +
                             newer->valid_from.to_string() +
                             ") applies to sessions ending from then on");
    }
  }
  if (!site_id.empty()) {
    for (const auto& b : s.carbon.certificates(site_id, month))
      report.certificate_kwh_recorded += b.kwh;
    for (const auto& i : s.energy.intervals(site_id, range->first, range->second)) {
      if (!report.site_energy) report.site_energy = storage::SiteInterval{};
      auto& e = *report.site_energy;
      e.grid_import_wh += i.grid_import_wh;
      e.grid_export_wh += i.grid_export_wh;
      e.pv_wh += i.pv_wh;
      e.battery_in_wh += i.battery_in_wh;
      e.battery_out_wh += i.battery_out_wh;
      e.charging_wh += i.charging_wh;
    }
  }
  if (!account.empty()) report.ledger = s.carbon.entries(account, range->first, range->second);
  return report;
}

std::string report_csv(const Report& report) {
  std::string out;
  const auto& columns = report_columns();
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + columns[i];
  out += "\r\n";
  for (const auto& row : report.rows) {
    for (std::size_t i = 0; i < row.cells.size(); ++i)
      out += (i ? "," : "") + csv_field(row.cells[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace csms::carbon
