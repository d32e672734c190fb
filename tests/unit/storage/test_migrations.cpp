#include <catch2/catch.hpp>
#include <filesystem>

// White-box: the embedded migrations, to build a database as an older release left it.
#include "sqlite/migrations.hpp"
#include "unit/storage/support.hpp"

using namespace storage_test;

namespace {

void exec_raw(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("raw exec failed: " + msg);
  }
}

}  // namespace

TEST_CASE("a new database gets every table and records the applied migration", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  REQUIRE(storage::sqlite_schema_version(path) == 0);
  { auto db = open(path); }
  RawConnection raw(path);
  for (const char* table :
       {"stations", "connectors", "id_tokens", "transactions", "orphan_stops", "meter_samples",
        "message_log", "security_events", "schema_migrations", "transaction_events",
        "device_variables", "device_report_parts", "station_notifications"}) {
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

TEST_CASE("a database created by migration 0001 alone is migrated and keeps its rows", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  {
    // What a release with only 0001 created: its schema, its bookkeeping, some data.
    const auto* initial = storage::sqlite::migrations_begin();
    REQUIRE(initial->version == 1);
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> closer(raw, sqlite3_close);
    exec_raw(raw,
             "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
             "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    exec_raw(raw, initial->sql);
    exec_raw(raw,
             "INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', 1);"
             "INSERT INTO stations (id, vendor, registration, last_boot, created_at) "
             "  VALUES ('CP1', 'Old', 'Accepted', 5, 1);"
             "INSERT INTO connectors (station_id, evse_id, connector_id, status, updated_at) "
             "  VALUES ('CP1', 0, 1, 'Charging', 2);"
             "INSERT INTO transactions (station_id, evse_id, connector_id, id_tag, start_time, "
             "  meter_start, reservation_id) VALUES ('CP1', 0, 1, 'TAG', 3, 100, 9);"
             "INSERT INTO meter_samples (station_id, evse_id, connector_id, transaction_id, "
             "  timestamp, value, measurand, unit, context, location, format) "
             "  VALUES ('CP1', 0, 1, 1, 4, '150', 'Energy.Active.Import.Register', 'Wh', "
             "  'Sample.Periodic', 'Outlet', 'Raw');");
  }
  REQUIRE(storage::sqlite_schema_version(path) == 1);

  auto db = open(path);
  CHECK(storage::sqlite_schema_version(path) == storage::sqlite::latest_schema_version());
  auto station = read_sync(*db, [](storage::Session& s) { return s.stations.get("CP1"); });
  REQUIRE(station.has_value());
  CHECK(station->vendor == "Old");
  CHECK(station->last_boot == DateTime::from_unix_micros(5));
  CHECK(station->boot_reason.empty());
  auto connectors =
      read_sync(*db, [](storage::Session& s) { return s.stations.connectors("CP1"); });
  REQUIRE(connectors.size() == 1);
  CHECK(connectors[0].status == storage::ConnectorStatus::Charging);
  auto tx = read_sync(*db, [](storage::Session& s) { return s.transactions.get(1); });
  REQUIRE(tx.has_value());
  CHECK(tx->reservation_id == std::optional<std::int64_t>(9));
  CHECK_FALSE(tx->offline);
  CHECK(tx->charging_state.empty());
  CHECK_FALSE(tx->remote_start_id.has_value());
  CHECK(read_sync(*db, [](storage::Session& s) {
          return s.meters.for_transaction(1, "Energy.Active.Import.Register");
        }).size() == 1);

  // The new tables work on the migrated database.
  write_sync(*db, [](storage::Session& s) {
    storage::DeviceVariable v;
    v.station_id = "CP1";
    v.component = "OCPPCommCtrlr";
    v.variable = "HeartbeatInterval";
    v.updated_at = at(0);
    s.device_model.put({v});
    storage::TransactionEvent e;
    e.transaction_id = 1;
    e.timestamp = at(0);
    e.received_at = at(0);
    s.transactions.add_event(e);
  });
  RawConnection raw(path);
  CHECK(raw.integer("SELECT COUNT(*) FROM device_variables") == 1);
  CHECK(raw.integer("SELECT COUNT(*) FROM transaction_events") == 1);
  CHECK(raw.text("SELECT name FROM schema_migrations WHERE version = 2") == "0002_ocpp201.sql");
  CHECK(raw.integer("SELECT applied_at FROM schema_migrations WHERE version = 1") == 1);
}

TEST_CASE("the database is in WAL mode", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  RawConnection raw(path);
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
}

TEST_CASE("reopening keeps the data and applies no migration twice", "[sqlite]") {
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

TEST_CASE("a database with a newer schema than the build knows is refused", "[sqlite]") {
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

TEST_CASE("asking the schema version of a missing file creates nothing", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("absent.db");
  CHECK(storage::sqlite_schema_version(path) == 0);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a file that is not a database is refused with an error naming it", "[sqlite]") {
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

TEST_CASE("a missing directory is created when its parent exists", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("data/csms.db");
  auto db = open(path);
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("a path under a missing directory tree is refused", "[sqlite]") {
  TempDir dir;
  const auto path = dir.file("no/such/dir/csms.db");
  CHECK_THROWS_AS(open(path), std::runtime_error);
  CHECK_FALSE(std::filesystem::exists(dir.file("no")));
}
