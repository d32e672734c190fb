// The writer under faults: a database at its size cap (SQLITE_FULL), a COMMIT
// that fails, a lock held by another connection. The rule in every case: a
// work item's done reports success only for data that is committed, and the
// writer goes on once the condition clears.

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;

namespace {

storage::Database& opened(std::unique_ptr<storage::Database>& db, const std::string& path,
                          std::int64_t max_bytes) {
  storage::SqliteOptions options;
  options.path = path;
  options.max_bytes = max_bytes;
  db = storage::open_sqlite(options);
  return *db;
}

storage::LoggedFrame frame(std::int64_t at_s, std::size_t bytes) {
  storage::LoggedFrame f;
  f.station_id = "CP1";
  f.timestamp = at(at_s);
  f.frame = std::string(bytes, 'x');
  return f;
}

/// Appends 16 KiB message-log rows until a write fails; returns that error.
std::exception_ptr fill_until_full(storage::Database& db) {
  for (int i = 0; i < 1000; ++i) {
    Outcome o;
    db.write([i](Session& s) { s.messages.append(frame(i, 16 * 1024)); }, o.callback());
    if (auto error = o.wait()) return error;
  }
  return nullptr;
}

std::int64_t file_size_of_db(const std::string& path) {
  RawConnection raw(path);
  return raw.integer("PRAGMA page_count") * raw.integer("PRAGMA page_size");
}

}  // namespace

TEST_CASE("a database at max_bytes fails the group that needs space and stores what fits after",
          "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  std::unique_ptr<storage::Database> db;
  opened(db, path, 0);
  const auto migrated = file_size_of_db(path);
  db.reset();

  opened(db, path, migrated + 256 * 1024);
  auto error = fill_until_full(*db);
  REQUIRE(error != nullptr);
  CHECK_THAT(message_of(error), Catch::Contains("full"));
  CHECK(file_size_of_db(path) <= migrated + 256 * 1024);

  // In one group: a small row that fits beside a big one that cannot. SQLite
  // ends the whole transaction on SQLITE_FULL (a single-row INSERT has no
  // statement journal to roll back alone), so every item of the group is told
  // it failed, and none of it is stored.
  Outcome small, big;
  {
    WriterBlocker blocker(*db);
    db->write([](Session& s) { s.stations.put(station("FITS")); }, small.callback());
    db->write([](Session& s) { s.messages.append(frame(5000, 512 * 1024)); }, big.callback());
    REQUIRE(blocker.release() == nullptr);
  }
  for (auto* o : {&small, &big}) {
    auto error = o->wait();
    REQUIRE(error != nullptr);
    CHECK_THAT(message_of(error), Catch::Contains("full"));
  }
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.stations.get("FITS").has_value(); }));
  // The next group starts clean: what fits is stored.
  write_sync(*db, [](Session& s) { s.stations.put(station("FITS")); });
  CHECK(read_sync(*db, [](Session& s) { return s.stations.get("FITS").has_value(); }));
  CHECK(read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 1000).size(); }) > 0);
  // Reads go on at the cap.
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 1);
}

TEST_CASE("space freed inside a full database is reused without a restart", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  std::unique_ptr<storage::Database> db;
  opened(db, path, 0);
  const auto migrated = file_size_of_db(path);
  db.reset();
  opened(db, path, migrated + 256 * 1024);
  REQUIRE(fill_until_full(*db) != nullptr);

  // Pruning the message log (as the hourly retention does) frees pages.
  CHECK(write_sync(*db, [](Session& s) { return s.messages.prune(at(100000)); }) > 0);
  CHECK(fill_until_full(*db) != nullptr);  // Writes succeed again, up to the cap.
  CHECK(read_sync(*db, [](Session& s) { return s.messages.recent("CP1", 1000).size(); }) > 0);
}

TEST_CASE("reopening with a larger max_bytes lets a full database grow again", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  std::unique_ptr<storage::Database> db;
  opened(db, path, 0);
  const auto migrated = file_size_of_db(path);
  db.reset();
  opened(db, path, migrated + 128 * 1024);
  REQUIRE(fill_until_full(*db) != nullptr);
  db.reset();

  opened(db, path, migrated + 1024 * 1024);
  write_sync(*db, [](Session& s) { s.messages.append(frame(9000, 256 * 1024)); });
  CHECK(file_size_of_db(path) > migrated + 128 * 1024);
}

TEST_CASE("a max_bytes below the current size opens the database and only stops its growth",
          "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  std::unique_ptr<storage::Database> db;
  opened(db, path, 0);
  write_sync(*db, [](Session& s) { s.stations.put(station("OLD")); });
  const auto before = file_size_of_db(path);
  db.reset();

  opened(db, path, 4096);
  CHECK(read_sync(*db, [](Session& s) { return s.stations.get("OLD").has_value(); }));
  CHECK_THROWS_WITH(write_sync(*db, [](Session& s) { s.messages.append(frame(1, 1024 * 1024)); }),
                    Catch::Contains("full"));
  CHECK(file_size_of_db(path) == before);
}

TEST_CASE("a failed COMMIT fails every item of its group and the next group commits", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  // A deferred foreign key is checked only at COMMIT: a poisoned security event
  // makes the whole group's COMMIT fail (and leaves the transaction open).
  RawConnection other(path);
  other.exec(
      "CREATE TABLE fault_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE fault_child (parent INTEGER REFERENCES fault_parent (id)"
      "  DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER fault_poison AFTER INSERT ON security_events"
      "  WHEN NEW.tech_info = 'poison' BEGIN INSERT INTO fault_child VALUES (42); END;");
  auto event = [](const std::string& tech_info) {
    storage::SecurityEvent ev;
    ev.station_id = "CP1";
    ev.timestamp = at(1);
    ev.type = "Test";
    ev.tech_info = tech_info;
    return ev;
  };

  Outcome before, poisoned, after;
  {
    WriterBlocker blocker(*db);
    db->write([](Session& s) { s.stations.put(station("A")); }, before.callback());
    db->write([event](Session& s) { s.events.append(event("poison")); }, poisoned.callback());
    db->write([](Session& s) { s.stations.put(station("B")); }, after.callback());
    REQUIRE(blocker.release() == nullptr);
  }
  for (auto* o : {&before, &poisoned, &after}) {
    auto error = o->wait();
    REQUIRE(error != nullptr);
    CHECK_THAT(message_of(error), Catch::Contains("commit failed"));
  }
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 0);
  CHECK(other.integer("SELECT COUNT(*) FROM security_events") == 0);
  CHECK(db->stats().failed_writes == 3);

  // The failed transaction is gone: the next group starts clean and commits.
  write_sync(*db, [event](Session& s) {
    s.stations.put(station("C"));
    s.events.append(event("fine"));
  });
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 1);
  CHECK(other.integer("SELECT COUNT(*) FROM security_events") == 1);
}

TEST_CASE("a lock released within the busy timeout only delays the writes", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  storage::SqliteOptions options;
  options.path = path;
  options.busy_timeout = std::chrono::milliseconds(10000);
  auto db = storage::open_sqlite(options);
  RawConnection other(path);
  other.exec("BEGIN IMMEDIATE");
  Outcome waited;
  db->write([](Session& s) { s.stations.put(station("LATE")); }, waited.callback());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  other.exec("COMMIT");
  CHECK(waited.wait() == nullptr);
  CHECK(other.integer("SELECT COUNT(*) FROM stations WHERE id = 'LATE'") == 1);
}
