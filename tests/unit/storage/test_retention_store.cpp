#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Direction;
using storage::LoggedFrame;
using storage::MeterSample;
using storage::Session;

namespace {

// Every 60 s from at(100) (a window start) to at(1900): 31 samples per
// measurand, windows [100, 1000), [1000, 1900) and [1900, 2800).
std::vector<MeterSample> charging_session() {
  std::vector<MeterSample> out;
  for (int k = 0; k <= 30; ++k) {
    out.push_back(sample("CP1", 100 + 60 * k, std::to_string(1000 + 10 * k), 7));
    auto power = sample("CP1", 100 + 60 * k, std::to_string(7000 + (k % 5)), 7);
    power.measurand = "Power.Active.Import";
    power.unit = "W";
    out.push_back(power);
  }
  return out;
}

const std::string kRegister = "Energy.Active.Import.Register";

}  // namespace

TEST_CASE("old raw meter samples are replaced by 15-minute rollups that readers still see") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.meters.insert(charging_session()); });
  // Cut-off at(1950): only windows closed before at(1900) roll up.
  auto run =
      write_sync(*db, [](Session& s) { return s.retention.roll_up_meter_samples(at(1950), 1000); });
  CHECK(run.samples == 60);
  CHECK(run.rollups == 4);
  auto rollups = read_sync(*db, [](Session& s) { return s.retention.rollups(7); });
  REQUIRE(rollups.size() == 4);
  const auto& first = rollups[0].measurand == kRegister ? rollups[0] : rollups[1];
  CHECK(first.window_start == at(100));
  CHECK(first.first_at == at(100));
  CHECK(first.last_at == at(940));
  CHECK(first.first_value == "1000");
  CHECK(first.last_value == "1140");
  CHECK(first.min == 1000.0);
  CHECK(first.max == 1140.0);
  CHECK(first.count == 15);
  CHECK(first.station_id == "CP1");
  CHECK(first.transaction_id == 7);

  // The energy register reads back as each window's first and last sample,
  // then the raw sample still inside retention.
  auto energy = read_sync(*db, [](Session& s) { return s.meters.for_transaction(7, kRegister); });
  std::vector<std::string> values;
  for (const auto& m : energy) values.push_back(m.value);
  CHECK(values == std::vector<std::string>{"1000", "1140", "1150", "1290", "1300"});
  CHECK(energy[1].timestamp == at(940));
  CHECK(energy[1].unit == "Wh");
  auto ends = read_sync(*db, [](Session& s) { return s.meters.first_and_last(7, kRegister); });
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].value == "1000");
  CHECK(ends[1].value == "1300");
  CHECK(read_sync(*db, [](Session& s) { return s.meters.for_transaction(7); }).size() == 10);

  // Nothing left to roll up; a later cut-off takes the rest.
  CHECK(write_sync(*db, [](Session& s) {
          return s.retention.roll_up_meter_samples(at(1950), 1000).samples;
        }) == 0);
  CHECK(write_sync(*db, [](Session& s) {
          return s.retention.roll_up_meter_samples(at(5000), 1000).samples;
        }) == 2);
  ends = read_sync(*db, [](Session& s) { return s.meters.first_and_last(7, kRegister); });
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].value == "1000");
  CHECK(ends[1].value == "1300");
  CHECK(ends[1].timestamp == at(1900));
}

TEST_CASE("a rollup run is bounded and never splits a window it can finish next time") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    auto all = charging_session();
    std::vector<MeterSample> energy;
    for (auto& m : all)
      if (m.measurand == kRegister) energy.push_back(m);
    s.meters.insert(energy);
  });
  auto roll = [&] {
    return write_sync(*db,
                      [](Session& s) { return s.retention.roll_up_meter_samples(at(1950), 20); });
  };
  auto one = roll();
  CHECK(one.samples == 15);  // 20 read, the 5 of the second window left for later
  CHECK(one.rollups == 1);
  auto two = roll();
  CHECK(two.samples == 15);
  CHECK(two.rollups == 1);
  CHECK(roll().samples == 0);
  auto rollups = read_sync(*db, [](Session& s) { return s.retention.rollups(7); });
  REQUIRE(rollups.size() == 2);
  CHECK(rollups[1].first_value == "1150");
  CHECK(rollups[1].count == 15);
}

TEST_CASE("message log retention deletes old frames oldest first in bounded batches") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    for (int i = 1; i <= 5; ++i)
      s.messages.append(LoggedFrame{0, "CP1", at(i), Direction::In, std::to_string(i)});
  });
  auto prune = [&] {
    return write_sync(*db, [](Session& s) { return s.retention.prune_message_log(at(4), 2); });
  };
  CHECK(prune() == 2);
  CHECK(prune() == 1);
  CHECK(prune() == 0);
  auto left = read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 10); });
  REQUIRE(left.size() == 2);
  CHECK(left[0].frame == "5");
  CHECK(left[1].frame == "4");
}

TEST_CASE("the samples of a transaction still open stay raw until it ends") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  const auto tx_id = write_sync(*db, [](Session& s) {
    storage::Transaction tx;
    tx.station_id = "CP1";
    tx.connector_id = 1;
    tx.id_tag = "TAG1";
    tx.start_time = at(100);
    tx.meter_start = 1000;
    const auto id = s.transactions.insert(tx);
    auto samples = charging_session();
    for (auto& m : samples) m.transaction_id = id;
    s.meters.insert(samples);
    return id;
  });
  auto roll = [&] {
    return write_sync(*db,
                      [](Session& s) { return s.retention.roll_up_meter_samples(at(5000), 1000); });
  };
  CHECK(roll().samples == 0);
  write_sync(*db, [&](Session& s) {
    auto tx = s.transactions.get(tx_id);
    if (!tx) throw std::runtime_error("transaction gone");
    tx->stop_time = at(1900);
    tx->meter_stop = 1300;
    s.transactions.update(*tx);
  });
  CHECK(roll().samples == 62);
}
