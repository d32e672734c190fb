// DeviceModelStore: a 2.0.1 station's attributes and the progress of its reports.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::DeviceVariable;
using storage::Session;

namespace {

DeviceVariable attribute(const std::string& component, const std::string& variable) {
  DeviceVariable v;
  v.station_id = "CS1";
  v.component = component;
  v.variable = variable;
  v.value = "1";
  v.updated_at = at(1);
  return v;
}

std::unique_ptr<storage::Database> open_with_stations(const TempDir& dir) {
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    s.stations.put(station("CS2"));
  });
  return db;
}

std::vector<DeviceVariable> variables_of(storage::Database& db, const std::string& station_id) {
  return read_sync(db, [station_id](Session& s) { return s.device_model.variables(station_id); });
}

std::vector<storage::DeviceReport> reports_of(storage::Database& db,
                                              const std::string& station_id) {
  return read_sync(db, [station_id](Session& s) { return s.device_model.reports(station_id); });
}

}  // namespace

TEST_CASE("an attribute is stored with every field and read back") {
  TempDir dir;
  auto db = open_with_stations(dir);
  DeviceVariable v = attribute("Connector", "Type");
  v.component_instance = "rear";
  v.evse_id = 2;
  v.connector_id = 1;
  v.variable_instance = "plug";
  v.attribute_type = "Target";
  v.value = "cType2";
  v.mutability = "ReadOnly";
  v.persistent = true;
  v.constant = true;
  v.data_type = "OptionList";
  v.unit = "A";
  v.min_limit = -1.5;
  v.max_limit = 32;
  v.values_list = "cType2,sType3";
  v.supports_monitoring = true;
  v.updated_at = at(7);
  write_sync(*db, [v](Session& s) { s.device_model.put({v}); });
  auto got = variables_of(*db, "CS1");
  REQUIRE(got.size() == 1);
  const auto& g = got[0];
  CHECK(g.station_id == "CS1");
  CHECK(g.component == "Connector");
  CHECK(g.component_instance == "rear");
  CHECK(g.evse_id == 2);
  CHECK(g.connector_id == 1);
  CHECK(g.variable == "Type");
  CHECK(g.variable_instance == "plug");
  CHECK(g.attribute_type == "Target");
  CHECK(g.value == std::optional<std::string>("cType2"));
  CHECK(g.mutability == "ReadOnly");
  CHECK(g.persistent);
  CHECK(g.constant);
  CHECK(g.data_type == "OptionList");
  CHECK(g.unit == "A");
  CHECK(g.min_limit == std::optional<double>(-1.5));
  CHECK(g.max_limit == std::optional<double>(32));
  CHECK(g.values_list == "cType2,sType3");
  CHECK(g.supports_monitoring);
  CHECK(g.updated_at == at(7));
}

TEST_CASE("putting an attribute again replaces everything it holds, absent value and limits too") {
  TempDir dir;
  auto db = open_with_stations(dir);
  DeviceVariable v = attribute("SecurityCtrlr", "BasicAuthPassword");
  v.data_type = "string";
  v.max_limit = 40;
  v.mutability = "ReadWrite";
  write_sync(*db, [v](Session& s) { s.device_model.put({v}); });
  DeviceVariable again = v;
  again.value = std::nullopt;  // WriteOnly: the station does not say it.
  again.max_limit = std::nullopt;
  again.mutability = "WriteOnly";
  again.updated_at = at(2);
  write_sync(*db, [again](Session& s) { s.device_model.put({again}); });
  auto got = variables_of(*db, "CS1");
  REQUIRE(got.size() == 1);
  CHECK_FALSE(got[0].value.has_value());
  CHECK_FALSE(got[0].max_limit.has_value());
  CHECK(got[0].mutability == "WriteOnly");
  CHECK(got[0].data_type == "string");
  CHECK(got[0].updated_at == at(2));
}

TEST_CASE("attributes differing in any key part are kept apart and listed in key order") {
  TempDir dir;
  auto db = open_with_stations(dir);
  // Given out of key order on purpose.
  std::vector<DeviceVariable> batch;
  auto add = [&batch](auto change) {
    DeviceVariable v = attribute("EVSE", "Power");
    change(v);
    batch.push_back(v);
  };
  add([](DeviceVariable& v) { v.attribute_type = "MaxSet"; });
  add([](DeviceVariable& v) { v.variable_instance = "x"; });
  add([](DeviceVariable& v) { v.connector_id = 1; });
  add([](DeviceVariable& v) { v.evse_id = 1; });
  add([](DeviceVariable& v) { v.component_instance = "b"; });
  add([](DeviceVariable& v) { v.component = "AlignedDataCtrlr"; });
  add([](DeviceVariable& v) { v.variable = "AvailabilityState"; });
  add([](DeviceVariable&) {});
  add([](DeviceVariable& v) { v.attribute_type = "Target"; });
  add([](DeviceVariable& v) { v.attribute_type = "MinSet"; });
  write_sync(*db, [batch](Session& s) { s.device_model.put(batch); });
  auto got = variables_of(*db, "CS1");
  REQUIRE(got.size() == batch.size());
  std::vector<std::string> keys;
  for (const auto& v : got) {
    keys.push_back(v.component + "/" + v.component_instance + "/" + std::to_string(v.evse_id) +
                   "/" + std::to_string(v.connector_id) + "/" + v.variable + "/" +
                   v.variable_instance + "/" + v.attribute_type);
  }
  CHECK(keys == std::vector<std::string>{
                    "AlignedDataCtrlr//0/0/Power//Actual",
                    "EVSE//0/0/AvailabilityState//Actual",
                    "EVSE//0/0/Power//Actual",
                    "EVSE//0/0/Power//MaxSet",
                    "EVSE//0/0/Power//MinSet",
                    "EVSE//0/0/Power//Target",
                    "EVSE//0/0/Power/x/Actual",
                    "EVSE//0/1/Power//Actual",
                    "EVSE//1/0/Power//Actual",
                    "EVSE/b/0/0/Power//Actual",
                });
}

TEST_CASE("put_values inserts an unknown attribute without characteristics") {
  TempDir dir;
  auto db = open_with_stations(dir);
  DeviceVariable v = attribute("OCPPCommCtrlr", "HeartbeatInterval");
  v.value = "60";
  v.mutability = "ReadWrite";  // Not stored: a Get/SetVariables result says no such thing.
  v.data_type = "integer";
  v.max_limit = 100;
  write_sync(*db, [v](Session& s) { s.device_model.put_values({v}); });
  auto got = variables_of(*db, "CS1");
  REQUIRE(got.size() == 1);
  CHECK(got[0].value == std::optional<std::string>("60"));
  CHECK(got[0].mutability.empty());
  CHECK(got[0].data_type.empty());
  CHECK_FALSE(got[0].max_limit.has_value());
  CHECK_FALSE(got[0].persistent);
}

TEST_CASE("a station's attributes are its own") {
  TempDir dir;
  auto db = open_with_stations(dir);
  DeviceVariable other = attribute("OCPPCommCtrlr", "HeartbeatInterval");
  other.station_id = "CS2";
  other.value = "900";
  write_sync(*db, [other](Session& s) {
    s.device_model.put({attribute("OCPPCommCtrlr", "HeartbeatInterval"), other});
  });
  auto cs2 = variables_of(*db, "CS2");
  REQUIRE(cs2.size() == 1);
  CHECK(cs2[0].value == std::optional<std::string>("900"));
  CHECK(variables_of(*db, "CS1").size() == 1);
  CHECK(variables_of(*db, "CS3").empty());
}

TEST_CASE("a device model or report of an unknown station is refused by the foreign key") {
  TempDir dir;
  auto db = open_with_stations(dir);
  DeviceVariable ghost = attribute("OCPPCommCtrlr", "HeartbeatInterval");
  ghost.station_id = "ghost";
  CHECK_THROWS_WITH(write_sync(*db, [ghost](Session& s) { s.device_model.put({ghost}); }),
                    Catch::Contains("foreign key", Catch::CaseSensitive::No));
  CHECK_THROWS_WITH(write_sync(*db, [ghost](Session& s) { s.device_model.put_values({ghost}); }),
                    Catch::Contains("foreign key", Catch::CaseSensitive::No));
  CHECK_THROWS_WITH(write_sync(*db,
                               [](Session& s) {
                                 s.device_model.add_report_part("ghost", 1, 0, false, 1, at(0),
                                                                at(0));
                               }),
                    Catch::Contains("foreign key", Catch::CaseSensitive::No));
}

TEST_CASE("a report without its last part is incomplete even when no seqNo is missing") {
  TempDir dir;
  auto db = open_with_stations(dir);
  write_sync(*db, [](Session& s) {
    s.device_model.add_report_part("CS1", 4, 0, true, 10, at(0), at(1));
    s.device_model.add_report_part("CS1", 4, 1, true, 10, at(0), at(2));
  });
  auto reports = reports_of(*db, "CS1");
  REQUIRE(reports.size() == 1);
  CHECK_FALSE(reports[0].complete);
  CHECK(reports[0].parts == 2);
  CHECK(reports[0].variables == 20);
}

TEST_CASE("a report whose first parts are missing is incomplete though its last part came") {
  TempDir dir;
  auto db = open_with_stations(dir);
  write_sync(
      *db, [](Session& s) { s.device_model.add_report_part("CS1", 4, 2, false, 3, at(0), at(1)); });
  auto reports = reports_of(*db, "CS1");
  REQUIRE(reports.size() == 1);
  CHECK_FALSE(reports[0].complete);
  CHECK(reports[0].parts == 1);
}

TEST_CASE("a retried report part changes neither the part count nor the variables") {
  TempDir dir;
  auto db = open_with_stations(dir);
  auto first = write_sync(*db, [](Session& s) {
    return s.device_model.add_report_part("CS1", 1, 0, false, 5, at(0), at(1));
  });
  auto retry = write_sync(*db, [](Session& s) {
    return s.device_model.add_report_part("CS1", 1, 0, false, 5, at(0), at(9));
  });
  CHECK(first);
  CHECK_FALSE(retry);
  auto reports = reports_of(*db, "CS1");
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].complete);
  CHECK(reports[0].parts == 1);
  CHECK(reports[0].variables == 5);
  CHECK(reports[0].received_at == at(1));
}

TEST_CASE("a report carries its station, request id and the times of its newest part") {
  TempDir dir;
  auto db = open_with_stations(dir);
  write_sync(*db, [](Session& s) {
    s.device_model.add_report_part("CS1", 8, 0, true, 1, at(10), at(11));
    s.device_model.add_report_part("CS1", 8, 1, false, 1, at(20), at(21));
  });
  auto reports = reports_of(*db, "CS1");
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].station_id == "CS1");
  CHECK(reports[0].request_id == 8);
  CHECK(reports[0].complete);
  CHECK(reports[0].generated_at == at(20));
  CHECK(reports[0].received_at == at(21));
}

TEST_CASE("reports are listed by newest part received, then request id, per station") {
  TempDir dir;
  auto db = open_with_stations(dir);
  write_sync(*db, [](Session& s) {
    s.device_model.add_report_part("CS1", 1, 0, true, 1, at(0), at(1));
    s.device_model.add_report_part("CS1", 2, 0, false, 1, at(0), at(2));
    s.device_model.add_report_part("CS1", 3, 0, false, 1, at(0), at(2));
    s.device_model.add_report_part("CS1", 1, 1, false, 1, at(0), at(5));  // 1 is newest now
    s.device_model.add_report_part("CS2", 9, 0, false, 1, at(0), at(9));
  });
  std::vector<std::int64_t> order;
  for (const auto& r : reports_of(*db, "CS1")) order.push_back(r.request_id);
  CHECK(order == std::vector<std::int64_t>{1, 3, 2});
  auto cs2 = reports_of(*db, "CS2");
  REQUIRE(cs2.size() == 1);
  CHECK(cs2[0].station_id == "CS2");
  CHECK(reports_of(*db, "CS3").empty());
}

TEST_CASE("clearing a station's device model leaves the other stations' alone") {
  TempDir dir;
  auto db = open_with_stations(dir);
  write_sync(*db, [](Session& s) {
    auto other = attribute("OCPPCommCtrlr", "HeartbeatInterval");
    other.station_id = "CS2";
    s.device_model.put({attribute("OCPPCommCtrlr", "HeartbeatInterval"), other});
    s.device_model.add_report_part("CS1", 1, 0, false, 1, at(0), at(0));
    s.device_model.add_report_part("CS2", 1, 0, false, 1, at(0), at(0));
  });
  write_sync(*db, [](Session& s) { s.device_model.clear("CS1"); });
  CHECK(variables_of(*db, "CS1").empty());
  CHECK(reports_of(*db, "CS1").empty());
  CHECK(variables_of(*db, "CS2").size() == 1);
  CHECK(reports_of(*db, "CS2").size() == 1);
  // The station itself stays; a new report starts from scratch.
  CHECK(write_sync(*db, [](Session& s) {
    return s.device_model.add_report_part("CS1", 1, 0, false, 1, at(1), at(1));
  }));
}
