// bench_storage: bytes per stored meter sample and per message-log frame on
// SQLite (and PostgreSQL with --pg-url), the indexes' share, the same after
// 15-minute rollups, and the disk budget of a week of 10,000 stations sampling
// every 60 s (make bench-storage, bench/results/storage.md).

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "postgres/statement.hpp"
#include "storage/database.hpp"
#include "storage/stores.hpp"

namespace {

using storage::DateTime;
using storage::MeterSample;

struct Measurand {
  const char* name;
  const char* phase;
  const char* unit;
};

// The usual 1.6 MeterValues (energy, power, current and voltage per phase) and
// 2.0.1 TransactionEvent (energy, power, current per phase, SoC).
const std::vector<Measurand> kV16 = {{"Energy.Active.Import.Register", "", "Wh"},
                                     {"Power.Active.Import", "", "W"},
                                     {"Current.Import", "L1", "A"},
                                     {"Current.Import", "L2", "A"},
                                     {"Current.Import", "L3", "A"},
                                     {"Voltage", "L1-N", "V"},
                                     {"Voltage", "L2-N", "V"},
                                     {"Voltage", "L3-N", "V"}};
const std::vector<Measurand> kV201 = {{"Energy.Active.Import.Register", "", "Wh"},
                                      {"Power.Active.Import", "", "W"},
                                      {"Current.Import", "L1", "A"},
                                      {"Current.Import", "L2", "A"},
                                      {"Current.Import", "L3", "A"},
                                      {"SoC", "", "Percent"}};

// A MeterValues as a 1.6 station sends it and the answer, for the message log.
std::string meter_values_frame(int n, const std::vector<Measurand>& ms) {
  std::string f =
      "[2,\"" + std::to_string(100000 + n) +
      "\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":" + std::to_string(1000 + n % 100) +
      ",\"meterValue\":[{\"timestamp\":\"2026-12-05T04:00:00Z\",\"sampledValue\":[";
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (i) f += ",";
    f += std::string("{\"value\":\"") + std::to_string(1000 + n) +
         ".5\",\"context\":\"Sample.Periodic\",\"measurand\":\"" + ms[i].name + "\"";
    if (*ms[i].phase) f += std::string(",\"phase\":\"") + ms[i].phase + "\"";
    f += std::string(",\"location\":\"Outlet\",\"unit\":\"") + ms[i].unit + "\"}";
  }
  return f + "]}]}]";
}

// `messages` MeterValues from `stations` stations, one a minute each.
std::vector<MeterSample> samples(int messages, int stations, const std::vector<Measurand>& ms) {
  std::vector<MeterSample> out;
  const std::int64_t start = 1'764'900'000'000'000;  // a quarter-hour boundary
  for (int n = 0; n < messages; ++n) {
    const int station = n % stations;
    const int minute = n / stations;
    for (const auto& m : ms) {
      MeterSample s;
      s.station_id = "STATION-" + std::to_string(100000 + station);
      s.connector_id = 1;
      s.evse_id = 1;
      s.transaction_id = 1000 + station;
      s.timestamp = DateTime::from_unix_micros(start + std::int64_t{minute} * 60'000'000);
      s.measurand = m.name;
      s.phase = m.phase;
      s.unit = m.unit;
      s.value = std::to_string(1000 + minute * 7 + station % 13) + ".5";
      out.push_back(std::move(s));
    }
  }
  return out;
}

/// Bytes by table and index, as the backend counts them.
using Sizes = std::map<std::string, double>;

Sizes sqlite_sizes(const std::string& path) {
  sqlite3* db = nullptr;
  Sizes out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  // dbstat: every page of every table and index, leaf and interior.
  if (sqlite3_prepare_v2(db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name", -1, &st,
                         nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW)
      out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_double(st, 1);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

Sizes pg_sizes(const std::string& url) {
  storage::pg::PgConnection c(url);
  storage::pg::Statement st(c,
                            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname "
                            "LIKE 'meter_%' OR relname LIKE 'message_log%'");
  Sizes out;
  while (st.step()) out[st.text(0)] = static_cast<double>(st.int64(1));
  return out;
}

double sum_prefix(const Sizes& s, const std::string& table, bool indexes_only) {
  double total = 0;
  for (const auto& [name, bytes] : s) {
    if (name.rfind(table, 0) != 0) continue;
    const bool is_table = name == table || name == table + "_pkey";
    if (name == table + "_pkey" && !indexes_only) continue;
    if (indexes_only && name == table) continue;
    if (!indexes_only && !is_table) continue;
    total += bytes;
  }
  return total;
}

struct Figures {
  double sample_bytes = 0, sample_index_share = 0;
  double frame_bytes = 0, frame_index_share = 0;
  double rollup_bytes = 0;  ///< Per rollup row, indexes included.
  double samples_per_rollup = 0;
};

Figures measure(storage::Database& db, const std::function<Sizes()>& sizes,
                const std::vector<Measurand>& ms, int messages) {
  const int stations = 100;
  auto all = samples(messages, stations, ms);
  const Sizes before = sizes();
  for (std::size_t first = 0; first < all.size(); first += 5000) {
    std::vector<MeterSample> part(all.begin() + first,
                                  all.begin() + std::min(all.size(), first + 5000));
    storage::write_and_wait(db, [&part](storage::Session& s) { s.meters.insert(part); });
  }
  std::vector<storage::LoggedFrame> frames;
  for (int n = 0; n < messages; ++n) {
    const auto at = DateTime::from_unix_micros(1'764'900'000'000'000 + n);
    frames.push_back({0, "STATION-100000", at, storage::Direction::In, meter_values_frame(n, ms)});
    frames.push_back({0, "STATION-100000", at, storage::Direction::Out,
                      "[3,\"" + std::to_string(100000 + n) + "\",{}]"});
  }
  storage::write_and_wait(db, [&frames](storage::Session& s) { s.messages.append_all(frames); });
  db.flush();
  const Sizes raw = sizes();
  Figures f;
  auto grown = [&](const Sizes& a, const Sizes& b, const std::string& t, bool idx) {
    return sum_prefix(b, t, idx) - sum_prefix(a, t, idx);
  };
  const double table = grown(before, raw, "meter_samples", false);
  const double index = grown(before, raw, "meter_samples", true);
  f.sample_bytes = (table + index) / static_cast<double>(all.size());
  f.sample_index_share = index / (table + index);
  const double ltable = grown(before, raw, "message_log", false);
  const double lindex = grown(before, raw, "message_log", true);
  f.frame_bytes = (ltable + lindex) / static_cast<double>(frames.size());
  f.frame_index_share = lindex / (ltable + lindex);
  std::size_t rollups = 0;
  for (;;) {
    storage::RollupRun run;
    storage::write_and_wait(db, [&run](storage::Session& s) {
      run = s.retention.roll_up_meter_samples(DateTime::from_unix_micros(2'000'000'000'000'000),
                                              20000);
    });
    rollups += run.rollups;
    if (run.samples == 0) break;
  }
  db.flush();
  const Sizes rolled = sizes();
  f.rollup_bytes = (grown(before, rolled, "meter_rollups", false) +
                    grown(before, rolled, "meter_rollups", true)) /
                   static_cast<double>(rollups);
  f.samples_per_rollup = static_cast<double>(all.size()) / static_cast<double>(rollups);
  return f;
}

std::string fmt(double v, int digits = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string gib(double bytes) {
  return fmt(bytes / (1024.0 * 1024 * 1024), 1) + " GiB";
}

void report(std::ostream& out, const std::string& backend, const std::string& fleet,
            const Figures& f, std::size_t per_message) {
  // 10,000 stations, one MeterValues (and its answer) a minute, for 7 days.
  const double messages = 10000.0 * 60 * 24 * 7;
  const double raw_week = messages * per_message * f.sample_bytes;
  const double log_week = messages * 2 * f.frame_bytes;
  const double rollup_week = messages * per_message / f.samples_per_rollup * f.rollup_bytes;
  out << "| " << backend << " | " << fleet << " | " << fmt(f.sample_bytes) << " ("
      << fmt(100 * f.sample_index_share) << " %) | " << fmt(f.frame_bytes) << " ("
      << fmt(100 * f.frame_index_share) << " %) | " << fmt(f.rollup_bytes) << " / "
      << fmt(f.samples_per_rollup, 1) << " | " << gib(raw_week) << " | " << gib(log_week) << " | "
      << gib(rollup_week) << " | " << gib(raw_week + 30.0 / 7 * log_week) << " + "
      << gib(rollup_week) << "/week |\n";
}

}  // namespace

int main(int argc, char** argv) {
  int messages = 20000;
  std::string out_path;
  std::string pg_url;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--messages")
      messages = std::stoi(argv[i + 1]);
    else if (a == "--out")
      out_path = argv[i + 1];
    else if (a == "--pg-url")
      pg_url = argv[i + 1];
    else {
      std::cerr << "usage: bench_storage [--messages N] [--out FILE] [--pg-url URL]\n";
      return 2;
    }
  }
  std::ostringstream out;
  out << "| backend | fleet | bytes/sample (indexes) | bytes/frame (indexes) | bytes/rollup / "
         "samples per rollup | raw samples, 1 week | message log, 1 week | rollups, 1 week | "
         "steady state at defaults |\n|---|---|---|---|---|---|---|---|---|\n";
  const auto dir = std::filesystem::temp_directory_path() / "bench_storage";
  for (const auto& [fleet, ms] :
       {std::pair{std::string("1.6"), kV16}, std::pair{std::string("2.0.1"), kV201}}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "csms.db").string();
    Figures f;
    {
      storage::SqliteOptions o;
      o.path = path;
      auto db = storage::open_sqlite(o);
      f = measure(
          *db, [&path] { return sqlite_sizes(path); }, ms, messages);
    }
    report(out, "SQLite", fleet, f, ms.size());
    if (!pg_url.empty()) {
      storage::PostgresOptions o;
      o.url = pg_url;
      auto db = storage::open_postgres(o);
      // A clean slate for each fleet: the figures are differences anyway.
      f = measure(
          *db, [&pg_url] { return pg_sizes(pg_url); }, ms, messages);
      report(out, "PostgreSQL", fleet, f, ms.size());
      storage::pg::PgConnection c(pg_url);
      storage::pg::Statement(c, "TRUNCATE meter_samples, meter_rollups, message_log").run();
    }
  }
  std::filesystem::remove_all(dir);
  std::cout << out.str();
  if (!out_path.empty()) {
    std::ofstream file(out_path);
    file << out.str();
  }
  return 0;
}
