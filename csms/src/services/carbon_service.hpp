#pragma once
// Carbon records are computed after a transaction's data is committed and its
// station answered: the work is queued to the storage writer (a later group),
// so it never delays or fails a station's answer. Network thread only.

#include <cstdint>

#include "carbon/records.hpp"

namespace csms {

struct ServerContext;

/// Keeps every ended transaction's carbon record up to date.
class CarbonService {
 public:
  explicit CarbonService(ServerContext& ctx);
  /// The transaction's data changed (it ended, or a late event or meter value
  /// arrived after its end): (re)compute its record.
  void transaction_changed(std::int64_t transaction_id);
  /// Appends the expire entries that are due (hourly).
  void expire_due();
  const carbon::Settings& settings() const { return settings_; }

 private:
  ServerContext& ctx_;
  carbon::Settings settings_;
};

}  // namespace csms
