// LocalListStore: per station, the local authorization list it last accepted.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::LocalListEntry;
using storage::Session;
using storage::TokenStatus;

namespace {

LocalListEntry entry(const std::string& tag, TokenStatus status = TokenStatus::Accepted) {
  LocalListEntry e;
  e.id_tag = tag;
  e.status = status;
  return e;
}

}  // namespace

TEST_CASE("a station without a local list has none recorded") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.stations.put(station("CS-1")); });
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.local_lists.get("CS-1").has_value(); }));
}

TEST_CASE("an accepted list replaces the snapshot with its version and entries") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto blocked = entry("TAG-B", TokenStatus::Blocked);
  blocked.expiry = at(100);
  blocked.parent_id_tag = "GROUP";
  write_sync(*db, [blocked](Session& s) {
    s.stations.put(station("CS-1"));
    s.local_lists.accepted("CS-1", 1, {entry("TAG-A"), blocked, entry("TAG-C")}, at(5));
    s.local_lists.accepted("CS-1", 2, {entry("TAG-A"), blocked}, at(6));
  });
  auto list = read_sync(*db, [](Session& s) { return *s.local_lists.get("CS-1"); });
  CHECK(list.version == 2);
  CHECK_FALSE(list.needs_full);
  CHECK(list.updated_at == std::optional<DateTime>(at(6)));
  REQUIRE(list.entries.size() == 2);
  CHECK(list.entries[0] == entry("TAG-A"));
  CHECK(list.entries[1] == blocked);
}

TEST_CASE("require_full marks the next send full and keeps the accepted snapshot") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS-1"));
    s.local_lists.require_full("CS-1");  // before anything was accepted
  });
  CHECK(read_sync(*db, [](Session& s) { return s.local_lists.get("CS-1")->needs_full; }));
  write_sync(*db, [](Session& s) {
    s.local_lists.accepted("CS-1", 3, {entry("TAG-A")}, at(5));
    s.local_lists.require_full("CS-1");
  });
  auto list = read_sync(*db, [](Session& s) { return *s.local_lists.get("CS-1"); });
  CHECK(list.needs_full);
  CHECK(list.version == 3);
  CHECK(list.entries.size() == 1);
}

TEST_CASE("a reported version is kept beside the accepted one") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS-1"));
    s.local_lists.reported("CS-1", 7, at(9));
  });
  auto list = read_sync(*db, [](Session& s) { return *s.local_lists.get("CS-1"); });
  CHECK(list.reported_version == std::optional<std::int64_t>(7));
  CHECK(list.reported_at == std::optional<DateTime>(at(9)));
  CHECK(list.version == 0);
  CHECK(list.needs_full);
}

TEST_CASE("local lists are per station and go with their station") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS-1"));
    s.stations.put(station("CS-2"));
    s.local_lists.accepted("CS-1", 1, {entry("TAG-A")}, at(5));
    s.local_lists.accepted("CS-2", 4, {entry("TAG-B"), entry("TAG-C")}, at(5));
    s.stations.remove("CS-1");
  });
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.local_lists.get("CS-1").has_value(); }));
  auto other = read_sync(*db, [](Session& s) { return *s.local_lists.get("CS-2"); });
  CHECK(other.version == 4);
  CHECK(other.entries.size() == 2);
  RawConnection raw(dir.file("csms.db"));
  CHECK(raw.integer("SELECT count(*) FROM local_list_entries WHERE station_id = 'CS-1'") == 0);
}
