// Storage growth end to end: a database seeded with samples and frames older
// than the retention, a csms whose retention job runs at start, and what the
// admin API answers for the rolled-up transaction afterwards.

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "storage/database.hpp"
#include "storage/stores.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

// Rows in `table` (a second, read-only connection beside the running csms).
std::int64_t count_rows(const std::string& db_path, const std::string& table) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT COUNT(*) FROM " + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace

TEST_CASE("old meter samples are rolled up and old frames trimmed while the API still answers",
          "[e2e]") {
  TempDir dir;
  const std::string db_path = (std::filesystem::path(dir.path()) / "csms.db").string();
  // Ten days ago, on a quarter-hour boundary: 30 one-minute samples, two windows.
  const std::int64_t day = std::int64_t{86400} * 1000000;
  std::int64_t start = storage::DateTime::now().unix_micros() - 10 * day;
  start -= start % storage::kRollupWindowMicros;
  std::int64_t tx_id = 0;
  {
    storage::SqliteOptions options;
    options.path = db_path;
    auto db = storage::open_sqlite(options);
    storage::write_and_wait(*db, [&](storage::Session& s) {
      storage::Transaction tx;
      tx.station_id = "CP1";
      tx.connector_id = 1;
      tx.id_tag = "TAG1";
      tx.start_time = storage::DateTime::from_unix_micros(start);
      tx.meter_start = 1000;
      // Ended: an open transaction's samples stay raw until it ends.
      tx.stop_time = storage::DateTime::from_unix_micros(start + 30 * std::int64_t{60000000});
      tx.meter_stop = 1290;
      tx_id = s.transactions.insert(tx);
      std::vector<storage::MeterSample> samples;
      for (int k = 0; k < 30; ++k) {
        storage::MeterSample m;
        m.station_id = "CP1";
        m.connector_id = 1;
        m.transaction_id = tx_id;
        m.timestamp = storage::DateTime::from_unix_micros(start + k * std::int64_t{60000000});
        m.value = std::to_string(1000 + 10 * k);
        samples.push_back(m);
      }
      s.meters.insert(samples);
      for (int k = 0; k < 5; ++k)
        s.messages.append({0, "CP1", storage::DateTime::from_unix_micros(start + k),
                           storage::Direction::In, "[2,\"old\",\"Heartbeat\",{}]"});
    });
  }
  Csms csms(dir, {"--meter-raw-days", "1", "--message-log-days", "2", "--retention-batch", "20",
                  "--retention-interval", "1"});
  REQUIRE(csms.db_path() == db_path);
  // Batches of 20: the first run takes the first window, the next the second.
  CHECK(eventually([&] { return count_rows(db_path, "meter_samples") == 0; }));
  CHECK(count_rows(db_path, "meter_rollups") == 2);
  CHECK(eventually([&] { return count_rows(db_path, "message_log") == 0; }));

  auto tx = csms.ctl_json({"tx", "show", std::to_string(tx_id)});
  REQUIRE(tx.HasMember("samples"));
  const auto& samples = tx["samples"];
  // Each window reads back as its first and last sample.
  REQUIRE(samples.Size() == 4);
  CHECK(std::string(samples[0]["value"].GetString()) == "1000");
  CHECK(std::string(samples[1]["value"].GetString()) == "1140");
  CHECK(std::string(samples[2]["value"].GetString()) == "1150");
  CHECK(std::string(samples[3]["value"].GetString()) == "1290");
}
