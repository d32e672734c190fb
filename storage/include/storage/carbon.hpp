#pragma once
// Sites, the carbon method's parameter registry, per-session carbon records,
// drivers' carbon ledger and green certificates: the domain of the carbon
// feature (docs/carbon.md). Records, parameters and ledger entries are only
// ever appended; corrections are new rows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// Where stations stand: its grid region picks the grid emission factor.
struct Site {
  std::string id;
  std::string name;
  std::string address;
  std::string region;  ///< e.g. "CN-East"; empty: the national factor applies.
  std::string timezone = "UTC";
  std::optional<double> latitude;
  std::optional<double> longitude;
  DateTime created_at;
};

/// What the carbon method needs to know of a station beyond its registration.
struct StationCarbonSettings {
  std::string station_id;
  std::string site_id;       ///< Empty: the station belongs to no site.
  std::string current_type;  ///< "AC" or "DC"; empty: not said (AC is assumed).
  /// The public key of its signed (OCMF) meter, as the operator registered it
  /// (hex or base64 DER, or PEM); empty: the key the station sends is used.
  std::string meter_public_key;
};

/// One number of the method with where it came from. Never edited: a newer
/// value is a new row valid from its own time on.
struct CarbonParameter {
  std::int64_t id = 0;
  std::string kind;  ///< grid, fuel-consumption, ev-consumption, fuel-emission, ...
  std::string
      variant;  ///< grid: series ("mee-nbs", "ets"); efficiency: AC/DC; fuel: gasoline/diesel.
  double value = 0;
  std::string unit;
  std::string region;  ///< Empty: national (applies where no regional value exists).
  int vintage = 0;     ///< The year the data describes; 0: not dated.
  DateTime valid_from;
  std::string source;
  DateTime created_at;
};

/// A parameter as applied to one record (its value is copied, not referenced).
struct AppliedParameter {
  std::int64_t id = 0;
  std::string kind;
  std::string variant;
  double value = 0;
  std::string unit;
  std::string region;
  std::string source;
};

/// The carbon figures of one ended transaction with every input they came
/// from. Immutable: a changed transaction gets a new record that supersedes it.
struct CarbonRecord {
  std::int64_t id = 0;
  std::int64_t transaction_id = 0;
  std::string station_id;
  std::string site_id;
  std::string region;  ///< The region whose grid factor applied ("" national).
  std::string id_tag;
  std::string account;  ///< The driver's carbon account credited.
  DateTime session_start;
  DateTime session_end;
  DateTime computed_at;
  std::string method_version;
  double energy_delivered_wh = 0;
  std::string provenance;    ///< signed, register or estimate.
  std::string current_type;  ///< AC or DC (the efficiency applied).
  double energy_consumed_wh = 0;
  double baseline_kg = 0;
  double project_kg = 0;
  double reduction_kg = 0;
  std::optional<double> green_share;  ///< Market-based figures: only with green data.
  std::optional<double> project_market_kg;
  std::optional<double> reduction_market_kg;
  double certificate_kwh = 0;  ///< Green-certificate kWh this record uses.
  /// The site's PV self-consumption credited to this session (interval data).
  double pv_kwh = 0;
  /// Why the session earns nothing and is left out of report totals ("" if it counts).
  std::string excluded;
  std::vector<std::string> flags;  ///< e.g. register-backwards, signature-invalid.
  std::vector<AppliedParameter> parameters;
  std::optional<std::int64_t> supersedes;
  std::optional<std::int64_t> superseded_by;  ///< Derived when read.
};

/// Ledger entry types.
constexpr const char* kLedgerTypes[] = {"earn", "reverse", "adjust", "redeem", "expire", "donate"};

/// One entry of the append-only carbon ledger, chained to the previous entry
/// of the whole ledger by SHA-256.
struct LedgerEntry {
  std::int64_t seq = 0;
  std::string account;
  std::string type;
  std::int64_t grams = 0;  ///< Negative for reverse/redeem/expire/donate.
  std::int64_t points = 0;
  std::string ref;  ///< "record:12", "entry:7", or the operator's reference.
  std::string reason;
  DateTime time;
  std::string prev_hash;
  std::string hash;
};

/// A batch of retired green certificates for a site and month.
struct GreenCertificateBatch {
  std::int64_t id = 0;
  std::string site_id;
  std::string month;  ///< "YYYY-MM"
  double kwh = 0;
  std::vector<std::string> certificate_ids;
  DateTime recorded_at;
};

/// Filter of carbon records; unset fields do not filter.
struct CarbonRecordFilter {
  std::optional<std::string> site_id;
  std::optional<std::string> account;
  std::optional<DateTime> from;  ///< session_end >= from
  std::optional<DateTime> to;    ///< session_end < to
  bool current_only = true;      ///< Leave out superseded records.
};

/// Sites and the stations' carbon settings.
class SiteStore {
 public:
  virtual ~SiteStore() = default;
  virtual std::optional<Site> get(const std::string& id) = 0;
  virtual std::vector<Site> list() = 0;
  /// Inserts or replaces.
  virtual void put(const Site& site) = 0;
  /// Removes the site; its stations belong to no site afterwards. False if unknown.
  virtual bool remove(const std::string& id) = 0;
  /// The station's settings (defaults when none are stored).
  virtual StationCarbonSettings station(const std::string& station_id) = 0;
  virtual void put_station(const StationCarbonSettings& settings) = 0;
  virtual std::vector<StationCarbonSettings> stations_of(const std::string& site_id) = 0;
};

/// The parameter registry, carbon records, the ledger, accounts and certificates.
class CarbonStore {
 public:
  virtual ~CarbonStore() = default;
  virtual std::int64_t add_parameter(const CarbonParameter& p) = 0;
  /// Every parameter, optionally of one kind and region, by kind, variant, region, valid_from.
  virtual std::vector<CarbonParameter> parameters(const std::string& kind,
                                                  const std::optional<std::string>& region) = 0;
  /// The parameter of `kind`/`variant` in force at `at` for `region` (the
  /// newest valid_from <= at, a regional one before a national one).
  virtual std::optional<CarbonParameter> parameter_at(const std::string& kind,
                                                      const std::string& variant,
                                                      const std::string& region,
                                                      const DateTime& at) = 0;

  virtual std::int64_t add_record(const CarbonRecord& r) = 0;
  virtual std::optional<CarbonRecord> record(std::int64_t id) = 0;
  /// The transaction's record not superseded by another, if any.
  virtual std::optional<CarbonRecord> current_record(std::int64_t transaction_id) = 0;
  /// Every record of the transaction, oldest first.
  virtual std::vector<CarbonRecord> records_of(std::int64_t transaction_id) = 0;
  /// By session_end, then id.
  virtual std::vector<CarbonRecord> records(const CarbonRecordFilter& filter) = 0;

  /// Appends; the caller has computed the hash chain (seq is assigned here).
  virtual std::int64_t append_entry(const LedgerEntry& e) = 0;
  virtual std::optional<LedgerEntry> last_entry() = 0;
  /// Entries by seq; empty account: all; times bound `time`.
  virtual std::vector<LedgerEntry> entries(const std::string& account,
                                           const std::optional<DateTime>& from,
                                           const std::optional<DateTime>& to) = 0;
  /// Every account with at least one entry.
  virtual std::vector<std::string> accounts() = 0;

  /// The account a token (or its group) is linked to, if the operator linked it.
  virtual std::optional<std::string> linked_account(const std::string& id_tag) = 0;
  virtual void link_account(const std::string& id_tag, const std::string& account) = 0;

  /// Records a batch; throws std::invalid_argument naming a certificate id
  /// that was already used (in any site and month).
  virtual std::int64_t add_certificates(const GreenCertificateBatch& batch) = 0;
  virtual std::vector<GreenCertificateBatch> certificates(const std::string& site_id,
                                                          const std::string& month) = 0;
};

}  // namespace storage
