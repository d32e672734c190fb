// The core's time contract: a ManualClock moves only when told, its
// ManualExecutor's timers fire as it passes them, and the server's timeouts
// and expiries (call timeout, reservation expiry, the alerts' checks) run on
// it without waiting.

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/executor.hpp"
#include "session_rig.hpp"
#include "storage/operations.hpp"
#include "storage/reservations.hpp"

using namespace std::chrono_literals;
using csms_test::Rig;

TEST_CASE("a manual clock fires due timers in time order and never a cancelled one", "[core]") {
  csms::ManualClock clock(ocpp::DateTime::from_unix_micros(1'000'000'000'000'000));
  csms::ManualExecutor ex(clock);
  std::vector<std::string> ran;
  auto late = ex.post_after(10s, [&] { ran.push_back("late"); });
  auto early = ex.post_after(2s, [&] {
    ran.push_back("early");
    // A timer set by a timer, due within the same advance, runs in it too.
    static csms::TimerHandle chained;
    chained = ex.post_after(1s, [&] { ran.push_back("chained"); });
  });
  auto dropped = ex.post_after(5s, [&] { ran.push_back("dropped"); });
  dropped.cancel();
  ex.post([&] { ran.push_back("posted"); });

  clock.advance(1s);
  CHECK(ran.empty());  // posted work waits for run_posted, timers for their time
  CHECK(ex.run_posted() == 1);
  clock.advance(9s);
  CHECK(ran == std::vector<std::string>{"posted", "early", "chained", "late"});
  CHECK(clock.system_now().unix_micros() == 1'000'000'000'000'000 + 10'000'000);
  CHECK(ex.pending_timers() == 0);
}

TEST_CASE("a destroyed or reassigned timer handle cancels its task", "[core]") {
  csms::ManualClock clock;
  csms::ManualExecutor ex(clock);
  int ran = 0;
  {
    auto gone = ex.post_after(1s, [&] { ++ran; });
  }
  auto handle = ex.post_after(1s, [&] { ran += 10; });
  handle = ex.post_after(2s, [&] { ran += 100; });
  clock.advance(5s);
  CHECK(ran == 100);
}

TEST_CASE("a CALL times out when the manual clock passes ocpp.call_timeout_s, not before",
          "[core][rpc]") {
  Rig rig;
  rig.config.call_timeout_s = 30;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.pump_until([&] { return rig.conn->sent.size() == 1; });
  rig.clock.advance(29s);
  CHECK(outcomes.empty());
  rig.clock.advance(1s);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].kind == csms::CallOutcome::Kind::Timeout);
}

TEST_CASE("a reservation expires when the manual clock passes its expiry", "[core][reservations]") {
  Rig rig;
  storage::Reservation r;
  r.station_id = "CP1";
  r.connector_id = 1;
  r.id_tag = "TAG";
  r.expiry = ocpp::DateTime::from_unix_micros(rig.clock.system_now().unix_micros() + 3'600'000'000);
  std::int64_t id = 0;
  rig.services->reservations.create(r, [&](std::exception_ptr e, std::int64_t got) {
    REQUIRE_FALSE(e);
    id = got;
  });
  rig.pump_until([&] { return id != 0; });
  auto status = [&] {
    rig.db->flush();
    storage::ReservationStatus s{};
    storage::read_and_wait(
        *rig.db, [&](storage::Session& session) { s = session.reservations.get(id)->status; });
    return s;
  };
  rig.clock.advance(59min);
  rig.pump_until([] { return true; });
  CHECK(status() == storage::ReservationStatus::Pending);
  // Past the expiry: the sweep runs at once, no real hour goes by.
  rig.clock.advance(2min);
  rig.pump_until([&] { return status() == storage::ReservationStatus::Expired; });
}

TEST_CASE("station_offline opens when the manual clock passes alerts.offline_after_s",
          "[core][alerts]") {
  Rig rig;
  auto& alerts = rig.services->alerts;
  alerts.start();
  alerts.station_online("CP1");
  alerts.station_offline("CP1");
  auto open = [&] {
    const auto counts = alerts.counts().open_by_kind;
    auto it = counts.find("station_offline");
    return it == counts.end() ? std::int64_t{0} : it->second;
  };
  rig.clock.advance(std::chrono::seconds(rig.config.alerts_offline_after_s - 60));
  CHECK(open() == 0);
  // The check runs every alerts.check_interval_ms of manual time.
  rig.clock.advance(std::chrono::milliseconds(rig.config.alerts_check_interval_ms) + 60s);
  CHECK(open() == 1);
  alerts.stop();
}
