// The stores added for OCPP 2.0.1: transaction events, device models and
// reports, station notifications, and the new station/transaction columns.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;
using storage::TxEventType;

namespace {

storage::TransactionEvent event(std::int64_t tx, std::int64_t seq, TxEventType type) {
  storage::TransactionEvent e;
  e.transaction_id = tx;
  e.seq_no = seq;
  e.type = type;
  e.timestamp = at(seq);
  e.trigger_reason = "MeterValuePeriodic";
  e.received_at = at(100);
  return e;
}

storage::DeviceVariable variable(const std::string& component, const std::string& name,
                                 const std::string& value) {
  storage::DeviceVariable v;
  v.station_id = "CS1";
  v.component = component;
  v.variable = name;
  v.value = value;
  v.mutability = "ReadWrite";
  v.data_type = "integer";
  v.unit = "s";
  v.max_limit = 86400;
  v.updated_at = at(1);
  return v;
}

}  // namespace

TEST_CASE("2.0.1 transaction columns and the station's boot reason round-trip") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto s = station("CS1");
  s.boot_reason = "RemoteReset";
  auto tx = transaction("CS1", 1, "TAG", 0);
  tx.station_tx_id = "TX-1";
  tx.offline = true;
  tx.charging_state = "SuspendedEV";
  tx.remote_start_id = 77;
  auto id = write_sync(*db, [s, tx](Session& ses) {
    ses.stations.put(s);
    return ses.transactions.insert(tx);
  });
  auto got = read_sync(*db, [id](Session& ses) { return ses.transactions.get(id); });
  REQUIRE(got);
  CHECK(got->offline);
  CHECK(got->charging_state == "SuspendedEV");
  CHECK(got->remote_start_id == std::optional<std::int64_t>(77));
  got->charging_state = "Charging";
  write_sync(*db, [t = *got](Session& ses) { ses.transactions.update(t); });
  CHECK(read_sync(*db, [id](Session& ses) { return ses.transactions.get(id); })->charging_state ==
        "Charging");
  CHECK(read_sync(*db, [](Session& ses) { return ses.stations.get("CS1"); })->boot_reason ==
        "RemoteReset");
}

TEST_CASE("a transaction event is stored once per seqNo and read back in seqNo order") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto e3 = event(5, 3, TxEventType::Ended);
  e3.stopped_reason = "EVDisconnected";
  e3.id_tag = "TAG";
  e3.offline = true;
  CHECK(write_sync(*db, [e3](Session& s) { return s.transactions.add_event(e3); }));
  CHECK(write_sync(
      *db, [](Session& s) { return s.transactions.add_event(event(5, 0, TxEventType::Started)); }));
  CHECK_FALSE(write_sync(*db, [](Session& s) {
    return s.transactions.add_event(event(5, 3, TxEventType::Updated));  // a retry
  }));
  auto events = read_sync(*db, [](Session& s) { return s.transactions.events(5); });
  REQUIRE(events.size() == 2);
  CHECK(events[0].seq_no == 0);
  CHECK(events[0].type == TxEventType::Started);
  CHECK(events[1].type == TxEventType::Ended);
  CHECK(events[1].stopped_reason == std::optional<std::string>("EVDisconnected"));
  CHECK(events[1].id_tag == std::optional<std::string>("TAG"));
  CHECK(events[1].offline);
  CHECK(events[1].timestamp == at(3));
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.events(6); }).empty());
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.last_seq_no(5); }) ==
        std::optional<std::int64_t>(3));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.transactions.last_seq_no(6); }));
}

TEST_CASE("a transaction's samples of one measurand come in time order") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto power = sample("CS1", 5, "7000", 9);
  power.measurand = "Power.Active.Import";
  write_sync(*db, [power](Session& s) {
    s.meters.insert({sample("CS1", 20, "3000", 9), sample("CS1", 10, "2000", 9), power,
                     sample("CS1", 15, "2500", 8)});
  });
  auto got = read_sync(
      *db, [](Session& s) { return s.meters.for_transaction(9, "Energy.Active.Import.Register"); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].value == "2000");
  CHECK(got[1].value == "3000");
}

TEST_CASE("the device model keeps characteristics when only values are set") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto hb = variable("OCPPCommCtrlr", "HeartbeatInterval", "300");
  auto evse = variable("EVSE", "AvailabilityState", "Available");
  evse.evse_id = 1;
  evse.mutability = "ReadOnly";
  write_sync(*db, [hb, evse](Session& s) {
    s.stations.put(station("CS1"));
    s.device_model.put({hb, evse});
  });
  auto newer = hb;
  newer.value = "60";
  newer.data_type.clear();
  newer.updated_at = at(2);
  auto fresh = variable("AuthCtrlr", "Enabled", "true");
  fresh.data_type.clear();
  write_sync(*db, [newer, fresh](Session& s) { s.device_model.put_values({newer, fresh}); });
  auto vars = read_sync(*db, [](Session& s) { return s.device_model.variables("CS1"); });
  REQUIRE(vars.size() == 3);
  CHECK(vars[0].component == "AuthCtrlr");
  CHECK(vars[0].data_type.empty());
  CHECK(vars[1].component == "EVSE");
  CHECK(vars[1].evse_id == 1);
  CHECK(vars[1].mutability == "ReadOnly");
  CHECK(vars[2].variable == "HeartbeatInterval");
  CHECK(vars[2].value == std::optional<std::string>("60"));
  CHECK(vars[2].data_type == "integer");
  CHECK(vars[2].max_limit == std::optional<double>(86400));
  CHECK(vars[2].updated_at == at(2));
}

TEST_CASE("a report is complete once its last part and every part before it arrived") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) { s.stations.put(station("CS1")); });
  auto part = [&db](std::int64_t request, std::int64_t seq, bool tbc, std::int64_t received) {
    return write_sync(*db, [=](Session& s) {
      return s.device_model.add_report_part("CS1", request, seq, tbc, 2, at(0), at(received));
    });
  };
  CHECK(part(1, 2, false, 1));
  CHECK(part(1, 0, true, 2));
  auto reports = read_sync(*db, [](Session& s) { return s.device_model.reports("CS1"); });
  REQUIRE(reports.size() == 1);
  CHECK_FALSE(reports[0].complete);  // seqNo 1 is missing
  CHECK(part(1, 1, true, 3));
  CHECK_FALSE(part(1, 1, true, 4));  // a retried part
  CHECK(part(2, 0, false, 5));
  reports = read_sync(*db, [](Session& s) { return s.device_model.reports("CS1"); });
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].request_id == 2);  // newest first
  CHECK(reports[0].complete);
  CHECK(reports[1].complete);
  CHECK(reports[1].parts == 3);
  CHECK(reports[1].variables == 6);
  CHECK(reports[1].received_at == at(3));
}

TEST_CASE("a removed station's device model goes with it - clear forgets it too") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    s.stations.put(station("CS2"));
    auto other = variable("OCPPCommCtrlr", "HeartbeatInterval", "300");
    other.station_id = "CS2";
    s.device_model.put({variable("OCPPCommCtrlr", "HeartbeatInterval", "300"), other});
    s.device_model.add_report_part("CS1", 1, 0, false, 1, at(0), at(0));
    s.device_model.add_report_part("CS2", 1, 0, false, 1, at(0), at(0));
  });
  write_sync(*db, [](Session& s) { s.stations.remove("CS1"); });
  CHECK(read_sync(*db, [](Session& s) { return s.device_model.variables("CS1"); }).empty());
  CHECK(read_sync(*db, [](Session& s) { return s.device_model.reports("CS1"); }).empty());
  write_sync(*db, [](Session& s) { s.device_model.clear("CS2"); });
  CHECK(read_sync(*db, [](Session& s) { return s.device_model.variables("CS2"); }).empty());
  CHECK(read_sync(*db, [](Session& s) { return s.device_model.reports("CS2"); }).empty());
}

TEST_CASE("notifications are listed newest first, filtered by station and action") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto note = [](const std::string& station, const std::string& action, std::int64_t t) {
    storage::StationNotification n;
    n.station_id = station;
    n.action = action;
    n.received_at = at(t);
    n.payload = R"({"status":"Downloading"})";
    return n;
  };
  write_sync(*db, [&](Session& s) {
    s.notifications.append(note("CS1", "FirmwareStatusNotification", 1));
    s.notifications.append(note("CS2", "FirmwareStatusNotification", 2));
    s.notifications.append(note("CS1", "NotifyEvent", 3));
  });
  auto all = read_sync(*db, [](Session& s) { return s.notifications.recent("", "", 10); });
  REQUIRE(all.size() == 3);
  CHECK(all[0].action == "NotifyEvent");
  CHECK(all[2].payload == R"({"status":"Downloading"})");
  CHECK(read_sync(*db, [](Session& s) { return s.notifications.recent("CS1", "", 10); }).size() ==
        2);
  CHECK(read_sync(*db, [](Session& s) {
          return s.notifications.recent("", "FirmwareStatusNotification", 10);
        }).size() == 2);
  auto one = read_sync(*db, [](Session& s) {
    return s.notifications.recent("CS1", "FirmwareStatusNotification", 1);
  });
  REQUIRE(one.size() == 1);
  CHECK(one[0].received_at == at(1));
  CHECK(read_sync(*db, [](Session& s) { return s.notifications.recent("", "", 1); }).size() == 1);
}
