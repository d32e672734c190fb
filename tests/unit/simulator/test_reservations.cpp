// Reservations and the local authorization list in the simulator: the
// version-neutral pieces, then a 1.6 charge point and a 2.0.1 charging station
// playing ReserveNow, CancelReservation, SendLocalList and GetLocalListVersion.
#include <catch2/catch.hpp>

#include "simulator/reservations.hpp"
#include "support.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig;
using simtest::Rig201;
using simtest::Sent;

namespace {

ocpp::DateTime at(std::int64_t s) {
  return ocpp::DateTime::from_unix_micros(1'700'000'000'000'000 + s * 1'000'000);
}

HeldReservation held(std::int64_t id, int where, const std::string& tag,
                     std::optional<std::string> parent = std::nullopt, std::int64_t expiry = 100) {
  HeldReservation r;
  r.id = id;
  r.where = where;
  r.id_tag = tag;
  r.parent_id_tag = std::move(parent);
  r.expiry = at(expiry);
  return r;
}

LocalListUpdateItem item(const std::string& tag, const std::string& status = "Accepted") {
  LocalListUpdateItem i;
  i.id_tag = tag;
  LocalAuthEntry e;
  e.status = status;
  i.entry = e;
  return i;
}

LocalListUpdateItem removal(const std::string& tag) {
  LocalListUpdateItem i;
  i.id_tag = tag;
  return i;
}

// RFC 3339 `seconds` after the rig's wall clock.
template <class R>
std::string after(const R& rig, std::int64_t seconds) {
  return ocpp::DateTime::from_unix_micros(rig.sched.wall_now().unix_micros() + seconds * 1'000'000)
      .to_string();
}

simulator::Step start(int where, const std::string& tag) {
  simulator::Step s = simtest::make_step(simulator::StepKind::Start, where);
  s.id_tag = tag;
  return s;
}

}  // namespace

TEST_CASE("reservations: only the reserved tag or its group may start, and a start uses it") {
  Reservations rs;
  rs.hold(held(7, 1, "Tag-A", "GROUP"));
  CHECK(rs.may_start(1, "tag-a", std::nullopt));  // case-insensitive
  CHECK(rs.may_start(1, "MEMBER", std::string("group")));
  CHECK_FALSE(rs.may_start(1, "OTHER", std::nullopt));
  CHECK(rs.may_start(2, "OTHER", std::nullopt));  // another connector is free
  CHECK_FALSE(rs.use(1, "OTHER", std::nullopt));
  auto used = rs.use(1, "TAG-A", std::nullopt);
  REQUIRE(used);
  CHECK(used->id == 7);
  CHECK(rs.empty());
}

TEST_CASE("reservations: the same id replaces, and expiry ends what is due") {
  Reservations rs;
  rs.hold(held(1, 1, "A", std::nullopt, 10));
  rs.hold(held(1, 1, "B", std::nullopt, 50));  // an update of reservation 1
  rs.hold(held(2, 2, "C", std::nullopt, 20));
  CHECK(rs.on(1)->id_tag == "B");
  CHECK(rs.next_expiry() == at(20));
  CHECK(rs.expire(at(19)).empty());
  auto ended = rs.expire(at(20));
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].id == 2);
  CHECK(rs.next_expiry() == at(50));
  CHECK(rs.release(1));
  CHECK_FALSE(rs.release(1));
}

TEST_CASE("local list: full replaces, a differential must follow the version, removals remove") {
  LocalAuthList list;
  using R = LocalAuthList::Result;
  CHECK(list.apply(false, 1, {item("A")}, 10) == R::Accepted);  // 0 -> 1 follows
  CHECK(list.apply(true, 5, {item("B"), item("C", "Blocked")}, 10) == R::Accepted);
  CHECK(list.version() == 5);
  CHECK_FALSE(list.find("A"));
  CHECK(list.apply(false, 7, {item("D")}, 10) == R::VersionMismatch);
  CHECK(list.apply(false, 5, {item("D")}, 10) == R::VersionMismatch);
  CHECK(list.version() == 5);
  CHECK(list.apply(false, 6, {item("D"), removal("b")}, 10) == R::Accepted);
  CHECK(list.size() == 2);
  CHECK(list.accepts("d", at(0)));
  CHECK_FALSE(list.accepts("C", at(0)));  // Blocked
  CHECK(list.apply(true, 0, {}, 10) == R::Failed);
  CHECK(list.apply(true, 8, {item("A"), item("B")}, 1) == R::Failed);
  CHECK(list.version() == 6);
}

TEST_CASE("local list: an entry past its expiry no longer accepts") {
  LocalAuthList list;
  auto i = item("A");
  i.entry->expiry = at(10);
  REQUIRE(list.apply(true, 1, {i}, 10) == LocalAuthList::Result::Accepted);
  CHECK(list.accepts("A", at(9)));
  CHECK_FALSE(list.accepts("A", at(10)));
}

TEST_CASE(
    "charge point: ReserveNow reserves a free connector for its tag - the start carries the "
    "reservationId") {
  Rig rig;
  rig.boot();
  auto answer = rig.csms_call("ReserveNow", R"({"connectorId":1,"expiryDate":")" + after(rig, 600) +
                                                R"(","idTag":"RES","reservationId":41})");
  CHECK(answer.str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(1).back() == "Reserved");
  CHECK(rig.station->reservations().on(1));
  // A second reservation of the same connector: Occupied.
  auto second = rig.csms_call("ReserveNow", R"({"connectorId":1,"expiryDate":")" + after(rig, 600) +
                                                R"(","idTag":"X","reservationId":42})");
  CHECK(second.str("status") == "Occupied");
  CHECK_FALSE(rig.run(start(1, "OTHER")).ok);
  REQUIRE(rig.run(start(1, "RES")).ok);
  auto starts = rig.calls("StartTransaction");
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].num("reservationId") == 41);
  CHECK_FALSE(rig.station->reservations().on(1));
}

TEST_CASE(
    "charge point: a reservation ends at its expiry or when cancelled - unknown ids are Rejected") {
  Rig rig(2);
  rig.boot();
  rig.csms_call("ReserveNow", R"({"connectorId":1,"expiryDate":")" + after(rig, 5) +
                                  R"(","idTag":"RES","reservationId":1})");
  rig.csms_call("ReserveNow", R"({"connectorId":2,"expiryDate":")" + after(rig, 600) +
                                  R"(","idTag":"RES","reservationId":2})");
  rig.answer();
  CHECK(rig.statuses(1).back() == "Reserved");
  rig.advance(Duration(6000));
  CHECK(rig.statuses(1).back() == "Available");
  CHECK(*rig.events.last("reservation_ended")->string("reason") == "Expired");
  CHECK(rig.csms_call("CancelReservation", R"({"reservationId":1})").str("status") == "Rejected");
  CHECK(rig.csms_call("CancelReservation", R"({"reservationId":2})").str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(2).back() == "Available");
  // Not reservable: the whole charge point, a connector in a session, an inoperative one.
  auto zero = rig.csms_call("ReserveNow", R"({"connectorId":0,"expiryDate":")" + after(rig, 60) +
                                              R"(","idTag":"RES","reservationId":3})");
  CHECK(zero.str("status") == "Rejected");
  REQUIRE(rig.run(start(1, "RES")).ok);
  auto busy = rig.csms_call("ReserveNow", R"({"connectorId":1,"expiryDate":")" + after(rig, 60) +
                                              R"(","idTag":"RES","reservationId":4})");
  CHECK(busy.str("status") == "Occupied");
  rig.csms_call("ChangeAvailability", R"({"connectorId":2,"type":"Inoperative"})");
  auto off = rig.csms_call("ReserveNow", R"({"connectorId":2,"expiryDate":")" + after(rig, 60) +
                                             R"(","idTag":"RES","reservationId":5})");
  CHECK(off.str("status") == "Unavailable");
}

TEST_CASE(
    "charge point: SendLocalList and GetLocalListVersion keep the list - offline it authorizes") {
  Rig rig;
  rig.boot();
  CHECK(rig.csms_call("GetLocalListVersion", "{}").num("listVersion") == 0);
  auto full = rig.csms_call("SendLocalList", R"({"listVersion":3,"updateType":"Full",
      "localAuthorizationList":[{"idTag":"LISTED","idTagInfo":{"status":"Accepted"}},
                                {"idTag":"BLOCKED","idTagInfo":{"status":"Blocked"}}]})");
  CHECK(full.str("status") == "Accepted");
  auto skip = rig.csms_call("SendLocalList", R"({"listVersion":5,"updateType":"Differential"})");
  CHECK(skip.str("status") == "VersionMismatch");
  CHECK(rig.csms_call("GetLocalListVersion", "{}").num("listVersion") == 3);
  CHECK(rig.station->local_list().size() == 2);
  // Offline (AllowOfflineTxForUnknownId is on): the list still refuses what it blocks.
  rig.link.drop();
  CHECK_FALSE(rig.run(start(1, "BLOCKED")).ok);
  CHECK(rig.run(start(1, "LISTED")).ok);
}

TEST_CASE("charge point: with LocalAuthListEnabled false the list is NotSupported") {
  Rig rig;
  rig.boot();
  rig.csms_call("ChangeConfiguration", R"({"key":"LocalAuthListEnabled","value":"false"})");
  auto sent = rig.csms_call("SendLocalList", R"({"listVersion":1,"updateType":"Full"})");
  CHECK(sent.str("status") == "NotSupported");
  CHECK(rig.csms_call("GetLocalListVersion", "{}").num("listVersion") == -1);
}

TEST_CASE(
    "charging station: ReserveNow reserves an EVSE - at expiry it sends ReservationStatusUpdate "
    "Expired") {
  Rig201 rig(2);
  rig.responses["ReservationStatusUpdate"] = [](const Sent&) { return std::string("{}"); };
  rig.boot();
  auto answer = rig.csms_call("ReserveNow",
                              R"({"id":9,"expiryDateTime":")" + after(rig, 5) +
                                  R"(","evseId":1,"idToken":{"idToken":"RES","type":"ISO14443"}})");
  CHECK(answer.str("status") == "Accepted");
  rig.answer();
  CHECK(rig.statuses(1).back() == "Reserved");
  auto no_evse =
      rig.csms_call("ReserveNow", R"({"id":10,"expiryDateTime":")" + after(rig, 60) +
                                      R"(","idToken":{"idToken":"RES","type":"ISO14443"}})");
  CHECK(no_evse.str("status") == "Rejected");
  rig.advance(Duration(6000));
  auto updates = rig.calls("ReservationStatusUpdate");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].num("reservationId") == 9);
  CHECK(updates[0].str("reservationUpdateStatus") == "Expired");
  CHECK(rig.statuses(1).back() == "Available");
}

TEST_CASE(
    "charging station: only the reserved token starts on the EVSE - its TransactionEvent carries "
    "the reservationId") {
  Rig201 rig;
  rig.boot();
  rig.csms_call("ReserveNow", R"({"id":5,"expiryDateTime":")" + after(rig, 600) +
                                  R"(","evseId":1,"idToken":{"idToken":"RES","type":"ISO14443"},
      "groupIdToken":{"idToken":"FLEET","type":"Central"}})");
  rig.answer();
  CHECK_FALSE(rig.run(start(1, "OTHER")).ok);
  REQUIRE(rig.run(start(1, "RES")).ok);
  auto events = rig.tx_events();
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].num("reservationId") == 5);
  CHECK(rig.csms_call("CancelReservation", R"({"reservationId":5})").str("status") == "Rejected");
}

TEST_CASE("charging station: SendLocalList full then differential - a gap is VersionMismatch") {
  Rig201 rig;
  rig.boot();
  auto full = rig.csms_call("SendLocalList", R"({"versionNumber":1,"updateType":"Full",
      "localAuthorizationList":[{"idToken":{"idToken":"A","type":"ISO14443"},
                                 "idTokenInfo":{"status":"Accepted"}}]})");
  CHECK(full.str("status") == "Accepted");
  auto diff = rig.csms_call("SendLocalList", R"({"versionNumber":2,"updateType":"Differential",
      "localAuthorizationList":[{"idToken":{"idToken":"A","type":"ISO14443"}},
                                {"idToken":{"idToken":"B","type":"ISO14443"},
                                 "idTokenInfo":{"status":"Blocked"}}]})");
  CHECK(diff.str("status") == "Accepted");
  CHECK(rig.station->local_list().size() == 1);
  auto gap = rig.csms_call("SendLocalList", R"({"versionNumber":4,"updateType":"Differential"})");
  CHECK(gap.str("status") == "VersionMismatch");
  CHECK(rig.csms_call("GetLocalListVersion", "{}").num("versionNumber") == 2);
}
