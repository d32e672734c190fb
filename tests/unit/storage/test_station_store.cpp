#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Connector;
using storage::ConnectorStatus;
using storage::RegistrationStatus;
using storage::Session;

TEST_CASE("a station is stored with every field and read back") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  storage::Station s = station("CP-1");
  s.password_hash = "pbkdf2-sha256$1000$c2FsdA==$aGFzaA==";
  s.serial_number = "SN1";
  s.firmware_version = "1.2.3";
  s.ocpp_version = "1.6";
  s.registration = RegistrationStatus::Pending;
  s.connected = true;
  s.last_seen = at(10);
  s.last_boot = at(5);
  s.boot_reason = "PowerUp";
  write_sync(*db, [s](Session& ses) { ses.stations.put(s); });

  auto got = read_sync(*db, [](Session& ses) { return ses.stations.get("CP-1"); });
  REQUIRE(got.has_value());
  CHECK(got->id == "CP-1");
  CHECK(got->password_hash == s.password_hash);
  CHECK(got->vendor == "Vendor");
  CHECK(got->model == "Model");
  CHECK(got->serial_number == "SN1");
  CHECK(got->firmware_version == "1.2.3");
  CHECK(got->ocpp_version == "1.6");
  CHECK(got->registration == RegistrationStatus::Pending);
  CHECK(got->connected);
  CHECK(got->last_seen == at(10));
  CHECK(got->last_boot == at(5));
  CHECK(got->created_at == at(0));
  CHECK(got->boot_reason == "PowerUp");
}

TEST_CASE("an unknown station is absent") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.stations.get("nope"); }).has_value());
}

TEST_CASE("putting a station again replaces the whole row and keeps its connectors") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    auto st = station("CP1");
    st.last_seen = at(1);
    s.stations.put(st);
    Connector c;
    c.station_id = "CP1";
    c.connector_id = 1;
    c.status = ConnectorStatus::Available;
    c.updated_at = at(1);
    s.stations.put_connector(c);
  });
  write_sync(*db, [](Session& s) {
    auto st = station("CP1");
    st.vendor = "Other";
    st.last_seen = std::nullopt;  // Whole row: an unset optional clears the column.
    s.stations.put(st);
  });
  auto got = read_sync(*db, [](Session& s) { return *s.stations.get("CP1"); });
  CHECK(got.vendor == "Other");
  CHECK_FALSE(got.last_seen.has_value());
  CHECK(read_sync(*db, [](Session& s) { return s.stations.connectors("CP1"); }).size() == 1);
}

TEST_CASE("stations are listed by id") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("B"));
    s.stations.put(station("A"));
    s.stations.put(station("C"));
  });
  auto all = read_sync(*db, [](Session& s) { return s.stations.list(); });
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == "A");
  CHECK(all[1].id == "B");
  CHECK(all[2].id == "C");
}

TEST_CASE("removing a station says whether it existed and takes its connectors along") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    Connector c;
    c.station_id = "CP1";
    c.connector_id = 1;
    c.updated_at = at(0);
    s.stations.put_connector(c);
  });
  CHECK(write_sync(*db, [](Session& s) { return s.stations.remove("CP1"); }));
  CHECK_FALSE(write_sync(*db, [](Session& s) { return s.stations.remove("CP1"); }));
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.stations.get("CP1"); }).has_value());
  RawConnection raw(path);
  CHECK(raw.integer("SELECT COUNT(*) FROM connectors") == 0);
}

TEST_CASE("removing a station keeps its transactions, samples, log and events") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto tx_id = write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    auto id = s.transactions.insert(transaction("CP1", 1, "TAG", 0));
    s.meters.insert({sample("CP1", 1, "1000", id)});
    s.transactions.add_orphan_stop(storage::OrphanStop{0, "CP1", 77, "TAG", at(3), 5, "", "{}"});
    s.messages.append(storage::LoggedFrame{0, "CP1", at(2), storage::Direction::In, "[2]"});
    storage::SecurityEvent e;
    e.station_id = "CP1";
    e.timestamp = at(2);
    e.type = "StartupOfTheDevice";
    s.events.append(e);
    return id;
  });
  REQUIRE(write_sync(*db, [](Session& s) { return s.stations.remove("CP1"); }));
  // Counted on the reader thread, checked here: Catch2 assertions stay on this thread.
  auto counts = read_sync(*db, [tx_id](Session& s) {
    return std::vector<std::size_t>{
        s.transactions.get(tx_id).has_value() ? 1u : 0u, s.meters.for_transaction(tx_id).size(),
        s.transactions.orphan_stops("CP1").size(), s.messages.recent("CP1", 10).size(),
        s.events.recent("CP1", 10).size()};
  });
  CHECK(counts == std::vector<std::size_t>{1, 1, 1, 1, 1});
}

TEST_CASE("mark_all_offline clears connected on every station") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    for (const char* id : {"A", "B"}) {
      auto st = station(id);
      st.connected = true;
      s.stations.put(st);
    }
    s.stations.put(station("C"));
  });
  write_sync(*db, [](Session& s) { s.stations.mark_all_offline(); });
  for (const auto& st : read_sync(*db, [](Session& s) { return s.stations.list(); })) {
    CHECK_FALSE(st.connected);
  }
}

TEST_CASE("a connector's state is upserted by station, EVSE and connector id") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    Connector c;
    c.station_id = "CP1";
    c.evse_id = 1;
    c.connector_id = 1;
    c.status = ConnectorStatus::Available;
    c.updated_at = at(1);
    s.stations.put_connector(c);
    c.evse_id = 2;
    s.stations.put_connector(c);
    c.evse_id = 1;
    c.status = ConnectorStatus::Faulted;
    c.error_code = "GroundFailure";
    c.info = "info";
    c.vendor_error_code = "E42";
    c.updated_at = at(2);
    s.stations.put_connector(c);
  });
  auto got = read_sync(*db, [](Session& s) { return s.stations.connectors("CP1"); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].evse_id == 1);
  CHECK(got[0].status == ConnectorStatus::Faulted);
  CHECK(got[0].error_code == "GroundFailure");
  CHECK(got[0].info == "info");
  CHECK(got[0].vendor_error_code == "E42");
  CHECK(got[0].updated_at == at(2));
  CHECK(got[1].evse_id == 2);
  CHECK(got[1].status == ConnectorStatus::Available);
  CHECK(read_sync(*db, [](Session& s) { return s.stations.connectors("other"); }).empty());
}

TEST_CASE("a connector of an unknown station is refused by the foreign key") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Connector c;
  c.station_id = "ghost";
  c.connector_id = 1;
  c.updated_at = at(0);
  CHECK_THROWS_WITH(write_sync(*db, [c](Session& s) { s.stations.put_connector(c); }),
                    Catch::Contains("foreign key", Catch::CaseSensitive::No));
}

TEST_CASE("a station's boot reason is listed and replaced with the row") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    auto st = station("CS1");
    st.boot_reason = "Watchdog";
    s.stations.put(st);
  });
  auto listed = read_sync(*db, [](Session& s) { return s.stations.list(); });
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].boot_reason == "Watchdog");
  // Reconnecting as 1.6 (no boot reason) clears it: put replaces the whole row.
  write_sync(*db, [](Session& s) { s.stations.put(station("CS1")); });
  CHECK(read_sync(*db, [](Session& s) { return *s.stations.get("CS1"); }).boot_reason.empty());
}

TEST_CASE("removing a station takes its device model and reports along but keeps 2.0.1 history") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  auto db = open(path);
  write_sync(*db, [](Session& s) {
    s.stations.put(station("CS1"));
    storage::DeviceVariable v;
    v.station_id = "CS1";
    v.component = "OCPPCommCtrlr";
    v.variable = "HeartbeatInterval";
    v.updated_at = at(0);
    s.device_model.put({v});
    s.device_model.add_report_part("CS1", 1, 0, false, 1, at(0), at(0));
    auto id = s.transactions.insert(transaction("CS1", 1, "TAG", 0));
    storage::TransactionEvent e;
    e.transaction_id = id;
    e.type = storage::TxEventType::Started;
    e.timestamp = at(0);
    e.received_at = at(0);
    s.transactions.add_event(e);
    storage::StationNotification n;
    n.station_id = "CS1";
    n.action = "NotifyEvent";
    n.received_at = at(1);
    n.payload = "{}";
    s.notifications.append(n);
  });
  REQUIRE(write_sync(*db, [](Session& s) { return s.stations.remove("CS1"); }));
  RawConnection raw(path);
  CHECK(raw.integer("SELECT COUNT(*) FROM device_variables") == 0);
  CHECK(raw.integer("SELECT COUNT(*) FROM device_report_parts") == 0);
  CHECK(raw.integer("SELECT COUNT(*) FROM transaction_events") == 1);
  CHECK(raw.integer("SELECT COUNT(*) FROM station_notifications") == 1);
}
