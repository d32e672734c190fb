#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Direction;
using storage::LoggedFrame;
using storage::SecurityEvent;
using storage::Session;

TEST_CASE("logged frames come back newest first, per station, up to the limit") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.messages.append(LoggedFrame{0, "CP1", at(1), Direction::In, R"([2,"1","Heartbeat",{}])"});
    s.messages.append(LoggedFrame{0, "CP2", at(2), Direction::In, "[2]"});
    s.messages.append(LoggedFrame{0, "CP1", at(3), Direction::Out, R"([3,"1",{}])"});
    s.messages.append(LoggedFrame{0, "CP1", at(4), Direction::In, "[4]"});
  });
  auto got = read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 2); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].frame == "[4]");
  CHECK(got[1].frame == R"([3,"1",{}])");
  CHECK(got[1].direction == Direction::Out);
  CHECK(got[1].timestamp == at(3));
  CHECK(got[1].station_id == "CP1");
  CHECK(got[0].id > got[1].id);
  CHECK(read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 100); }).size() == 3);
  CHECK(read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 0); }).empty());
}

TEST_CASE("pruning the message log deletes only frames older than the cut-off") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    for (int i = 1; i <= 5; ++i)
      s.messages.append(LoggedFrame{0, "CP1", at(i), Direction::In, "f"});
  });
  CHECK(write_sync(*db, [](Session& s) { return s.messages.prune(at(3)); }) == 2);
  auto left = read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 10); });
  REQUIRE(left.size() == 3);
  CHECK(left.back().timestamp == at(3));
  CHECK(write_sync(*db, [](Session& s) { return s.messages.prune(at(0)); }) == 0);
}

TEST_CASE("security events get ids and come back newest first, per station or for all") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    SecurityEvent e;
    e.station_id = "CP1";
    e.timestamp = at(1);
    e.type = "InvalidCredentials";
    e.tech_info = "bad password";
    e.remote_address = "10.0.0.1:5000";
    e.critical = true;
    auto first = s.events.append(e);
    e.station_id = "";
    e.type = "UnknownStation";
    e.critical = false;
    auto second = s.events.append(e);
    e.station_id = "CP2";
    e.type = "ConnectionReplaced";
    auto third = s.events.append(e);
    return std::vector<std::int64_t>{first, second, third};
  });
  CHECK(ids[0] < ids[1]);
  CHECK(ids[1] < ids[2]);
  auto cp1 = read_sync(*db, [](Session& s) { return s.events.recent("CP1", 10); });
  REQUIRE(cp1.size() == 1);
  CHECK(cp1[0].id == ids[0]);
  CHECK(cp1[0].timestamp == at(1));
  CHECK(cp1[0].type == "InvalidCredentials");
  CHECK(cp1[0].tech_info == "bad password");
  CHECK(cp1[0].remote_address == "10.0.0.1:5000");
  CHECK(cp1[0].critical);
  auto all = read_sync(*db, [](Session& s) { return s.events.recent("", 2); });
  REQUIRE(all.size() == 2);
  CHECK(all[0].type == "ConnectionReplaced");
  CHECK(all[1].type == "UnknownStation");
  CHECK(all[1].station_id.empty());
}
