// Reservations end to end, for OCPP 1.6 and 2.0.1: csmsctl reserve and
// cancel-reservation against the real csms and ocpp-sim; the reservation the
// server stores (Accepted, Used with its transaction, Cancelled, Expired) and
// the station's side (connector Reserved, who may start, expiry).
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include "ocpp/common/datetime.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

/// One OCPP version as the tests drive it.
struct Flavour {
  const char* station;
  bool v201;
};

constexpr Flavour k16{"RS16", false};
constexpr Flavour k201{"RS201", true};

std::unique_ptr<Sim> start_sim(Csms& csms, const Flavour& f) {
  REQUIRE(csms.ctl({"station", "add", f.station}).code == 0);
  std::vector<std::string> args = {"--meter-interval", "1"};
  if (f.v201) args.insert(args.end(), {"--ocpp", "2.0.1"});
  auto sim = std::make_unique<Sim>(csms, f.station, args);
  REQUIRE(sim->wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  return sim;
}

/// RFC 3339 time `seconds` from now.
std::string in_seconds(std::int64_t seconds) {
  return ocpp::DateTime::from_unix_micros(ocpp::DateTime::now().unix_micros() + seconds * 1'000'000)
      .to_string();
}

// The stored reservation `id` (fails the test if absent).
rapidjson::Document reservation(Csms& csms, const Flavour& f, std::int64_t id) {
  auto list = csms.ctl_json({"reservation", "list", "--station", f.station});
  rapidjson::Document out;
  for (auto& r : list.GetArray()) {
    if (r["id"].GetInt64() == id) out.CopyFrom(r, out.GetAllocator());
  }
  REQUIRE(out.IsObject());
  return out;
}

// The last reported status of connector/EVSE 1.
std::string connector_status(Csms& csms, const Flavour& f) {
  auto st = csms.ctl_json({"station", "show", f.station});
  std::string status;
  for (const auto& c : st["connectors"].GetArray()) {
    const int where = f.v201 ? c["evseId"].GetInt() : c["connectorId"].GetInt();
    if (where == 1) status = str(c["status"]);
  }
  return status;
}

std::int64_t reserve(Csms& csms, const Flavour& f, const std::string& tag, std::int64_t seconds) {
  auto res = csms.ctl_json({"cmd", f.station, "reserve", "--connector", "1", "--idtag", tag,
                            "--expires", in_seconds(seconds)});
  CHECK(str(res["action"]) == "ReserveNow");
  REQUIRE(str(res["response"]["status"]) == "Accepted");
  REQUIRE(res["response"]["reservationId"].IsInt64());
  return res["response"]["reservationId"].GetInt64();
}

std::string remote_start(Csms& csms, const Flavour& f, const std::string& tag) {
  auto start = csms.ctl_json(
      {"cmd", f.station, "remote-start", f.v201 ? "--evse" : "--connector", "1", "--idtag", tag});
  return str(start["response"]["status"]);
}

}  // namespace

TEST_CASE(
    "a reservation is accepted, stored, reserves the connector, and only its tag starts there, "
    "using it",
    "[e2e][reservations]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "RTAG"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "OTHER"}).code == 0);
  for (const Flavour& f : {k16, k201}) {
    INFO(f.station);
    auto sim = start_sim(csms, f);
    const std::int64_t id = reserve(csms, f, "RTAG", 120);
    auto stored = reservation(csms, f, id);
    CHECK(str(stored["status"]) == "Accepted");
    CHECK(str(stored["idTag"]) == "RTAG");
    CHECK(stored["active"].GetBool());
    if (f.v201) {
      CHECK(stored["evseId"].GetInt() == 1);
    } else {
      CHECK(stored["connectorId"].GetInt() == 1);
    }
    REQUIRE(sim->wait_event("reserved", 10s));
    CHECK(eventually([&] { return connector_status(csms, f) == "Reserved"; }));
    auto active = csms.ctl_json({"reservation", "list", "--station", f.station, "--active"});
    CHECK(active.Size() == 1);

    // Someone else may not take the reserved connector.
    CHECK(remote_start(csms, f, "OTHER") == "Rejected");
    CHECK(remote_start(csms, f, "RTAG") == "Accepted");
    auto started = sim->wait_event("transaction_started", 20s);
    REQUIRE(started);
    const auto& tx = (*started)["transactionId"];
    const std::string tx_id = tx.IsString() ? tx.GetString() : std::to_string(tx.GetInt64());
    // The station ended its reservation as the start began (before transaction_started).
    bool used = false;
    for (const auto& e : sim->events("reservation_ended"))
      used = used || (str(e["reason"]) == "Used" && e["reservationId"].GetInt64() == id);
    CHECK(used);
    CHECK(eventually([&] { return str(reservation(csms, f, id)["status"]) == "Used"; }));
    auto stored_used = reservation(csms, f, id);
    const auto& linked = stored_used["transactionId"];
    CHECK((linked.IsString() ? linked.GetString() : std::to_string(linked.GetInt64())) == tx_id);
    CHECK_FALSE(stored_used["active"].GetBool());
  }
}

TEST_CASE(
    "cancel-reservation cancels an active reservation - an unknown or ended one is refused before "
    "sending",
    "[e2e][reservations]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "RTAG"}).code == 0);
  for (const Flavour& f : {k16, k201}) {
    INFO(f.station);
    auto sim = start_sim(csms, f);
    const std::int64_t id = reserve(csms, f, "RTAG", 120);
    REQUIRE(sim->wait_event("reserved", 10s));
    auto cancel =
        csms.ctl_json({"cmd", f.station, "cancel-reservation", "--id", std::to_string(id)});
    CHECK(str(cancel["action"]) == "CancelReservation");
    CHECK(str(cancel["response"]["status"]) == "Accepted");
    CHECK(str(reservation(csms, f, id)["status"]) == "Cancelled");
    REQUIRE(sim->wait_event("reservation_ended", 10s, {{"reason", "\"Cancelled\""}}));
    CHECK(eventually([&] { return connector_status(csms, f) == "Available"; }));

    auto again = csms.ctl({"cmd", f.station, "cancel-reservation", "--id", std::to_string(id)});
    CHECK(again.code != 0);
    CHECK(again.err.find("not active (Cancelled)") != std::string::npos);
    auto unknown = csms.ctl({"cmd", f.station, "cancel-reservation", "--id", "987654"});
    CHECK(unknown.code != 0);
    CHECK(unknown.err.find("is not a reservation of") != std::string::npos);
  }
}

TEST_CASE("a reservation ends at its expiry on both sides", "[e2e][reservations]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "RTAG"}).code == 0);
  std::vector<std::unique_ptr<Sim>> sims;
  std::vector<std::int64_t> ids;
  for (const Flavour& f : {k16, k201}) {
    sims.push_back(start_sim(csms, f));
    ids.push_back(reserve(csms, f, "RTAG", 3));
  }
  for (std::size_t i = 0; i < sims.size(); ++i) {
    const Flavour& f = i == 0 ? k16 : k201;
    INFO(f.station);
    REQUIRE(sims[i]->wait_event("reservation_ended", 15s, {{"reason", "\"Expired\""}}));
    CHECK(eventually([&] { return connector_status(csms, f) == "Available"; }));
    // The CSMS's sweep (1.6) or the station's ReservationStatusUpdate (2.0.1) stored it.
    CHECK(eventually([&] {
      auto ended = csms.ctl_json({"reservation", "list", "--station", f.station});
      return ended.Size() == 1 && str(ended[0]["status"]) == "Expired";
    }));
    CHECK(csms.ctl_json({"reservation", "list", "--station", f.station, "--active"}).Size() == 0);
  }
  auto updates = csms.ctl_json({"notifications", "--action", "ReservationStatusUpdate"});
  REQUIRE(updates.Size() == 1);
  CHECK(str(updates[0]["payload"]["reservationUpdateStatus"]) == "Expired");
  CHECK(updates[0]["payload"]["reservationId"].GetInt64() == ids[1]);
}

TEST_CASE("reserve is refused before sending when the expiry is past or a parameter is wrong",
          "[e2e][reservations]") {
  TempDir dir;
  Csms csms(dir);
  for (const Flavour& f : {k16, k201}) {
    INFO(f.station);
    auto sim = start_sim(csms, f);
    auto past = csms.ctl({"cmd", f.station, "reserve", "--connector", "1", "--idtag", "RTAG",
                          "--expires", "2020-01-01T00:00:00Z"});
    CHECK(past.code != 0);
    CHECK(past.err.find("in the past") != std::string::npos);
    auto no_tag =
        csms.ctl({"cmd", f.station, "reserve", "--connector", "1", "--expires", in_seconds(60)});
    CHECK(no_tag.code != 0);
    CHECK(no_tag.err.find("idTag") != std::string::npos);
    CHECK(csms.ctl_json({"reservation", "list", "--station", f.station}).Size() == 0);
    if (!f.v201) {
      // Options of the other version are named.
      auto type = csms.ctl({"cmd", f.station, "reserve", "--connector", "1", "--idtag", "T",
                            "--expires", in_seconds(60), "--token-type", "ISO14443"});
      CHECK(type.code != 0);
      INFO(type.err);
      CHECK(type.err.find("tokenType") != std::string::npos);
    }
  }
}
