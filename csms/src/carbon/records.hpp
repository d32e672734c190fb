#pragma once
// Carbon records and the ledger operations, as storage work: every function
// here runs inside a storage::Session on the writer thread (never on the
// network thread), so a record, its ledger entries and what they depend on
// commit together.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/carbon.hpp"
#include "storage/stores.hpp"

namespace csms {
struct Config;
}

namespace csms::carbon {

/// The operator's choices the method depends on (from Config).
struct Settings {
  std::string grid_series = "mee-nbs";
  std::string fuel = "gasoline";
  std::int64_t cap_points_per_session = 0;
  std::int64_t cap_points_per_day = 0;
  int expiry_months = 0;
  double max_plausible_kw = 1000;
};
Settings settings_from(const Config& config);

/// An operation on the ledger the rules refuse (e.g. redeeming more than the
/// balance); the message says why.
class LedgerRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the session's energy comes from, with the verification's verdict.
struct EnergyEvidence {
  double energy_wh = 0;
  std::string provenance;  ///< signed, register or estimate
  std::vector<std::string> flags;
  std::string excluded;  ///< Non-empty: no points and out of report totals.
};

/// The transaction's energy and provenance from what is stored: verified
/// signed meter data first, then the energy register, then an estimate from
/// power samples.
EnergyEvidence energy_evidence(storage::Session& s, const storage::Transaction& tx,
                               const storage::StationCarbonSettings& station,
                               const Settings& settings);

/// Computes the ended transaction's carbon record from what is stored now
/// and appends it when it differs from the transaction's current record (a
/// new one supersedes the old, and the driver's ledger gets a reversal and a
/// new entry). Returns the new record's id, or nullopt when nothing changed
/// or the transaction has not ended.
std::optional<std::int64_t> record_transaction(storage::Session& s, std::int64_t transaction_id,
                                               const Settings& settings, const ocpp::DateTime& now);

/// Records retired green certificates and re-allocates the site-month's
/// certificate kWh to its sessions (earliest end first): affected records are
/// superseded. Throws std::invalid_argument for a certificate already used.
std::int64_t record_certificates(storage::Session& s, storage::GreenCertificateBatch batch,
                                 const Settings& settings, const ocpp::DateTime& now);

/// The account a token's sessions credit: the operator's link of the token,
/// else of its group (parent) token, else the token itself.
std::string account_of(storage::Session& s, const std::string& id_tag);

/// Appends a redeem, donate or adjust entry. redeem/donate take `points` > 0
/// and are refused beyond the balance; adjust takes a signed amount.
storage::LedgerEntry spend_or_adjust(storage::Session& s, const std::string& account,
                                     const std::string& type, std::int64_t points,
                                     const std::string& ref, const std::string& reason,
                                     const ocpp::DateTime& now);

/// Appends the expire entries due at `now` (no-op when expiry is off).
std::size_t expire_due(storage::Session& s, const Settings& settings, const ocpp::DateTime& now);

/// The points rate (g per point) in force at `at`.
double points_rate_at(storage::Session& s, const ocpp::DateTime& at);

}  // namespace csms::carbon
