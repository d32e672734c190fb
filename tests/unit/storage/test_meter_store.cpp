#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::MeterSample;
using storage::Session;

TEST_CASE("meter samples are stored with every field and listed by transaction in time order") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  MeterSample full = sample("CP1", 2, "230.1", 7);
  full.evse_id = 1;
  full.measurand = "Voltage";
  full.phase = "L1-N";
  full.unit = "V";
  full.context = "Transaction.Begin";
  full.location = "Inlet";
  full.format = "SignedData";
  auto inserted = write_sync(*db, [full](Session& s) {
    return s.meters.insert(
        {full, sample("CP1", 1, "1000", 7), sample("CP1", 3, "1200", 8), sample("CP1", 4, "1300")});
  });
  CHECK(inserted == 4);
  auto got = read_sync(*db, [](Session& s) { return s.meters.for_transaction(7); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].value == "1000");
  CHECK(got[0].measurand == "Energy.Active.Import.Register");
  CHECK(got[0].phase.empty());
  const auto& m = got[1];
  CHECK(m.station_id == "CP1");
  CHECK(m.evse_id == 1);
  CHECK(m.connector_id == 1);
  CHECK(m.transaction_id == 7);
  CHECK(m.timestamp == at(2));
  CHECK(m.value == "230.1");
  CHECK(m.measurand == "Voltage");
  CHECK(m.phase == "L1-N");
  CHECK(m.unit == "V");
  CHECK(m.context == "Transaction.Begin");
  CHECK(m.location == "Inlet");
  CHECK(m.format == "SignedData");
}

TEST_CASE("a retried MeterValues inserts nothing twice") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  std::vector<MeterSample> batch{sample("CP1", 1, "1000", 1), sample("CP1", 2, "1100", 1)};
  CHECK(write_sync(*db, [batch](Session& s) { return s.meters.insert(batch); }) == 2);
  CHECK(write_sync(*db, [batch](Session& s) { return s.meters.insert(batch); }) == 0);
  // A partly new retry stores only what is new.
  auto more = batch;
  more.push_back(sample("CP1", 3, "1200", 1));
  CHECK(write_sync(*db, [more](Session& s) { return s.meters.insert(more); }) == 1);
  CHECK(read_sync(*db, [](Session& s) { return s.meters.for_transaction(1); }).size() == 3);
}

TEST_CASE("samples differing in any identifying field are all kept") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  MeterSample base = sample("CP1", 1, "1000", 1);
  std::vector<MeterSample> batch{base};
  auto vary = [&](auto change) {
    MeterSample m = base;
    change(m);
    batch.push_back(m);
  };
  vary([](MeterSample& m) { m.station_id = "CP2"; });
  vary([](MeterSample& m) { m.evse_id = 2; });
  vary([](MeterSample& m) { m.connector_id = 2; });
  vary([](MeterSample& m) { m.timestamp = at(2); });
  vary([](MeterSample& m) { m.measurand = "Power.Active.Import"; });
  vary([](MeterSample& m) { m.phase = "L1"; });
  vary([](MeterSample& m) { m.location = "Inlet"; });
  vary([](MeterSample& m) { m.context = "Sample.Clock"; });
  vary([](MeterSample& m) { m.value = "1001"; });
  CHECK(write_sync(*db, [batch](Session& s) { return s.meters.insert(batch); }) == batch.size());
}

TEST_CASE("inserting no samples is a no-op") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  CHECK(write_sync(*db, [](Session& s) { return s.meters.insert({}); }) == 0);
}

TEST_CASE("a transaction's samples of one measurand keep arrival order within one timestamp") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto phase = [](const std::string& p, std::int64_t ts, const std::string& value) {
    MeterSample m = sample("CP1", ts, value, 4);
    m.measurand = "Current.Import";
    m.phase = p;
    m.unit = "A";
    return m;
  };
  write_sync(*db, [phase](Session& s) {
    s.meters.insert({phase("L2", 2, "b2"), phase("L3", 1, "c1"), phase("L1", 1, "a1"),
                     phase("L2", 1, "b1"), sample("CP1", 1, "1000", 4)});
    MeterSample other = phase("L1", 0, "other transaction");
    other.transaction_id = 5;
    MeterSample unlinked = phase("L1", 0, "no transaction");
    unlinked.transaction_id = std::nullopt;
    s.meters.insert({other, unlinked});
  });
  auto got =
      read_sync(*db, [](Session& s) { return s.meters.for_transaction(4, "Current.Import"); });
  std::vector<std::string> values;
  for (const auto& m : got) values.push_back(m.value);
  CHECK(values == std::vector<std::string>{"c1", "a1", "b1", "b2"});
  CHECK(read_sync(*db, [](Session& s) { return s.meters.for_transaction(4, "Voltage"); }).empty());
}

TEST_CASE(
    "first_and_last gives a transaction's earliest and latest register reading without a phase") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  MeterSample phased = sample("CP1", 9, "99999", 5);
  phased.phase = "L1";
  MeterSample voltage = sample("CP1", 0, "230", 5);
  voltage.measurand = "Voltage";
  write_sync(*db, [&](Session& s) {
    // Inserted out of time order, as an offline station's queue may deliver them.
    return s.meters.insert({sample("CP1", 3, "1300", 5), sample("CP1", 1, "1000", 5), phased,
                            voltage, sample("CP1", 2, "1100", 5), sample("CP1", 8, "5000", 6)});
  });
  auto ends = read_sync(
      *db, [](Session& s) { return s.meters.first_and_last(5, "Energy.Active.Import.Register"); });
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].value == "1000");
  CHECK(ends[1].value == "1300");
  auto one = read_sync(
      *db, [](Session& s) { return s.meters.first_and_last(6, "Energy.Active.Import.Register"); });
  REQUIRE(one.size() == 2);
  CHECK(one[0].value == "5000");
  CHECK(one[1].value == "5000");
  CHECK(read_sync(*db, [](Session& s) {
          return s.meters.first_and_last(77, "Energy.Active.Import.Register");
        }).empty());
}
