// The OperationsStore: alerts appended and closed by a row of their own, the
// availability history with the state at a period's start, operator closures.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::ConnectorStatus;
using storage::Session;

TEST_CASE("an alert is closed once, by a closure row, and listed open or all", "[operations]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  storage::Alert a;
  a.kind = "connector_faulted";
  a.station_id = "CP-1";
  a.connector_id = 2;
  a.opened_at = at(10);
  a.details = "Faulted, vendorErrorCode E-1";
  auto id = write_sync(*db, [a](Session& s) { return s.operations.open_alert(a); });
  auto open_only = [](Session& s) {
    storage::AlertFilter f;
    f.open_only = true;
    return s.operations.alerts(f);
  };
  auto open = read_sync(*db, open_only);
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == id);
  CHECK(open[0].details == "Faulted, vendorErrorCode E-1");
  CHECK_FALSE(open[0].closed_at);

  auto closed = write_sync(*db, [](Session& s) {
    return s.operations.close_alert("connector_faulted", "CP-1", 2, at(20), "status Available");
  });
  REQUIRE(closed);
  CHECK(*closed == id);
  auto again = write_sync(*db, [](Session& s) {
    return s.operations.close_alert("connector_faulted", "CP-1", 2, at(30), "again");
  });
  CHECK_FALSE(again);
  CHECK(read_sync(*db, open_only).empty());
  auto all = read_sync(*db, [](Session& s) { return s.operations.alerts({}); });
  REQUIRE(all.size() == 1);
  CHECK(all[0].closed_at == at(20));
  CHECK(all[0].close_reason == "status Available");
}

TEST_CASE("the availability history holds the state at the start and the changes in the period",
          "[operations]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.operations.add_status({"CP-1", 0, 1, ConnectorStatus::Available, "", "", "", at(1)});
    s.operations.add_status(
        {"CP-1", 0, 1, ConnectorStatus::Faulted, "GroundFailure", "", "", at(5)});
    s.operations.add_status({"CP-1", 0, 1, ConnectorStatus::Available, "", "", "", at(15)});
    s.operations.add_status({"CP-1", 0, 1, ConnectorStatus::Charging, "", "", "", at(25)});
    s.operations.add_status({"CP-2", 0, 1, ConnectorStatus::Available, "", "", "", at(12)});
    s.operations.add_link({"CP-1", true, at(0)});
    s.operations.add_link({"CP-1", false, at(12)});
    s.operations.add_operator_availability({"CP-1", 0, 1, false, at(3)});
  });
  auto h = read_sync(*db, [](Session& s) { return s.operations.history("CP-1", at(10), at(20)); });
  REQUIRE(h.statuses.size() == 2);
  CHECK(h.statuses[0].status == ConnectorStatus::Faulted);  // the state at the start
  CHECK(h.statuses[0].error_code == "GroundFailure");
  CHECK(h.statuses[1].status == ConnectorStatus::Available);
  REQUIRE(h.links.size() == 2);
  CHECK(h.links[0].online);
  CHECK_FALSE(h.links[1].online);
  REQUIRE(h.operator_changes.size() == 1);
  CHECK_FALSE(h.operator_changes[0].operative);
  auto every = read_sync(*db, [](Session& s) { return s.operations.history("", at(10), at(20)); });
  CHECK(every.statuses.size() == 3);
}

TEST_CASE("a transaction is closed by the operator once", "[operations]") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  storage::Transaction tx;
  tx.station_id = "CP-1";
  tx.connector_id = 1;
  tx.id_tag = "TAG";
  tx.start_time = at(0);
  auto id = write_sync(*db, [tx](Session& s) { return s.transactions.insert(tx); });
  CHECK(write_sync(*db, [id](Session& s) {
    return s.operations.add_transaction_closure({id, at(50), "station replaced"});
  }));
  CHECK_FALSE(write_sync(*db, [id](Session& s) {
    return s.operations.add_transaction_closure({id, at(60), "again"});
  }));
  auto c = read_sync(*db, [id](Session& s) { return s.operations.transaction_closure(id); });
  REQUIRE(c);
  CHECK(c->reason == "station replaced");
  CHECK(c->closed_at == at(50));
}
