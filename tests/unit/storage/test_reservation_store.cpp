// ReservationStore: reservations the CSMS asked stations for, with their life.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Reservation;
using storage::ReservationFilter;
using storage::ReservationStatus;
using storage::Session;

namespace {

Reservation reservation(const std::string& station_id, int connector, std::int64_t expiry_s) {
  Reservation r;
  r.station_id = station_id;
  r.connector_id = connector;
  r.id_tag = "TAG-1";
  r.expiry = at(expiry_s);
  r.created_at = at(0);
  r.updated_at = at(0);
  return r;
}

std::vector<std::int64_t> ids_of(const std::vector<Reservation>& rs) {
  std::vector<std::int64_t> out;
  for (const auto& r : rs) out.push_back(r.id);
  return out;
}

}  // namespace

TEST_CASE("a reservation is stored with every field under a new, increasing id") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  Reservation r = reservation("CS-1", 0, 600);
  r.evse_id = 2;
  r.parent_id_tag = "GROUP";
  r.token_type = "ISO14443";
  r.connector_type = "cType2";
  auto ids = write_sync(*db, [r](Session& s) {
    const auto first = s.reservations.insert(r);
    return std::make_pair(first, s.reservations.insert(r));
  });
  CHECK(ids.second > ids.first);
  auto got = read_sync(*db, [id = ids.first](Session& s) { return s.reservations.get(id); });
  REQUIRE(got);
  CHECK(got->id == ids.first);
  CHECK(got->station_id == "CS-1");
  CHECK(got->evse_id == 2);
  CHECK(got->connector_id == 0);
  CHECK(got->id_tag == "TAG-1");
  CHECK(got->parent_id_tag == std::optional<std::string>("GROUP"));
  CHECK(got->token_type == std::optional<std::string>("ISO14443"));
  CHECK(got->connector_type == std::optional<std::string>("cType2"));
  CHECK(got->expiry == at(600));
  CHECK(got->status == ReservationStatus::Pending);
  CHECK_FALSE(got->transaction_id);
  CHECK_FALSE(read_sync(*db, [](Session& s) { return s.reservations.get(999).has_value(); }));
}

TEST_CASE("a reservation id is never reused, also after its row is gone") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto first =
      write_sync(*db, [](Session& s) { return s.reservations.insert(reservation("A", 1, 60)); });
  RawConnection raw(dir.file("csms.db"));
  raw.exec("DELETE FROM reservations");
  auto second =
      write_sync(*db, [](Session& s) { return s.reservations.insert(reservation("A", 1, 60)); });
  CHECK(second > first);
}

TEST_CASE("updating a reservation records its answer, its end and the transaction that used it") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto id =
      write_sync(*db, [](Session& s) { return s.reservations.insert(reservation("A", 1, 60)); });
  write_sync(*db, [id](Session& s) {
    auto r = *s.reservations.get(id);
    r.status = ReservationStatus::Used;
    r.transaction_id = 42;
    r.updated_at = at(10);
    REQUIRE(s.reservations.update(r));
    Reservation missing = r;
    missing.id = id + 100;
    CHECK_FALSE(s.reservations.update(missing));
  });
  auto got = read_sync(*db, [id](Session& s) { return *s.reservations.get(id); });
  CHECK(got.status == ReservationStatus::Used);
  CHECK(got.transaction_id == std::optional<std::int64_t>(42));
  CHECK(got.updated_at == at(10));
}

TEST_CASE("expire ends only active reservations whose expiry has come") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    std::vector<std::int64_t> out;
    out.push_back(s.reservations.insert(reservation("A", 1, 10)));  // Pending, due
    auto accepted = reservation("A", 2, 20);
    accepted.status = ReservationStatus::Accepted;
    out.push_back(s.reservations.insert(accepted));  // Accepted, due
    auto later = reservation("A", 3, 100);
    later.status = ReservationStatus::Accepted;
    out.push_back(s.reservations.insert(later));  // not yet due
    auto used = reservation("A", 1, 5);
    used.status = ReservationStatus::Used;
    out.push_back(s.reservations.insert(used));  // ended already
    return out;
  });
  CHECK(write_sync(*db, [](Session& s) { return s.reservations.expire(at(20)); }) == 2);
  auto status = [&](std::int64_t id) {
    return read_sync(*db, [id](Session& s) { return s.reservations.get(id)->status; });
  };
  CHECK(status(ids[0]) == ReservationStatus::Expired);
  CHECK(status(ids[1]) == ReservationStatus::Expired);
  CHECK(status(ids[2]) == ReservationStatus::Accepted);
  CHECK(status(ids[3]) == ReservationStatus::Used);
  CHECK(write_sync(*db, [](Session& s) { return s.reservations.expire(at(20)); }) == 0);
}

TEST_CASE(
    "listing reservations filters by station and by active (not yet expired) and is newest first") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    std::vector<std::int64_t> out;
    auto a = reservation("A", 1, 100);
    a.status = ReservationStatus::Accepted;
    out.push_back(s.reservations.insert(a));
    auto stale = reservation("A", 2, 10);  // still Accepted in the row, but past its expiry
    stale.status = ReservationStatus::Accepted;
    out.push_back(s.reservations.insert(stale));
    auto cancelled = reservation("A", 1, 100);
    cancelled.status = ReservationStatus::Cancelled;
    out.push_back(s.reservations.insert(cancelled));
    out.push_back(s.reservations.insert(reservation("B", 1, 100)));
    return out;
  });
  auto list = [&](ReservationFilter f) {
    return ids_of(read_sync(*db, [f](Session& s) { return s.reservations.list(f); }));
  };
  ReservationFilter all;
  CHECK(list(all) == std::vector<std::int64_t>{ids[3], ids[2], ids[1], ids[0]});
  ReservationFilter station_a;
  station_a.station_id = "A";
  CHECK(list(station_a) == std::vector<std::int64_t>{ids[2], ids[1], ids[0]});
  ReservationFilter active = station_a;
  active.active = true;
  active.now = at(50);
  CHECK(list(active) == std::vector<std::int64_t>{ids[0]});
  ReservationFilter ended = station_a;
  ended.active = false;
  ended.now = at(50);
  CHECK(list(ended) == std::vector<std::int64_t>{ids[2], ids[1]});
  ReservationFilter limited;
  limited.limit = 1;
  CHECK(list(limited) == std::vector<std::int64_t>{ids[3]});
}

TEST_CASE("reservation statuses round-trip through their names") {
  for (auto st :
       {ReservationStatus::Pending, ReservationStatus::Accepted, ReservationStatus::Faulted,
        ReservationStatus::Occupied, ReservationStatus::Rejected, ReservationStatus::Unavailable,
        ReservationStatus::Used, ReservationStatus::Cancelled, ReservationStatus::Expired,
        ReservationStatus::Removed}) {
    CHECK(storage::reservation_status_from_string(storage::to_string(st)) == st);
  }
  CHECK_FALSE(storage::reservation_status_from_string("Reserved"));
  CHECK(storage::is_active(ReservationStatus::Pending));
  CHECK(storage::is_active(ReservationStatus::Accepted));
  CHECK_FALSE(storage::is_active(ReservationStatus::Occupied));
}
