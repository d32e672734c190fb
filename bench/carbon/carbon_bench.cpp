// The cost of carbon records (docs/carbon.md), measured where it is paid: on
// the storage writer thread, after the station has been answered. Sessions of
// each provenance are computed one write work item each (as the server queues
// them, group commit included), and the CPU inside record_transaction alone.
//
//   bench_carbon [--sessions N] [--out FILE.md]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "carbon/records.hpp"
#include "ocpp/ocmf.hpp"
#include "storage/database.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using storage::DateTime;

struct Figures {
  std::string name;
  int sessions = 0;
  double cpu_us = 0;   ///< Mean time inside record_transaction per session.
  double total_s = 0;  ///< Wall time for all sessions through Database::write.
  double per_s = 0;    ///< Sessions recorded per second that way.
};

DateTime at_minutes(int m) {
  return DateTime::from_unix_micros(1796083200000000LL + std::int64_t{m} * 60 * 1000000);
}

// Inserts `n` ended transactions at station CP (with signed begin/end
// readings when `keys` is set); returns their ids.
std::vector<std::int64_t> seed(storage::Database& db, int n, int offset,
                               const ocpp::ocmf::KeyPair* keys) {
  std::vector<std::int64_t> ids;
  storage::write_and_wait(db, [&](storage::Session& s) {
    for (int i = 0; i < n; ++i) {
      storage::Transaction tx;
      tx.station_id = keys ? "SIGNED" : "CP";
      tx.id_tag = "DRIVER" + std::to_string(i % 100);
      tx.start_time = at_minutes(offset + i * 2);
      tx.meter_start = 1000;
      tx.id = s.transactions.insert(tx);
      tx.stop_time = at_minutes(offset + i * 2 + 1);
      tx.meter_stop = 21000;
      tx.energy_wh = 20000;
      s.transactions.update(tx);
      if (keys) {
        std::vector<storage::MeterSample> signed_values;
        int page = 1;
        for (auto [time, type, wh] : {std::make_tuple(tx.start_time, 'B', 1000.0),
                                      std::make_tuple(*tx.stop_time, 'E', 21000.0)}) {
          storage::MeterSample m;
          m.station_id = tx.station_id;
          m.transaction_id = tx.id;
          m.timestamp = time;
          m.format = "SignedData";
          m.value = ocpp::ocmf::sign(ocpp::ocmf::reading_payload("MTR", i * 2 + page++, tx.id_tag,
                                                                 time.to_string(), type, wh),
                                     keys->private_key_pem);
          m.signed_data = m.value;
          signed_values.push_back(m);
        }
        s.meters.insert(signed_values);
      }
      ids.push_back(tx.id);
    }
  });
  return ids;
}

Figures measure(storage::Database& db, const std::string& name,
                const std::vector<std::int64_t>& ids) {
  Figures f;
  f.name = name;
  f.sessions = static_cast<int>(ids.size());
  const csms::carbon::Settings settings;
  auto cpu_ns = std::make_shared<std::int64_t>(0);
  const auto start = Clock::now();
  for (auto id : ids) {
    db.write(
        [id, settings, cpu_ns](storage::Session& s) {
          const auto t0 = Clock::now();
          csms::carbon::record_transaction(s, id, settings, DateTime::now());
          *cpu_ns +=
              std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
        },
        nullptr);
  }
  db.flush();
  f.total_s = std::chrono::duration<double>(Clock::now() - start).count();
  f.cpu_us = static_cast<double>(*cpu_ns) / 1000.0 / f.sessions;
  f.per_s = f.sessions / f.total_s;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int sessions = 2000;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--sessions") sessions = std::atoi(argv[i + 1]);
    if (flag == "--out") out = argv[i + 1];
  }
  if (sessions < 1) {
    std::cerr << "bench_carbon: --sessions must be positive\n";
    return 2;
  }
  char dir_template[] = "/tmp/bench-carbon-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) return 1;
  storage::SqliteOptions options;
  options.path = std::string(dir) + "/csms.db";
  auto db = storage::open_sqlite(options);
  storage::write_and_wait(*db, [](storage::Session& s) {
    storage::Site site;
    site.id = "HUB";
    site.region = "CN-East";
    s.sites.put(site);
    for (const char* station : {"CP", "SIGNED"}) {
      storage::StationCarbonSettings st;
      st.station_id = station;
      st.site_id = "HUB";
      st.current_type = "DC";
      s.sites.put_station(st);
    }
  });
  const auto keys = ocpp::ocmf::generate_key_pair();
  storage::write_and_wait(*db, [&](storage::Session& s) {
    auto st = s.sites.station("SIGNED");
    st.meter_public_key = keys.public_key_hex;
    s.sites.put_station(st);
  });

  std::vector<Figures> results;
  results.push_back(
      measure(*db, "register (energy register delta)", seed(*db, sessions, 0, nullptr)));
  results.push_back(measure(*db, "signed (two OCMF readings verified, ECDSA P-256)",
                            seed(*db, sessions, sessions * 4, &keys)));
  // Recomputing records whose data did not change appends nothing.
  std::vector<std::int64_t> again;
  for (int i = 1; i <= sessions; ++i) again.push_back(i);
  results.push_back(measure(*db, "recomputed, unchanged (no new record)", again));
  db.reset();
  std::system((std::string("rm -rf ") + dir).c_str());

  std::string md =
      "# Carbon record cost\n\n"
      "`bench_carbon --sessions " +
      std::to_string(sessions) +
      "` (bench/carbon/carbon_bench.cpp): ended sessions at a site, each recorded by its own "
      "write work item on the storage writer (group commit), as the server queues them after "
      "answering the station. The network thread only queues the work. CPU is the time inside "
      "`record_transaction` (reads, method, record, ledger entry with its SHA-256 link); "
      "sessions/s is the writer's throughput including commits.\n\n"
      "| sessions | CPU per session | sessions/s through the writer |\n|---|---|---|\n";
  for (const auto& f : results) {
    char line[256];
    std::snprintf(line, sizeof line, "| %s | %.0f µs | %.0f |\n", f.name.c_str(), f.cpu_us,
                  f.per_s);
    md += line;
  }
  std::cout << md;
  if (!out.empty()) std::ofstream(out) << md;
  return 0;
}
