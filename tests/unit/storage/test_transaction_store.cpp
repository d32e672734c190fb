#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;
using storage::Transaction;
using storage::TransactionFilter;

TEST_CASE("a transaction is inserted with a new id and read back with every field") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Transaction t = transaction("CP1", 2, "TAG", 10);
  t.id = 12345;  // Ignored by insert.
  t.station_tx_id = "tx-abc";
  t.evse_id = 1;
  t.reservation_id = 7;
  t.stop_time = at(20);
  t.meter_stop = 2500;
  t.stop_reason = "Local";
  t.stop_id_tag = "TAG2";
  t.energy_wh = 1500.5;
  t.meter_anomaly = true;
  t.auth_rejected = true;
  auto id = write_sync(*db, [t](Session& s) { return s.transactions.insert(t); });
  CHECK(id != 12345);
  auto got = read_sync(*db, [id](Session& s) { return s.transactions.get(id); });
  REQUIRE(got.has_value());
  CHECK(got->id == id);
  CHECK(got->station_id == "CP1");
  CHECK(got->station_tx_id == "tx-abc");
  CHECK(got->evse_id == 1);
  CHECK(got->connector_id == 2);
  CHECK(got->id_tag == "TAG");
  CHECK(got->reservation_id == 7);
  CHECK(got->start_time == at(10));
  CHECK(got->stop_time == at(20));
  CHECK(got->meter_start == 1000);
  CHECK(got->meter_stop == 2500);
  CHECK(got->stop_reason == "Local");
  CHECK(got->stop_id_tag == "TAG2");
  CHECK(got->energy_wh == Approx(1500.5));
  CHECK(got->meter_anomaly);
  CHECK(got->auth_rejected);
}

TEST_CASE("transaction ids increase and an unknown id is absent") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    auto first = s.transactions.insert(transaction("CP1", 1, "A", 0));
    auto second = s.transactions.insert(transaction("CP1", 1, "A", 1));
    return std::make_pair(first, second);
  });
  CHECK(ids.second > ids.first);
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.transactions.get(999); }).has_value());
}

TEST_CASE("transaction ids are never reused, even after deleting the newest and reopening") {
  TempDir dir;
  const auto path = dir.file("csms.db");
  std::int64_t highest = 0;
  {
    auto db = open(path);
    highest = write_sync(*db, [](Session& s) {
      s.transactions.insert(transaction("CP1", 1, "A", 0));
      s.transactions.insert(transaction("CP1", 1, "A", 1));
      return s.transactions.insert(transaction("CP1", 1, "A", 2));
    });
  }
  {
    RawConnection raw(path);
    raw.exec("DELETE FROM transactions");  // e.g. a prune, or an operator's cleanup
  }
  auto db = open(path);
  auto next = write_sync(
      *db, [](Session& s) { return s.transactions.insert(transaction("CP1", 1, "A", 3)); });
  CHECK(next > highest);
}

TEST_CASE("updating a transaction replaces its row, e.g. to stop it") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto id = write_sync(
      *db, [](Session& s) { return s.transactions.insert(transaction("CP1", 1, "TAG", 0)); });
  write_sync(*db, [id](Session& s) {
    auto t = *s.transactions.get(id);
    t.stop_time = at(60);
    t.meter_stop = 1600;
    t.energy_wh = 600;
    t.stop_reason = "EVDisconnected";
    s.transactions.update(t);
  });
  auto got = read_sync(*db, [id](Session& s) { return *s.transactions.get(id); });
  CHECK(got.stop_time == at(60));
  CHECK(got.meter_stop == 1600);
  CHECK(got.energy_wh == Approx(600));
  CHECK(got.stop_reason == "EVDisconnected");
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.count_active(); }) == 0);
}

TEST_CASE("updating a transaction that does not exist fails the work item") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Transaction t = transaction("CP1", 1, "TAG", 0);
  t.id = 42;
  CHECK_THROWS_WITH(write_sync(*db, [t](Session& s) { s.transactions.update(t); }),
                    Catch::Contains("42"));
}

TEST_CASE("a retried StartTransaction finds the transaction it started") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto id = write_sync(*db, [](Session& s) {
    s.transactions.insert(transaction("CP1", 1, "TAG", 9));
    return s.transactions.insert(transaction("CP1", 1, "TAG", 10));
  });
  auto found = read_sync(
      *db, [](Session& s) { return s.transactions.find_start("CP1", 1, "TAG", at(10), 1000); });
  REQUIRE(found.has_value());
  CHECK(found->id == id);
  // Any differing field means another transaction.
  auto misses = read_sync(*db, [](Session& s) {
    int n = 0;
    n += s.transactions.find_start("CP2", 1, "TAG", at(10), 1000).has_value();
    n += s.transactions.find_start("CP1", 2, "TAG", at(10), 1000).has_value();
    n += s.transactions.find_start("CP1", 1, "OTHER", at(10), 1000).has_value();
    n += s.transactions.find_start("CP1", 1, "TAG", at(11), 1000).has_value();
    n += s.transactions.find_start("CP1", 1, "TAG", at(10), 1001).has_value();
    return n;
  });
  CHECK(misses == 0);
}

TEST_CASE("a 2.0.1 transaction is found by its station's transaction id") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto id = write_sync(*db, [](Session& s) {
    auto t = transaction("CP1", 1, "TAG", 0);
    t.station_tx_id = "abc";
    s.transactions.insert(transaction("CP1", 1, "TAG", 0));  // 1.6: no station tx id
    return s.transactions.insert(t);
  });
  auto found =
      read_sync(*db, [](Session& s) { return s.transactions.find_by_station_tx_id("CP1", "abc"); });
  REQUIRE(found.has_value());
  CHECK(found->id == id);
  // Another station's id, and the empty id of 1.6 rows, match nothing.
  auto misses = read_sync(*db, [](Session& s) {
    return s.transactions.find_by_station_tx_id("CP2", "abc").has_value() +
           s.transactions.find_by_station_tx_id("CP1", "").has_value();
  });
  CHECK(misses == 0);
}

TEST_CASE("listing transactions filters by station, tag, time and activity, newest first") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.transactions.insert(transaction("CP1", 1, "A", 10));
    auto stopped = transaction("CP1", 1, "B", 20);
    stopped.stop_time = at(25);
    s.transactions.insert(stopped);
    s.transactions.insert(transaction("CP2", 1, "A", 30));
    s.transactions.insert(transaction("CP2", 2, "B", 40));
  });
  auto list = [&](TransactionFilter f) {
    auto txs = read_sync(*db, [f](Session& s) { return s.transactions.list(f); });
    std::vector<std::int64_t> starts;
    for (const auto& t : txs)
      starts.push_back((t.start_time.unix_micros() - at(0).unix_micros()) / 1'000'000);
    return starts;
  };
  using V = std::vector<std::int64_t>;
  CHECK(list({}) == V{40, 30, 20, 10});
  TransactionFilter f;
  f.station_id = "CP1";
  CHECK(list(f) == V{20, 10});
  f = {};
  f.id_tag = "a";  // id tags compare case-insensitively
  CHECK(list(f) == V{30, 10});
  f = {};
  f.from = at(20);
  f.to = at(40);
  CHECK(list(f) == V{30, 20});
  f = {};
  f.active = true;
  CHECK(list(f) == V{40, 30, 10});
  f.active = false;
  CHECK(list(f) == V{20});
  f = {};
  f.station_id = "CP2";
  f.id_tag = "B";
  f.active = true;
  CHECK(list(f) == V{40});
  f = {};
  f.limit = 2;
  CHECK(list(f) == V{40, 30});
  f.limit = 0;
  CHECK(list(f).empty());
}

TEST_CASE("count_active counts transactions without a stop time") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.transactions.insert(transaction("CP1", 1, "A", 0));
    s.transactions.insert(transaction("CP1", 2, "A", 0));
    auto stopped = transaction("CP1", 3, "A", 0);
    stopped.stop_time = at(1);
    s.transactions.insert(stopped);
  });
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.count_active(); }) == 2);
}

TEST_CASE("orphan stops are kept per station in arrival order") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.transactions.add_orphan_stop(
        storage::OrphanStop{0, "CP1", -1, "TAG", at(5), 1234, "Local", R"({"transactionId":-1})"});
    s.transactions.add_orphan_stop(storage::OrphanStop{0, "CP2", 9, "", at(6), 1, "", "{}"});
    s.transactions.add_orphan_stop(storage::OrphanStop{0, "CP1", 99, "", at(7), 2, "", "{}"});
  });
  auto got = read_sync(*db, [](Session& s) { return s.transactions.orphan_stops("CP1"); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].id > 0);
  CHECK(got[0].station_id == "CP1");
  CHECK(got[0].transaction_id == -1);
  CHECK(got[0].id_tag == "TAG");
  CHECK(got[0].timestamp == at(5));
  CHECK(got[0].meter_stop == 1234);
  CHECK(got[0].reason == "Local");
  CHECK(got[0].payload == R"({"transactionId":-1})");
  CHECK(got[1].transaction_id == 99);
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.orphan_stops("CP3"); }).empty());
}

TEST_CASE("a 1.6 transaction reads back with the 2.0.1 columns at their defaults") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto id = write_sync(
      *db, [](Session& s) { return s.transactions.insert(transaction("CP1", 1, "TAG", 0)); });
  auto got = read_sync(*db, [id](Session& s) { return s.transactions.get(id); });
  REQUIRE(got.has_value());
  CHECK_FALSE(got->offline);
  CHECK(got->charging_state.empty());
  CHECK_FALSE(got->remote_start_id.has_value());
}

TEST_CASE("the 2.0.1 columns come back from every way of finding a transaction") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Transaction t = transaction("CS1", 1, "TAG", 0);
  t.station_tx_id = "tx-1";
  t.offline = true;
  t.charging_state = "EVConnected";
  t.remote_start_id = 42;
  auto id = write_sync(*db, [t](Session& s) { return s.transactions.insert(t); });
  auto found = read_sync(*db, [id](Session& s) {
    TransactionFilter all;
    return std::vector<Transaction>{
        *s.transactions.get(id), *s.transactions.find_by_station_tx_id("CS1", "tx-1"),
        *s.transactions.find_start("CS1", 1, "TAG", at(0), 1000), s.transactions.list(all).at(0)};
  });
  for (const auto& f : found) {
    CHECK(f.offline);
    CHECK(f.charging_state == "EVConnected");
    CHECK(f.remote_start_id == std::optional<std::int64_t>(42));
  }
  // update() writes them too, an absent remote start id included.
  Transaction changed = found[0];
  changed.offline = false;
  changed.charging_state = "Idle";
  changed.remote_start_id = std::nullopt;
  write_sync(*db, [changed](Session& s) { s.transactions.update(changed); });
  auto got = read_sync(*db, [id](Session& s) { return *s.transactions.get(id); });
  CHECK_FALSE(got.offline);
  CHECK(got.charging_state == "Idle");
  CHECK_FALSE(got.remote_start_id.has_value());
}

TEST_CASE("transaction events with the same seqNo in different transactions are all kept") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto event = [](std::int64_t tx, std::int64_t seq) {
    storage::TransactionEvent e;
    e.transaction_id = tx;
    e.seq_no = seq;
    e.type = seq == 0 ? storage::TxEventType::Started : storage::TxEventType::Updated;
    e.timestamp = at(seq);
    e.trigger_reason = "Authorized";
    e.received_at = at(50);
    return e;
  };
  auto added = write_sync(*db, [event](Session& s) {
    // Out of order and with a gap (seqNo 1 of transaction 1 never came).
    return std::vector<bool>{s.transactions.add_event(event(1, 2)),
                             s.transactions.add_event(event(2, 0)),
                             s.transactions.add_event(event(1, 0))};
  });
  CHECK(added == std::vector<bool>{true, true, true});
  auto events = read_sync(*db, [](Session& s) { return s.transactions.events(1); });
  REQUIRE(events.size() == 2);
  CHECK(events[0].seq_no == 0);
  CHECK(events[0].type == storage::TxEventType::Started);
  CHECK(events[1].seq_no == 2);
  CHECK(events[1].transaction_id == 1);
  CHECK(events[1].trigger_reason == "Authorized");
  CHECK(events[1].received_at == at(50));
  CHECK_FALSE(events[1].stopped_reason.has_value());
  CHECK_FALSE(events[1].id_tag.has_value());
  CHECK_FALSE(events[1].offline);
  CHECK(read_sync(*db, [](Session& s) { return s.transactions.events(2); }).size() == 1);
}

TEST_CASE("a retried transaction event leaves the stored one as it was") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  storage::TransactionEvent e;
  e.transaction_id = 3;
  e.seq_no = 1;
  e.type = storage::TxEventType::Updated;
  e.timestamp = at(1);
  e.trigger_reason = "ChargingStateChanged";
  e.received_at = at(2);
  CHECK(write_sync(*db, [e](Session& s) { return s.transactions.add_event(e); }));
  auto retry = e;
  retry.offline = true;
  retry.received_at = at(60);
  CHECK_FALSE(write_sync(*db, [retry](Session& s) { return s.transactions.add_event(retry); }));
  auto events = read_sync(*db, [](Session& s) { return s.transactions.events(3); });
  REQUIRE(events.size() == 1);
  CHECK_FALSE(events[0].offline);
  CHECK(events[0].received_at == at(2));
}
