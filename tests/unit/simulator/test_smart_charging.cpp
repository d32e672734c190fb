// The simulator's smart charging: which profile is in force (stack levels,
// purposes, validity, recurrence), A <-> W, and the composite schedule.
#include <catch2/catch.hpp>

#include "simulator/smart_charging.hpp"

using namespace simulator;

namespace {

const DateTime kT0 = *DateTime::parse("2026-03-02T10:00:00Z");  // a Monday

DateTime at(std::int64_t seconds) {
  return DateTime::from_unix_micros(kT0.unix_micros() + seconds * 1'000'000);
}

ChargingProfile profile(std::int64_t id, int connector, ProfilePurpose purpose, int stack,
                        double limit, RateUnit unit = RateUnit::W) {
  ChargingProfile p;
  p.id = id;
  p.connector = connector;
  p.purpose = purpose;
  p.stack_level = stack;
  p.kind = ProfileKind::Absolute;
  p.schedule.start = kT0;
  p.schedule.unit = unit;
  p.schedule.periods = {SchedulePeriod{0, limit, std::nullopt}};
  return p;
}

Supply supply() {
  Supply s;
  s.voltage = 230;
  s.phases = 1;
  s.max_power_w = 7400;
  return s;
}

TxInfo tx(const std::string& id = "T1", std::int64_t started_s = 0) {
  return TxInfo{id, at(started_s)};
}

}  // namespace

TEST_CASE("without profiles the limit is the station's maximum") {
  ProfileSet set;
  CHECK(set.limit_w(1, kT0, std::nullopt, supply()) == Approx(7400));
  auto c = set.composite(1, kT0, 600, RateUnit::W, std::nullopt, supply());
  REQUIRE(c.periods.size() == 1);
  CHECK(c.periods[0].start_s == 0);
  CHECK(c.periods[0].limit == Approx(7400));
}

TEST_CASE("amperes become watts on the phases in use, and back") {
  const Supply one = supply();
  CHECK(to_watts(16, RateUnit::A, std::nullopt, one) == Approx(3680));
  Supply three = one;
  three.phases = 3;
  CHECK(to_watts(16, RateUnit::A, std::nullopt, three) == Approx(11040));
  CHECK(to_watts(16, RateUnit::A, 1, three) == Approx(3680));
  CHECK(from_watts(3680, RateUnit::A, one) == Approx(16));
  CHECK(to_watts(5000, RateUnit::W, std::nullopt, one) == Approx(5000));
}

TEST_CASE("the highest stack level in force wins - a lower one takes over when it ends") {
  ProfileSet set;
  REQUIRE_FALSE(set.install(profile(1, 1, ProfilePurpose::TxDefault, 0, 6000), 2, std::nullopt));
  auto high = profile(2, 1, ProfilePurpose::TxDefault, 1, 3000);
  high.schedule.duration_s = 300;
  REQUIRE_FALSE(set.install(high, 2, std::nullopt));
  CHECK(set.limit_w(1, at(10), std::nullopt, supply()) == Approx(3000));
  CHECK(set.limit_w(1, at(400), std::nullopt, supply()) == Approx(6000));

  auto c = set.composite(1, kT0, 600, RateUnit::W, std::nullopt, supply());
  REQUIRE(c.periods.size() == 2);
  CHECK(c.periods[0].start_s == 0);
  CHECK(c.periods[0].limit == Approx(3000));
  CHECK(c.periods[1].start_s == 300);
  CHECK(c.periods[1].limit == Approx(6000));
  CHECK(set.next_change(at(10), std::nullopt) == at(300));
}

TEST_CASE("a TxProfile overrides the defaults, and the station maximum caps everything") {
  ProfileSet set;
  REQUIRE_FALSE(set.install(profile(1, 0, ProfilePurpose::TxDefault, 0, 6000), 2, std::nullopt));
  REQUIRE_FALSE(set.install(profile(2, 1, ProfilePurpose::Tx, 0, 16, RateUnit::A), 2, tx()));
  CHECK(set.limit_w(1, at(1), tx(), supply()) == Approx(3680));
  CHECK(set.limit_w(2, at(1), std::nullopt, supply()) == Approx(6000));  // station default
  REQUIRE_FALSE(set.install(profile(3, 0, ProfilePurpose::StationMax, 0, 2000), 2, std::nullopt));
  CHECK(set.limit_w(1, at(1), tx(), supply()) == Approx(2000));
  CHECK(set.limit_w(2, at(1), std::nullopt, supply()) == Approx(2000));
  auto amps = set.composite(1, kT0, 60, RateUnit::A, tx(), supply());
  REQUIRE(amps.periods.size() == 1);
  CHECK(amps.periods[0].limit == Approx(8.7));  // 2000 W / 230 V, to 0.1 A

  // The TxProfile ends with its transaction.
  set.transaction_ended(1);
  CHECK(set.profiles().size() == 2);
}

TEST_CASE("a connector's own default overrides the station-wide default") {
  ProfileSet set;
  REQUIRE_FALSE(set.install(profile(1, 0, ProfilePurpose::TxDefault, 5, 6000), 2, std::nullopt));
  REQUIRE_FALSE(set.install(profile(2, 2, ProfilePurpose::TxDefault, 0, 4000), 2, std::nullopt));
  CHECK(set.limit_w(1, at(1), std::nullopt, supply()) == Approx(6000));
  CHECK(set.limit_w(2, at(1), std::nullopt, supply()) == Approx(4000));
}

TEST_CASE("validity bounds when a profile is in force") {
  ProfileSet set;
  auto p = profile(1, 1, ProfilePurpose::TxDefault, 0, 3000);
  p.valid_from = at(100);
  p.valid_to = at(200);
  REQUIRE_FALSE(set.install(p, 1, std::nullopt));
  CHECK(set.limit_w(1, at(50), std::nullopt, supply()) == Approx(7400));
  CHECK(set.limit_w(1, at(150), std::nullopt, supply()) == Approx(3000));
  CHECK(set.limit_w(1, at(200), std::nullopt, supply()) == Approx(7400));
  auto c = set.composite(1, kT0, 300, RateUnit::W, std::nullopt, supply());
  REQUIRE(c.periods.size() == 3);
  CHECK(c.periods[1].start_s == 100);
  CHECK(c.periods[1].limit == Approx(3000));
  CHECK(c.periods[2].start_s == 200);
  CHECK(c.periods[2].limit == Approx(7400));
}

TEST_CASE("a daily recurring profile repeats its periods every day") {
  ProfileSet set;
  auto p = profile(1, 1, ProfilePurpose::TxDefault, 0, 2000);
  p.kind = ProfileKind::Recurring;
  p.recurrency = Recurrency::Daily;
  p.schedule.start = *DateTime::parse("2026-01-01T08:00:00Z");
  // 08:00-18:00 2 kW, then 6 kW.
  p.schedule.periods = {SchedulePeriod{0, 2000, std::nullopt},
                        SchedulePeriod{10 * 3600, 6000, std::nullopt}};
  REQUIRE_FALSE(set.install(p, 1, std::nullopt));
  CHECK(set.limit_w(1, *DateTime::parse("2026-03-02T09:00:00Z"), std::nullopt, supply()) ==
        Approx(2000));
  CHECK(set.limit_w(1, *DateTime::parse("2026-03-02T19:00:00Z"), std::nullopt, supply()) ==
        Approx(6000));
  CHECK(set.limit_w(1, *DateTime::parse("2026-03-03T07:59:00Z"), std::nullopt, supply()) ==
        Approx(6000));
  // From 17:00 for three hours: 2 kW until 18:00, then 6 kW.
  auto c = set.composite(1, *DateTime::parse("2026-03-02T17:00:00Z"), 3 * 3600, RateUnit::W,
                         std::nullopt, supply());
  REQUIRE(c.periods.size() == 2);
  CHECK(c.periods[0].limit == Approx(2000));
  CHECK(c.periods[1].start_s == 3600);
  CHECK(c.periods[1].limit == Approx(6000));
}

TEST_CASE("a relative profile starts with the transaction") {
  ProfileSet set;
  auto p = profile(1, 1, ProfilePurpose::TxDefault, 0, 3000);
  p.kind = ProfileKind::Relative;
  p.schedule.start.reset();
  p.schedule.periods = {SchedulePeriod{0, 3000, std::nullopt},
                        SchedulePeriod{60, 5000, std::nullopt}};
  REQUIRE_FALSE(set.install(p, 1, std::nullopt));
  const TxInfo started = tx("T1", 100);
  CHECK(set.limit_w(1, at(130), started, supply()) == Approx(3000));
  CHECK(set.limit_w(1, at(170), started, supply()) == Approx(5000));
}

TEST_CASE("profiles a station cannot take are refused with the reason") {
  ProfileSet set;
  CHECK(set.install(profile(1, 1, ProfilePurpose::Tx, 0, 16, RateUnit::A), 2, std::nullopt));
  CHECK(set.install(profile(1, 1, ProfilePurpose::StationMax, 0, 16), 2, std::nullopt));
  CHECK(set.install(profile(1, 3, ProfilePurpose::TxDefault, 0, 16), 2, std::nullopt));
  CHECK(set.install(profile(1, 1, ProfilePurpose::TxDefault, 11, 16), 2, std::nullopt));
  auto other_tx = profile(1, 1, ProfilePurpose::Tx, 0, 16);
  other_tx.transaction_id = "T2";
  CHECK(set.install(other_tx, 2, tx("T1")));
  auto recurring = profile(1, 1, ProfilePurpose::TxDefault, 0, 16);
  recurring.kind = ProfileKind::Recurring;
  CHECK(set.install(recurring, 2, std::nullopt));
  CHECK(set.profiles().empty());
}

TEST_CASE("the same id or the same slot replaces - clear by id or by criteria") {
  ProfileSet set;
  REQUIRE_FALSE(set.install(profile(1, 1, ProfilePurpose::TxDefault, 0, 1000), 2, std::nullopt));
  REQUIRE_FALSE(set.install(profile(2, 1, ProfilePurpose::TxDefault, 0, 2000), 2, std::nullopt));
  REQUIRE(set.profiles().size() == 1);
  CHECK(set.profiles()[0].id == 2);
  REQUIRE_FALSE(set.install(profile(2, 2, ProfilePurpose::TxDefault, 1, 3000), 2, std::nullopt));
  REQUIRE(set.profiles().size() == 1);
  CHECK(set.profiles()[0].connector == 2);
  REQUIRE_FALSE(set.install(profile(3, 0, ProfilePurpose::StationMax, 0, 5000), 2, std::nullopt));

  ProfileFilter none;
  none.id = 99;
  CHECK(set.clear(none) == 0);
  ProfileFilter by_purpose;
  by_purpose.purpose = ProfilePurpose::StationMax;
  CHECK(set.clear(by_purpose) == 1);
  CHECK(set.clear(ProfileFilter{}) == 1);
  CHECK(set.profiles().empty());
}
