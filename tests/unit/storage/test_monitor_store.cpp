// MonitorStore: a 2.0.1 station's variable monitors, their last events, and
// removal by id and by source; they go with the station.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;
using storage::VariableMonitor;

namespace {

VariableMonitor monitor(std::int64_t id, const std::string& source = "SetVariableMonitoring") {
  VariableMonitor m;
  m.station_id = "CS1";
  m.monitor_id = id;
  m.component = "EVSE";
  m.evse_id = 1;
  m.variable = "Power";
  m.type = "UpperThreshold";
  m.value = 7000.5;
  m.severity = 4;
  m.source = source;
  m.updated_at = at(100);
  return m;
}

std::vector<std::int64_t> ids(storage::Database& db) {
  auto got = read_sync(db, [](Session& s) { return s.monitors.list("CS1"); });
  std::vector<std::int64_t> out;
  for (const auto& m : got) out.push_back(m.monitor_id);
  return out;
}

}  // namespace

TEST_CASE("a monitor is stored with every field and goes with its station") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    auto m = monitor(3, "NotifyMonitoringReport");
    m.component_instance = "Main";
    m.connector_id = 2;
    m.variable_instance = "Total";
    m.transaction = true;
    m.request_id = 77;
    s.monitors.put({m});
  });
  auto got = read_sync(*db, [](Session& s) { return s.monitors.list("CS1"); });
  REQUIRE(got.size() == 1);
  const auto& m = got[0];
  CHECK(m.monitor_id == 3);
  CHECK(m.component == "EVSE");
  CHECK(m.component_instance == "Main");
  CHECK(m.evse_id == 1);
  CHECK(m.connector_id == 2);
  CHECK(m.variable == "Power");
  CHECK(m.variable_instance == "Total");
  CHECK(m.type == "UpperThreshold");
  CHECK(m.value == Approx(7000.5));
  CHECK(m.severity == 4);
  CHECK(m.transaction);
  CHECK(m.source == "NotifyMonitoringReport");
  CHECK(m.request_id == 77);
  CHECK_FALSE(m.last_event_at);
  CHECK(m.updated_at == at(100));

  write_sync(*db, [](Session& s) { s.stations.remove("CS1"); });
  CHECK(ids(*db).empty());
}

TEST_CASE("an event is recorded on its monitor - an older one arriving late does not hide it") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    s.monitors.put({monitor(3)});
  });
  CHECK(write_sync(*db,
                   [](Session& s) { return s.monitors.event("CS1", 3, at(200), "7100", false); }));
  CHECK(write_sync(*db,
                   [](Session& s) { return s.monitors.event("CS1", 3, at(150), "6900", true); }));
  CHECK_FALSE(
      write_sync(*db, [](Session& s) { return s.monitors.event("CS1", 9, at(200), "1", false); }));
  auto got = read_sync(*db, [](Session& s) { return s.monitors.list("CS1"); });
  REQUIRE(got.size() == 1);
  CHECK(got[0].last_event_at == at(200));
  CHECK(got[0].last_event_value == std::optional<std::string>("7100"));
  CHECK_FALSE(got[0].last_event_cleared);

  // Set again under the same id: the new definition, the last event kept.
  write_sync(*db, [](Session& s) {
    auto m = monitor(3);
    m.value = 5000;
    s.monitors.put({m});
  });
  got = read_sync(*db, [](Session& s) { return s.monitors.list("CS1"); });
  CHECK(got[0].value == Approx(5000));
  CHECK(got[0].last_event_value == std::optional<std::string>("7100"));
}

TEST_CASE("monitors are removed by id and by source") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    s.monitors.put({monitor(1, "NotifyMonitoringReport"), monitor(2), monitor(3), monitor(4)});
  });
  CHECK(write_sync(*db, [](Session& s) { return s.monitors.remove("CS1", {2, 9}); }) == 1);
  CHECK(ids(*db) == std::vector<std::int64_t>{1, 3, 4});
  CHECK(write_sync(*db, [](Session& s) {
          return s.monitors.remove_from("CS1", "SetVariableMonitoring");
        }) == 2);
  CHECK(ids(*db) == std::vector<std::int64_t>{1});
}
