#include "carbon/ledger.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>

#include "carbon/calendar.hpp"

namespace csms::carbon {

const std::string kGenesisHash(64, '0');

namespace {

void field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::string hex(const unsigned char* bytes, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

std::string entry_hash(const storage::LedgerEntry& e) {
  std::string text = "csms-carbon-ledger/1\n";
  field(text, std::to_string(e.seq));
  field(text, e.account);
  field(text, e.type);
  field(text, std::to_string(e.grams));
  field(text, std::to_string(e.points));
  field(text, e.ref);
  field(text, e.reason);
  field(text, std::to_string(e.time.unix_micros()));
  field(text, e.prev_hash);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return hex(digest, sizeof digest);
}

storage::LedgerEntry append_entry(storage::CarbonStore& store, storage::LedgerEntry e) {
  const auto last = store.last_entry();
  e.seq = last ? last->seq + 1 : 1;
  e.prev_hash = last ? last->hash : kGenesisHash;
  e.hash = entry_hash(e);
  store.append_entry(e);
  return e;
}

Balance balance_of(const std::vector<storage::LedgerEntry>& entries) {
  Balance b;
  for (const auto& e : entries) {
    b.points += e.points;
    b.grams += e.grams;
    ++b.entries;
    if (e.type == "earn") {
      b.earned_points += e.points;
      b.earned_grams += e.grams;
    } else if (e.type == "reverse") {
      b.reversed_points -= e.points;
    } else if (e.type == "redeem") {
      b.redeemed_points -= e.points;
    } else if (e.type == "donate") {
      b.donated_points -= e.points;
    } else if (e.type == "expire") {
      b.expired_points -= e.points;
    } else if (e.type == "adjust") {
      b.adjusted_points += e.points;
    }
  }
  return b;
}

ChainCheck verify_chain(const std::vector<storage::LedgerEntry>& entries) {
  ChainCheck c;
  std::string prev = kGenesisHash;
  std::int64_t expected_seq = 1;
  for (const auto& e : entries) {
    ++c.entries;
    std::string problem;
    if (e.seq != expected_seq) {
      problem = "sequence gap: expected entry " + std::to_string(expected_seq);
    } else if (e.prev_hash != prev) {
      problem = "prevHash does not match the hash of the entry before it";
    } else if (entry_hash(e) != e.hash) {
      problem = "hash does not match the entry's content (the entry was modified)";
    }
    if (!problem.empty()) {
      c.ok = false;
      c.first_broken_seq = e.seq;
      c.problem = problem;
      return c;
    }
    prev = e.hash;
    expected_seq = e.seq + 1;
  }
  return c;
}

std::vector<storage::LedgerEntry> due_expiries(const std::vector<storage::LedgerEntry>& entries,
                                               int months, const ocpp::DateTime& now,
                                               double points_rate_g) {
  if (months <= 0 || entries.empty()) return {};
  // Lots of earned points, oldest first, with what is left of each.
  struct Lot {
    std::int64_t seq;
    ocpp::DateTime time;
    std::int64_t left;
  };
  std::deque<Lot> lots;
  auto consume = [&lots](std::int64_t points) {
    for (auto& lot : lots) {
      if (points <= 0) break;
      const auto take = std::min(points, lot.left);
      lot.left -= take;
      points -= take;
    }
  };
  for (const auto& e : entries) {
    if (e.points > 0 && (e.type == "earn" || e.type == "adjust")) {
      lots.push_back({e.seq, e.time, e.points});
      continue;
    }
    if (e.points >= 0) continue;
    // A reversal or an expiry names its lot ("entry:N"): take from it first.
    std::int64_t owed = -e.points;
    if (e.ref.rfind("entry:", 0) == 0) {
      const auto target = std::strtoll(e.ref.c_str() + 6, nullptr, 10);
      for (auto& lot : lots) {
        if (lot.seq != target) continue;
        const auto take = std::min(owed, lot.left);
        lot.left -= take;
        owed -= take;
      }
    }
    consume(owed);
  }
  std::vector<storage::LedgerEntry> due;
  for (const auto& lot : lots) {
    if (lot.left <= 0 || now < add_months(lot.time, months)) continue;
    storage::LedgerEntry e;
    e.account = entries.front().account;
    e.type = "expire";
    e.points = -lot.left;
    e.grams =
        -static_cast<std::int64_t>(std::llround(static_cast<double>(lot.left) * points_rate_g));
    e.ref = "entry:" + std::to_string(lot.seq);
    e.reason = "earned points expire after " + std::to_string(months) + " months";
    e.time = now;
    due.push_back(std::move(e));
  }
  return due;
}

}  // namespace csms::carbon
