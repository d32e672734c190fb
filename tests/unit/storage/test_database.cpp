// The Database front: group commit, per-item savepoints, callbacks after the
// commit, lock failures and recovery, flush, shutdown, stats. No test depends
// on how fast anything runs: where grouping matters, a blocking work item holds
// the writer while the rest is queued.

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;

namespace {

/// flush() with a bound: a flush that never returns ends the test run loudly
/// instead of hanging it.
void flush_within(storage::Database& db) {
  auto finished = std::make_shared<std::promise<void>>();
  auto future = finished->get_future();
  std::thread t([&db, finished] {
    db.flush();
    finished->set_value();
  });
  if (future.wait_for(kTimeout) != std::future_status::ready) {
    std::fprintf(stderr, "flush() did not return within %lld s\n",
                 static_cast<long long>(kTimeout.count()));
    std::abort();
  }
  t.join();
}

storage::Done count_into(const std::shared_ptr<std::atomic<int>>& ok,
                         const std::shared_ptr<std::atomic<int>>& failed) {
  return [ok, failed](std::exception_ptr e) { ++*(e ? failed : ok); };
}

}  // namespace

TEST_CASE("writes queued while the writer is busy commit in fewer transactions than items") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  constexpr int kWrites = 100;
  std::vector<Outcome> outcomes(kWrites);
  {
    WriterBlocker blocker(*db);
    for (int i = 0; i < kWrites; ++i) {
      auto id = "CP" + std::to_string(i);
      db->write([id](Session& s) { s.stations.put(station(id)); }, outcomes[i].callback());
    }
    REQUIRE(blocker.release() == nullptr);
  }
  for (auto& o : outcomes) CHECK(o.wait() == nullptr);
  auto stats = db->stats();
  CHECK(stats.writes == kWrites + 1);
  CHECK(stats.commits < stats.writes);
  CHECK(stats.commits == 2);  // The blocker's group, then all the rest together.
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == kWrites);
}

TEST_CASE("a group holds at most max_group items", "[sqlite]") {
  TempDir dir;
  storage::SqliteOptions options;
  options.path = dir.file("csms.db");
  options.max_group = 10;
  options.group_window = std::chrono::hours(1);  // Groups close only by filling up.
  auto db = storage::open_sqlite(options);
  std::vector<Outcome> outcomes(100);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    auto id = "CP" + std::to_string(i);
    db->write([id](Session& s) { s.stations.put(station(id)); }, outcomes[i].callback());
  }
  for (auto& o : outcomes) CHECK(o.wait() == nullptr);
  CHECK(db->stats().commits == 10);
  CHECK(db->stats().writes == 100);
}

TEST_CASE("a work item that throws is rolled back alone and the rest of its group commits") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Outcome a, b, c;
  {
    WriterBlocker blocker(*db);
    db->write([](Session& s) { s.stations.put(station("A")); }, a.callback());
    db->write(
        [](Session& s) {
          s.stations.put(station("B"));  // Must not survive the throw below.
          throw std::runtime_error("boom");
        },
        b.callback());
    db->write([](Session& s) { s.stations.put(station("C")); }, c.callback());
    REQUIRE(blocker.release() == nullptr);
  }
  CHECK(a.wait() == nullptr);
  auto error = b.wait();
  REQUIRE(error != nullptr);
  CHECK(message_of(error) == "boom");
  CHECK(c.wait() == nullptr);
  auto ids = read_sync(*db, [](Session& s) {
    std::string out;
    for (const auto& st : s.stations.list()) out += st.id;
    return out;
  });
  CHECK(ids == "AC");
  auto stats = db->stats();
  CHECK(stats.commits == 2);  // A, B and C shared one transaction.
  CHECK(stats.writes == 3);   // The blocker, A and C.
  CHECK(stats.failed_writes == 1);
}

TEST_CASE("a failing statement fails its work item, which can also catch it and go on") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  storage::Connector orphan;
  orphan.station_id = "ghost";
  orphan.updated_at = at(0);
  // Caught inside the item: the failed statement alone is undone.
  write_sync(*db, [orphan](Session& s) {
    s.stations.put(station("A"));
    try {
      s.stations.put_connector(orphan);
    } catch (const std::runtime_error&) {
    }
    s.stations.put(station("B"));
  });
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 2);
}

TEST_CASE("done runs only after the commit, when another connection already sees the data") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  auto seen = std::make_shared<std::promise<std::int64_t>>();
  auto seen_future = seen->get_future();
  db->write([](Session& s) { s.stations.put(station("CP1")); },
            [path, seen](std::exception_ptr error) {
              if (error) {
                seen->set_value(-1);
                return;
              }
              try {
                RawConnection other(path);
                seen->set_value(other.integer("SELECT COUNT(*) FROM stations WHERE id = 'CP1'"));
              } catch (...) {
                seen->set_value(-2);
              }
            });
  REQUIRE(seen_future.wait_for(kTimeout) == std::future_status::ready);
  CHECK(seen_future.get() == 1);
}

TEST_CASE("a database locked by another connection fails writes, and writes recover after",
          "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  storage::SqliteOptions options;
  options.path = path;
  options.busy_timeout = std::chrono::milliseconds(50);
  auto db = storage::open_sqlite(options);
  write_sync(*db, [](Session& s) { s.stations.put(station("before")); });

  RawConnection other(path);
  other.exec("BEGIN EXCLUSIVE");
  std::vector<Outcome> outcomes(3);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    auto id = "locked" + std::to_string(i);
    db->write([id](Session& s) { s.stations.put(station(id)); }, outcomes[i].callback());
  }
  for (auto& o : outcomes) {
    auto error = o.wait();
    REQUIRE(error != nullptr);
    CHECK_THAT(message_of(error), Catch::Contains("locked"));
  }
  CHECK(db->stats().failed_writes == 3);
  // WAL: reads go on beside the lock.
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 1);

  other.exec("COMMIT");
  write_sync(*db, [](Session& s) { s.stations.put(station("after")); });
  auto ids = read_sync(*db, [](Session& s) {
    std::string out;
    for (const auto& st : s.stations.list()) out += st.id + ",";
    return out;
  });
  CHECK(ids == "after,before,");
}

TEST_CASE("reads see committed writes") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.stations.get("CP1"); }).has_value());
  write_sync(*db, [](Session& s) { s.stations.put(station("CP1")); });
  CHECK(read_sync(*db, [](Session& s) { return s.stations.get("CP1"); }).has_value());
}

TEST_CASE("work given to read() cannot write") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  CHECK_THROWS_WITH(read_sync(*db, [](Session& s) { s.stations.put(station("CP1")); }),
                    Catch::Contains("readonly") || Catch::Contains("read-only"));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.stations.get("CP1"); }).has_value());
}

TEST_CASE("a read that throws reports its exception and the reader goes on") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  CHECK_THROWS_WITH(read_sync(*db, [](Session&) { throw std::runtime_error("read failed"); }),
                    "read failed");
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 0);
}

TEST_CASE("flush returns once every queued write and read has run its callback") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ok = std::make_shared<std::atomic<int>>(0);
  auto failed = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < 50; ++i) {
    auto id = "CP" + std::to_string(i);
    db->write([id](Session& s) { s.stations.put(station(id)); }, count_into(ok, failed));
    db->read([](Session& s) { s.stations.list(); }, count_into(ok, failed));
  }
  flush_within(*db);
  CHECK(ok->load() == 100);
  CHECK(failed->load() == 0);
}

TEST_CASE("flush does not wait out the group window", "[sqlite]") {
  TempDir dir;
  storage::SqliteOptions options;
  options.path = dir.file("csms.db");
  options.group_window = std::chrono::hours(1);
  auto db = storage::open_sqlite(options);
  auto ok = std::make_shared<std::atomic<int>>(0);
  auto failed = std::make_shared<std::atomic<int>>(0);
  db->write([](Session& s) { s.stations.put(station("CP1")); }, count_into(ok, failed));
  flush_within(*db);  // Bounded far below the window.
  CHECK(ok->load() == 1);
}

TEST_CASE("flush called from a storage callback is refused rather than deadlocking") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto refused = std::make_shared<std::promise<bool>>();
  auto future = refused->get_future();
  db->write([](Session&) {},
            [&db, refused](std::exception_ptr) {
              try {
                db->flush();
                refused->set_value(false);
              } catch (const std::logic_error&) {
                refused->set_value(true);
              }
            });
  REQUIRE(future.wait_for(kTimeout) == std::future_status::ready);
  CHECK(future.get());
}

TEST_CASE("an empty done is allowed and a throwing done does not stop the writer") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  db->write([](Session& s) { s.stations.put(station("A")); }, nullptr);
  db->write([](Session& s) { s.stations.put(station("B")); },
            [](std::exception_ptr) { throw std::runtime_error("callback bug"); });
  write_sync(*db, [](Session& s) { s.stations.put(station("C")); });
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 3);
}

TEST_CASE("destroying the database first runs everything still queued") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto ok = std::make_shared<std::atomic<int>>(0);
  auto failed = std::make_shared<std::atomic<int>>(0);
  {
    auto db = open(path);
    for (int i = 0; i < 50; ++i) {
      auto id = "CP" + std::to_string(i);
      db->write([id](Session& s) { s.stations.put(station(id)); }, count_into(ok, failed));
    }
    db->read([](Session&) {}, count_into(ok, failed));
  }
  CHECK(ok->load() == 51);
  CHECK(failed->load() == 0);
  auto db = open(path);
  CHECK(read_sync(*db, [](Session& s) { return s.stations.list().size(); }) == 50);
}

TEST_CASE("stats count commits, committed and failed writes, and commit time") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto fresh = db->stats();
  CHECK(fresh.commits == 0);
  CHECK(fresh.writes == 0);
  CHECK(fresh.failed_writes == 0);
  CHECK(fresh.commit_seconds_total == 0);

  write_sync(*db, [](Session& s) { s.stations.put(station("A")); });
  write_sync(*db, [](Session& s) { s.stations.put(station("B")); });
  CHECK_THROWS(write_sync(*db, [](Session&) { throw std::runtime_error("no"); }));
  read_sync(*db, [](Session& s) { s.stations.list(); });  // Reads are not counted.

  auto stats = db->stats();
  CHECK(stats.commits == 3);  // The failed item's (otherwise empty) group commits too.
  CHECK(stats.writes == 2);
  CHECK(stats.failed_writes == 1);
  CHECK(stats.last_commit_seconds > 0);
  CHECK(stats.commit_seconds_total >= stats.last_commit_seconds);
}

TEST_CASE("stats can be read from other threads while writes run") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    while (!stop) (void)db->stats();
  });
  for (int i = 0; i < 20; ++i) {
    auto id = "CP" + std::to_string(i);
    write_sync(*db, [id](Session& s) { s.stations.put(station(id)); });
  }
  stop = true;
  poller.join();
  CHECK(db->stats().writes == 20);
}

TEST_CASE("database files are readable by their owner only, whatever the umask",
          "[sqlite][database][security]") {
  TempDir dir;
  const std::string path = dir.file("private.db");
  const mode_t old_mask = ::umask(022);
  {
    auto db = storage::open_sqlite(storage::SqliteOptions{path});
    storage::write_and_wait(*db, [](Session& s) { s.stations.mark_all_offline(); });
    for (const char* suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      INFO(path + suffix);
      REQUIRE(::stat((path + suffix).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  ::umask(old_mask);
}
