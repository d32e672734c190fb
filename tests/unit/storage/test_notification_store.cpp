// NotificationStore: station notifications kept as they came.
#include <catch2/catch.hpp>
#include <limits>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;
using storage::StationNotification;

namespace {

StationNotification note(const std::string& station_id, const std::string& action,
                         std::int64_t received_s) {
  StationNotification n;
  n.station_id = station_id;
  n.action = action;
  n.received_at = at(received_s);
  n.payload = "{\"n\":" + std::to_string(received_s) + "}";
  return n;
}

/// The received_at seconds of what recent() returns, in its order.
std::vector<std::int64_t> recent_times(storage::Database& db, const std::string& station_id,
                                       const std::string& action, std::size_t limit) {
  auto got = read_sync(db, [station_id, action, limit](Session& s) {
    return s.notifications.recent(station_id, action, limit);
  });
  std::vector<std::int64_t> out;
  for (const auto& n : got)
    out.push_back((n.received_at.unix_micros() - at(0).unix_micros()) / 1'000'000);
  return out;
}

}  // namespace

TEST_CASE("a notification is stored with every field under a new, increasing id") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    auto first = s.notifications.append(note("CS1", "LogStatusNotification", 1));
    auto second = s.notifications.append(note("CS1", "LogStatusNotification", 2));
    return std::make_pair(first, second);
  });
  CHECK(ids.first > 0);
  CHECK(ids.second > ids.first);
  auto got = read_sync(*db, [](Session& s) { return s.notifications.recent("CS1", "", 10); });
  REQUIRE(got.size() == 2);
  CHECK(got[1].id == ids.first);
  CHECK(got[1].station_id == "CS1");
  CHECK(got[1].action == "LogStatusNotification");
  CHECK(got[1].received_at == at(1));
  CHECK(got[1].payload == R"({"n":1})");
}

TEST_CASE("notifications need no registered station") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.notifications.append(note("unknown", "NotifyEvent", 1)); });
  CHECK(recent_times(*db, "unknown", "", 10) == std::vector<std::int64_t>{1});
}

TEST_CASE("notifications are listed in arrival order, newest first, whatever their timestamps") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.notifications.append(note("CS1", "NotifyEvent", 5));
    s.notifications.append(note("CS1", "NotifyEvent", 3));  // e.g. the clock was set back
    s.notifications.append(note("CS1", "NotifyEvent", 4));
  });
  CHECK(recent_times(*db, "", "", 10) == std::vector<std::int64_t>{4, 3, 5});
}

TEST_CASE("the limit keeps the newest notifications under every combination of filters") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.notifications.append(note("CS1", "FirmwareStatusNotification", 1));
    s.notifications.append(note("CS2", "FirmwareStatusNotification", 2));
    s.notifications.append(note("CS1", "NotifyEvent", 3));
    s.notifications.append(note("CS1", "FirmwareStatusNotification", 4));
    s.notifications.append(note("CS2", "NotifyEvent", 5));
    s.notifications.append(note("CS1", "FirmwareStatusNotification", 6));
  });
  const std::string fw = "FirmwareStatusNotification";
  CHECK(recent_times(*db, "", "", 2) == std::vector<std::int64_t>{6, 5});
  CHECK(recent_times(*db, "CS1", "", 2) == std::vector<std::int64_t>{6, 4});
  CHECK(recent_times(*db, "", fw, 3) == std::vector<std::int64_t>{6, 4, 2});
  CHECK(recent_times(*db, "CS1", fw, 10) == std::vector<std::int64_t>{6, 4, 1});
  CHECK(recent_times(*db, "CS2", "NotifyEvent", 10) == std::vector<std::int64_t>{5});
  CHECK(recent_times(*db, "CS2", "LogStatusNotification", 10).empty());
  CHECK(recent_times(*db, "CS3", "", 10).empty());
  CHECK(recent_times(*db, "", "", 0).empty());
  // A limit beyond SQLite's signed 64-bit LIMIT means no limit.
  CHECK(recent_times(*db, "", "", std::numeric_limits<std::size_t>::max()).size() == 6);
}
