#include "storage/retention.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace storage {

DateTime rollup_window(const DateTime& t) {
  const std::int64_t us = t.unix_micros();
  // Floor, not truncation: times before 1970 stay in their own window.
  std::int64_t start = us - us % kRollupWindowMicros;
  if (us % kRollupWindowMicros < 0) start -= kRollupWindowMicros;
  return DateTime::from_unix_micros(start);
}

namespace {

using GroupKey = std::tuple<std::int64_t, std::string, int, int, std::optional<std::int64_t>,
                            std::string, std::string, std::string, std::string>;

GroupKey group_of(const MeterSample& m) {
  return {rollup_window(m.timestamp).unix_micros(),
          m.station_id,
          m.evse_id,
          m.connector_id,
          m.transaction_id,
          m.measurand,
          m.phase,
          m.location,
          m.unit};
}

}  // namespace

std::vector<MeterRollup> roll_up(const std::vector<StoredSample>& samples) {
  std::vector<MeterRollup> out;
  std::map<GroupKey, std::size_t> index;  // group -> position in out
  for (const auto& stored : samples) {
    const auto& m = stored.sample;
    auto [it, fresh] = index.try_emplace(group_of(m), out.size());
    if (fresh) {
      MeterRollup r;
      r.station_id = m.station_id;
      r.evse_id = m.evse_id;
      r.connector_id = m.connector_id;
      r.transaction_id = m.transaction_id;
      r.measurand = m.measurand;
      r.phase = m.phase;
      r.unit = m.unit;
      r.location = m.location;
      r.format = m.format;
      r.window_start = rollup_window(m.timestamp);
      r.first_at = m.timestamp;
      r.first_value = m.value;
      r.first_context = m.context;
      out.push_back(std::move(r));
    }
    auto& r = out[it->second];
    // Samples come in timestamp order, so the latest one seen is the last.
    r.last_at = m.timestamp;
    r.last_value = m.value;
    r.last_context = m.context;
    ++r.count;
    if (auto v = sample_number(m)) {
      r.min = r.min ? std::min(*r.min, *v) : *v;
      r.max = r.max ? std::max(*r.max, *v) : *v;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const MeterRollup& a, const MeterRollup& b) {
    return a.window_start < b.window_start;
  });
  return out;
}

std::size_t whole_windows(const std::vector<StoredSample>& batch, std::size_t limit) {
  if (batch.size() < limit || batch.empty()) return batch.size();
  const DateTime last = rollup_window(batch.back().sample.timestamp);
  std::size_t n = batch.size();
  while (n > 0 && rollup_window(batch[n - 1].sample.timestamp) == last) --n;
  // One window larger than the batch: roll up what there is; the rest of that
  // window becomes a second rollup row next run (readers take both).
  return n == 0 ? batch.size() : n;
}

}  // namespace storage
