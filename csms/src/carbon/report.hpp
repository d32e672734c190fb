#pragma once
// Monthly carbon reports (per site or per driver account) and the verification
// bundle's contents: what an operator and a verifier read. Built on a storage
// thread from the current (not superseded) records; the same rows feed JSON
// and CSV, so both carry the same columns.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/carbon.hpp"
#include "storage/energy.hpp"
#include "storage/stores.hpp"

namespace csms::carbon {

/// One cell of a report row: an integer (ids), a number, a text, or empty
/// (JSON null).
struct Cell {
  enum class Kind { Null, Integer, Number, Text } kind = Kind::Null;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
};

/// The columns of a report row, in order (JSON keys and CSV header).
const std::vector<std::string>& report_columns();

/// One session of a report.
struct ReportRow {
  storage::CarbonRecord record;
  std::string transaction_key;  ///< 1.6: the CSMS's number; 2.0.1: the station's id.
  bool numeric_key = false;     ///< 1.6: the key is the CSMS's number.
  std::vector<Cell> cells;      ///< One per report_columns().
};

/// Sums over the rows that count (not excluded).
struct ReportTotals {
  std::int64_t sessions = 0;
  std::int64_t excluded = 0;
  std::int64_t signed_sessions = 0;
  std::int64_t register_sessions = 0;
  std::int64_t estimate_sessions = 0;
  double energy_delivered_wh = 0;
  double energy_consumed_wh = 0;
  double certificate_kwh = 0;
  double pv_kwh = 0;
  double baseline_kg = 0;
  double project_kg = 0;
  double reduction_kg = 0;
  /// Market-based sums: sessions without green data count location-based.
  double project_market_kg = 0;
  double reduction_market_kg = 0;
  std::int64_t market_sessions = 0;  ///< Sessions with green data.
};

struct Report {
  std::string site_id;  ///< Empty for an account statement.
  std::string account;  ///< Empty for a site report.
  std::string month;
  ocpp::DateTime from;
  ocpp::DateTime to;
  std::vector<ReportRow> rows;  ///< Every session that ended in the month.
  ReportTotals totals;
  std::vector<storage::AppliedParameter> factors;  ///< Distinct parameters applied.
  double certificate_kwh_recorded = 0;             ///< Site reports: retired in the month.
  /// Site reports: the month's metered site energy (sum of its 15-minute
  /// intervals); nullopt without interval data.
  std::optional<storage::SiteInterval> site_energy;
  std::vector<std::string> notes;            ///< Restatement notes.
  std::vector<storage::LedgerEntry> ledger;  ///< Account statements: the month's entries.
};

/// Builds the report of `site_id` or of `account` (exactly one non-empty) for
/// "YYYY-MM"; throws std::invalid_argument for a malformed month.
Report build_report(storage::Session& s, const std::string& site_id, const std::string& account,
                    const std::string& month);

/// RFC 4180 CSV of the rows (header line first, CRLF line ends).
std::string report_csv(const Report& report);

}  // namespace csms::carbon
