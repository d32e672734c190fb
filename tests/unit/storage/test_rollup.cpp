#include <catch2/catch.hpp>

#include "storage/retention.hpp"
#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::MeterRollup;
using storage::StoredSample;

namespace {

// at(0) is 800 s into its quarter hour: windows start at at(100), at(1000)...
StoredSample stored(std::int64_t id, std::int64_t ts_s, const std::string& value,
                    const std::string& measurand = "Energy.Active.Import.Register") {
  StoredSample s{id, sample("CP1", ts_s, value, 7)};
  s.sample.measurand = measurand;
  return s;
}

}  // namespace

TEST_CASE("a rollup window is the quarter hour holding the time") {
  CHECK(storage::rollup_window(at(100)) == at(100));
  CHECK(storage::rollup_window(at(999)) == at(100));
  CHECK(storage::rollup_window(at(1000)) == at(1000));
  CHECK(storage::rollup_window(DateTime::from_unix_micros(-1)) ==
        DateTime::from_unix_micros(-storage::kRollupWindowMicros));
}

TEST_CASE("samples roll up per window and measurand with first last min max and count") {
  std::vector<StoredSample> in = {
      stored(1, 100, "1000"),  stored(2, 100, "7.5", "Power.Active.Import"),
      stored(3, 400, "1100"),  stored(4, 400, "3", "Power.Active.Import"),
      stored(5, 990, "1250"),  stored(6, 990, "n/a", "Power.Active.Import"),
      stored(7, 1000, "1260"),
  };
  in[0].sample.context = "Transaction.Begin";
  auto out = storage::roll_up(in);
  REQUIRE(out.size() == 3);
  const MeterRollup& energy = out[0];
  CHECK(energy.measurand == "Energy.Active.Import.Register");
  CHECK(energy.window_start == at(100));
  CHECK(energy.first_at == at(100));
  CHECK(energy.last_at == at(990));
  CHECK(energy.first_value == "1000");
  CHECK(energy.last_value == "1250");
  CHECK(energy.first_context == "Transaction.Begin");
  CHECK(energy.last_context == "Sample.Periodic");
  CHECK(energy.min == 1000.0);
  CHECK(energy.max == 1250.0);
  CHECK(energy.count == 3);
  CHECK(energy.transaction_id == 7);
  const MeterRollup& power = out[1];
  CHECK(power.measurand == "Power.Active.Import");
  CHECK(power.count == 3);  // the non-numeric sample counts, without a min or max
  CHECK(power.min == 3.0);
  CHECK(power.max == 7.5);
  CHECK(power.last_value == "n/a");
  CHECK(out[2].window_start == at(1000));
  CHECK(out[2].count == 1);
  CHECK(out[2].first_value == out[2].last_value);
}

TEST_CASE("a non-numeric window has no min or max") {
  auto out = storage::roll_up({stored(1, 100, "abc"), stored(2, 200, "")});
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].min);
  CHECK_FALSE(out[0].max);
  CHECK(out[0].count == 2);
}

TEST_CASE("a full batch leaves its last window for the next run unless it is the only one") {
  std::vector<StoredSample> batch = {stored(1, 100, "1"), stored(2, 200, "2"), stored(3, 1000, "3"),
                                     stored(4, 1100, "4")};
  CHECK(storage::whole_windows(batch, 4) == 2);
  CHECK(storage::whole_windows(batch, 5) == 4);  // not cut: every window is whole
  batch.resize(2);
  CHECK(storage::whole_windows(batch, 2) == 2);  // one window larger than the batch
  CHECK(storage::whole_windows({}, 10) == 0);
}
