// ChargingProfileStore: profiles per station, replaced as a station replaces them.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::ChargingProfile;
using storage::Session;

namespace {

ChargingProfile profile(std::int64_t id, int connector, const std::string& purpose, int stack,
                        bool accepted = true) {
  ChargingProfile p;
  p.station_id = "CP1";
  p.profile_id = id;
  p.connector_id = connector;
  p.purpose = purpose;
  p.stack_level = stack;
  p.kind = "Absolute";
  p.schedule =
      R"({"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]})";
  p.accepted = accepted;
  p.updated_at = at(100);
  return p;
}

std::vector<std::int64_t> ids(storage::Database& db) {
  auto got = read_sync(db, [](Session& s) { return s.charging_profiles.profiles("CP1"); });
  std::vector<std::int64_t> out;
  for (const auto& p : got) out.push_back(p.profile_id);
  return out;
}

}  // namespace

TEST_CASE("a charging profile is stored with every field and goes with its station") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    auto p = profile(7, 1, "TxProfile", 2);
    p.kind = "Recurring";
    p.recurrency = "Daily";
    p.valid_from = at(10);
    p.valid_to = at(20);
    p.transaction_id = "42";
    p.source = "EMS";
    s.charging_profiles.put(p);
  });
  auto got = read_sync(*db, [](Session& s) { return s.charging_profiles.profiles("CP1"); });
  REQUIRE(got.size() == 1);
  CHECK(got[0].profile_id == 7);
  CHECK(got[0].connector_id == 1);
  CHECK(got[0].purpose == "TxProfile");
  CHECK(got[0].stack_level == 2);
  CHECK(got[0].kind == "Recurring");
  CHECK(got[0].recurrency == "Daily");
  CHECK(got[0].valid_from == at(10));
  CHECK(got[0].valid_to == at(20));
  CHECK(got[0].transaction_id == std::optional<std::string>("42"));
  CHECK(got[0].schedule.find("chargingSchedulePeriod") != std::string::npos);
  CHECK(got[0].accepted);
  CHECK(got[0].source == "EMS");
  CHECK(got[0].updated_at == at(100));

  write_sync(*db, [](Session& s) { s.stations.remove("CP1"); });
  CHECK(ids(*db).empty());
}

TEST_CASE(
    "a profile replaces the one with its id and the one in its connector/purpose/stack slot") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    s.charging_profiles.put(profile(1, 1, "TxDefaultProfile", 0));
    s.charging_profiles.put(profile(2, 1, "TxDefaultProfile", 1));
    s.charging_profiles.put(profile(3, 2, "TxDefaultProfile", 0));
  });
  CHECK(ids(*db) == std::vector<std::int64_t>{1, 2, 3});
  // Same slot as 1, new id: 1 goes.
  write_sync(*db,
             [](Session& s) { s.charging_profiles.put(profile(4, 1, "TxDefaultProfile", 0)); });
  CHECK(ids(*db) == std::vector<std::int64_t>{4, 2, 3});
  // Same id as 3, another slot: 3 moves.
  write_sync(
      *db, [](Session& s) { s.charging_profiles.put(profile(3, 0, "ChargePointMaxProfile", 0)); });
  CHECK(ids(*db) == std::vector<std::int64_t>{3, 4, 2});
}

TEST_CASE("a rejected profile never displaces an accepted one") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto stored = write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    s.charging_profiles.put(profile(1, 1, "TxDefaultProfile", 0));
    const bool clash = s.charging_profiles.put(profile(2, 1, "TxDefaultProfile", 0, false));
    const bool free = s.charging_profiles.put(profile(3, 2, "TxDefaultProfile", 0, false));
    return std::make_pair(clash, free);
  });
  CHECK_FALSE(stored.first);
  CHECK(stored.second);
  auto got = read_sync(*db, [](Session& s) { return s.charging_profiles.profiles("CP1"); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].profile_id == 1);
  CHECK(got[0].accepted);
  CHECK(got[1].profile_id == 3);
  CHECK_FALSE(got[1].accepted);
}

TEST_CASE("clearing removes a profile by id, or every profile matching the criteria") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    s.charging_profiles.put(profile(1, 0, "ChargePointMaxProfile", 0));
    s.charging_profiles.put(profile(2, 1, "TxDefaultProfile", 0));
    s.charging_profiles.put(profile(3, 1, "TxDefaultProfile", 1));
    s.charging_profiles.put(profile(4, 2, "TxDefaultProfile", 1));
  });
  auto removed = write_sync(*db, [](Session& s) {
    storage::ProfileFilter by_id;
    by_id.profile_id = 2;
    const auto first = s.charging_profiles.remove("CP1", by_id);
    storage::ProfileFilter by_stack;
    by_stack.purpose = "TxDefaultProfile";
    by_stack.stack_level = 1;
    const auto second = s.charging_profiles.remove("CP1", by_stack);
    return std::make_pair(first, second);
  });
  CHECK(removed.first == 1);
  CHECK(removed.second == 2);
  CHECK(ids(*db) == std::vector<std::int64_t>{1});
  write_sync(*db, [](Session& s) { s.charging_profiles.remove("CP1", storage::ProfileFilter{}); });
  CHECK(ids(*db).empty());
}
