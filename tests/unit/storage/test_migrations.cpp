#include <catch2/catch.hpp>
#include <filesystem>

#include "unit/storage/support.hpp"

using namespace storage_test;

TEST_CASE("a new database gets every table and records the applied migration") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  REQUIRE(storage::sqlite_schema_version(path) == 0);
  { auto db = open(path); }
  RawConnection raw(path);
  for (const char* table :
       {"stations", "connectors", "id_tokens", "transactions", "orphan_stops", "meter_samples",
        "message_log", "security_events", "schema_migrations"}) {
    INFO(table);
    CHECK(raw.integer(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name = '") +
                      table + "'") == 1);
  }
  CHECK(raw.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                    "name = 'meter_samples_dedup'") == 1);
  CHECK(storage::sqlite_schema_version(path) >= 1);
  CHECK(raw.integer("SELECT MAX(version) FROM schema_migrations") ==
        storage::sqlite_schema_version(path));
  CHECK(raw.text("SELECT name FROM schema_migrations WHERE version = 1") == "0001_initial.sql");
  CHECK(raw.integer("SELECT applied_at FROM schema_migrations WHERE version = 1") > 0);
}

TEST_CASE("the database is in WAL mode") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  RawConnection raw(path);
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
}

TEST_CASE("reopening keeps the data and applies no migration twice") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  {
    auto db = open(path);
    write_sync(*db, [](storage::Session& s) { s.stations.put(station("CP1")); });
  }
  const int version = storage::sqlite_schema_version(path);
  {
    auto db = open(path);
    auto got = read_sync(*db, [](storage::Session& s) { return s.stations.get("CP1"); });
    REQUIRE(got.has_value());
    CHECK(got->vendor == "Vendor");
  }
  CHECK(storage::sqlite_schema_version(path) == version);
  RawConnection raw(path);
  CHECK(raw.integer("SELECT COUNT(*) FROM schema_migrations") == version);
}

TEST_CASE("a database with a newer schema than the build knows is refused") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  { auto db = open(path); }
  {
    RawConnection raw(path);
    raw.exec(
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES (9999, '9999_future.sql', 0)");
  }
  REQUIRE(storage::sqlite_schema_version(path) == 9999);
  try {
    auto db = open(path);
    FAIL("open_sqlite accepted a newer schema");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("9999"));
    CHECK_THAT(what, Catch::Contains("newer"));
  }
  // Refusing must not have touched it.
  CHECK(storage::sqlite_schema_version(path) == 9999);
}

TEST_CASE("asking the schema version of a missing file creates nothing") {
  TempDir dir;
  const auto path = dir.file("absent.db");
  CHECK(storage::sqlite_schema_version(path) == 0);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a file that is not a database is refused with an error naming it") {
  TempDir dir;
  const auto path = dir.file("junk.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  CHECK_THROWS_WITH(open(path), Catch::Contains(path));
}

TEST_CASE("a missing directory is created when its parent exists") {
  TempDir dir;
  const auto path = dir.file("data/csms.db");
  auto db = open(path);
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("a path under a missing directory tree is refused") {
  TempDir dir;
  const auto path = dir.file("no/such/dir/csms.db");
  CHECK_THROWS_AS(open(path), std::runtime_error);
  CHECK_FALSE(std::filesystem::exists(dir.file("no")));
}
