#pragma once
// The carbon ledger's rules: the SHA-256 chain over entries, balances derived
// from entries, and FIFO expiry. Runs on storage threads (it reads and appends
// through a storage::CarbonStore); docs/carbon.md specifies the hash input.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/carbon.hpp"

namespace csms::carbon {

/// The previous hash of the first entry.
extern const std::string kGenesisHash;

/// The entry's hash: hex SHA-256 of its canonical text (every field but
/// `hash`, each as "<byte length>:<bytes>\n", in a fixed order).
std::string entry_hash(const storage::LedgerEntry& e);

/// Appends `e` to the chain: assigns seq, prev_hash and hash, and stores it.
/// Writer thread only (the chain needs one appender).
storage::LedgerEntry append_entry(storage::CarbonStore& store, storage::LedgerEntry e);

/// An account's position, derived from its entries (never stored).
struct Balance {
  std::int64_t points = 0;
  std::int64_t grams = 0;
  std::int64_t earned_points = 0;  ///< earn entries
  std::int64_t earned_grams = 0;
  std::int64_t reversed_points = 0;  ///< reverse entries, as a positive number
  std::int64_t redeemed_points = 0;
  std::int64_t donated_points = 0;
  std::int64_t expired_points = 0;
  std::int64_t adjusted_points = 0;  ///< signed
  std::size_t entries = 0;
};
Balance balance_of(const std::vector<storage::LedgerEntry>& entries);

/// The result of recomputing the whole chain.
struct ChainCheck {
  bool ok = true;
  std::size_t entries = 0;
  std::int64_t first_broken_seq = 0;  ///< 0 when ok.
  std::string problem;
};
/// Recomputes every hash and link of the ledger in seq order.
ChainCheck verify_chain(const std::vector<storage::LedgerEntry>& entries);

/// The expire entries due at `now` for one account (entries in seq order):
/// points earned more than `months` months before `now` and not yet spent,
/// redeemed, donated, reversed or expired, oldest lots consumed first. Their
/// seq/hash are left for append_entry.
std::vector<storage::LedgerEntry> due_expiries(const std::vector<storage::LedgerEntry>& entries,
                                               int months, const ocpp::DateTime& now,
                                               double points_rate_g);

}  // namespace csms::carbon
