// Admission control and per-station limits: the token bucket, upgrade admission
// (503 + Retry-After), boot pacing, the flood limit of a session, and their
// configuration. A fake clock keeps every case free of sleeps.
#include <catch2/catch.hpp>

#include <set>

#include "csms/config.hpp"
#include "server/admission.hpp"
#include "session_rig.hpp"

using csms::AdmissionClock;
using csms::BootPacer;
using csms::TokenBucket;
using csms::UpgradeAdmission;
using namespace std::chrono_literals;

namespace {

/// A clock that moves only when told.
struct FakeClock {
  AdmissionClock::time_point now = AdmissionClock::time_point(1000h);
  csms::NowFunction function() {
    return [this] { return now; };
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a token bucket lets a burst through, then refills at its rate", "[admission]") {
  FakeClock clock;
  TokenBucket bucket(10, 3, clock.now);
  CHECK(bucket.try_take(clock.now));
  CHECK(bucket.try_take(clock.now));
  CHECK(bucket.try_take(clock.now));
  CHECK_FALSE(bucket.try_take(clock.now));
  CHECK(bucket.time_to_token(clock.now).count() == Approx(0.1));
  clock.now += 100ms;
  CHECK(bucket.try_take(clock.now));
  CHECK_FALSE(bucket.try_take(clock.now));
  // A long quiet spell saves up no more than the burst.
  clock.now += 1h;
  for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(clock.now));
  CHECK_FALSE(bucket.try_take(clock.now));
}

TEST_CASE("a reserved token queues later takers behind it", "[admission]") {
  FakeClock clock;
  TokenBucket bucket(10, 1, clock.now);
  CHECK(bucket.take_reserved(clock.now).count() == Approx(0));
  CHECK(bucket.take_reserved(clock.now).count() == Approx(0.1));
  CHECK(bucket.take_reserved(clock.now).count() == Approx(0.2));
  clock.now += 200ms;
  CHECK_FALSE(bucket.try_take(clock.now));  // the reservations come first
  clock.now += 100ms;
  CHECK(bucket.try_take(clock.now));
}

TEST_CASE("a rate of 0 admits every upgrade and every boot", "[admission]") {
  FakeClock clock;
  UpgradeAdmission upgrades(0, 1, clock.function(), 1);
  BootPacer boots(0, 1, clock.function());
  for (int i = 0; i < 10000; ++i) {
    CHECK(upgrades.admit().admitted);
    CHECK(boots.boot("CP" + std::to_string(i)).accept);
  }
}

TEST_CASE("upgrades over the burst are refused with a Retry-After of at least one second",
          "[admission]") {
  FakeClock clock;
  UpgradeAdmission admission(100, 50, clock.function(), 7);
  for (int i = 0; i < 50; ++i) REQUIRE(admission.admit().admitted);
  auto refused = admission.admit();
  CHECK_FALSE(refused.admitted);
  CHECK(refused.retry_after_s >= 1);
  CHECK(refused.retry_after_s <= 2);
  // The rate refills: a token every 10 ms.
  clock.now += 10ms;
  CHECK(admission.admit().admitted);
}

TEST_CASE("Retry-After spreads a storm's refused clients over the time needed to admit them",
          "[admission]") {
  FakeClock clock;
  UpgradeAdmission admission(100, 100, clock.function(), 42);
  for (int i = 0; i < 100; ++i) REQUIRE(admission.admit().admitted);
  // 2000 more at the same instant: at 100/s they need 20 s.
  std::map<int, int> per_second;
  for (int i = 0; i < 2000; ++i) {
    auto v = admission.admit();
    REQUIRE_FALSE(v.admitted);
    REQUIRE(v.retry_after_s >= 1);
    REQUIRE(v.retry_after_s <= UpgradeAdmission::kMaxRetryAfterS);
    ++per_second[v.retry_after_s];
  }
  CHECK(per_second.begin()->first <= 2);
  CHECK(per_second.rbegin()->first >= 20);
  CHECK(per_second.rbegin()->first <= 31);  // backlog plus at most half of it as jitter
  // No second gets much more than its share (100/s, with jitter overlapping).
  for (const auto& [second, count] : per_second) CHECK(count <= 250);
}

TEST_CASE("Retry-After never exceeds its cap however long the backlog", "[admission]") {
  FakeClock clock;
  UpgradeAdmission admission(1, 1, clock.function(), 3);
  REQUIRE(admission.admit().admitted);
  int longest = 0;
  for (int i = 0; i < 2000; ++i) longest = std::max(longest, admission.admit().retry_after_s);
  CHECK(longest == UpgradeAdmission::kMaxRetryAfterS);
}

TEST_CASE("a boot storm gets evenly spaced slots and each station is accepted at its slot",
          "[admission]") {
  FakeClock clock;
  BootPacer pacer(10, 10, clock.function());
  for (int i = 0; i < 10; ++i) REQUIRE(pacer.boot("A" + std::to_string(i)).accept);
  std::vector<int> intervals;
  for (int i = 0; i < 30; ++i) {
    auto v = pacer.boot("B" + std::to_string(i));
    REQUIRE_FALSE(v.accept);
    intervals.push_back(v.retry_in_s);
  }
  CHECK(intervals.front() == 1);
  CHECK(intervals.back() == 3);  // 30 boots at 10/s: the last slot is 3 s out
  CHECK(std::is_sorted(intervals.begin(), intervals.end()));
  CHECK(pacer.reserved() == 30);
  // New arrivals queue behind the slots handed out.
  clock.now += 1s;
  CHECK_FALSE(pacer.boot("C").accept);
  // Everyone coming back after its interval is accepted, without competing.
  clock.now += 2s;
  for (int i = 0; i < 30; ++i) CHECK(pacer.boot("B" + std::to_string(i)).accept);
  CHECK(pacer.reserved() == 1);  // C's slot
}

TEST_CASE("a boot back before its slot keeps the slot and is told the rest of the wait",
          "[admission]") {
  FakeClock clock;
  BootPacer pacer(1, 1, clock.function());
  REQUIRE(pacer.boot("A").accept);
  for (int i = 0; i < 4; ++i) pacer.boot("X" + std::to_string(i));
  auto first = pacer.boot("B");
  REQUIRE_FALSE(first.accept);
  CHECK(first.retry_in_s == 5);
  clock.now += 2s;
  auto early = pacer.boot("B");
  CHECK_FALSE(early.accept);
  CHECK(early.retry_in_s == 3);
  clock.now += 3s;
  CHECK(pacer.boot("B").accept);
}

TEST_CASE("a slot not used long after its time is forgotten and the station competes again",
          "[admission]") {
  FakeClock clock;
  BootPacer pacer(1, 1, clock.function());
  REQUIRE(pacer.boot("A").accept);
  REQUIRE_FALSE(pacer.boot("B").accept);
  clock.now += std::chrono::seconds(BootPacer::kSlotGraceS + 20);
  CHECK(pacer.boot("C").accept);  // prunes B's stale slot and takes a fresh token
  CHECK(pacer.reserved() == 0);
  CHECK_FALSE(pacer.boot("B").accept);  // no token left this second: a new slot
}

TEST_CASE("boot intervals are capped at an hour and then reserve nothing", "[admission]") {
  FakeClock clock;
  BootPacer pacer(1, 1, clock.function());
  int longest = 0;
  for (int i = 0; i < 3700; ++i)
    longest = std::max(longest, pacer.boot("S" + std::to_string(i)).retry_in_s);
  CHECK(longest == BootPacer::kMaxIntervalS);
  CHECK(pacer.reserved() < 3700);
}

TEST_CASE(
    "admission and per-station limit keys come from the file and flags - bad ones are refused",
    "[admission][config]") {
  bool help = false;
  auto defaults = csms::parse_config({}, help);
  CHECK(defaults.max_upgrades_per_s == 2500);
  CHECK(defaults.upgrade_burst == 2500);
  CHECK(defaults.max_boots_per_s == 2500);
  CHECK(defaults.boot_burst == 2500);
  CHECK(defaults.max_calls_per_s == 20);
  CHECK(defaults.handshake_timeout_ms == 5000);
  auto c = csms::parse_config(
      {"--max-upgrades-per-s", "0", "--upgrade-burst", "5", "--max-boots-per-s", "7",
       "--boot-burst", "8", "--max-calls-per-s", "3", "--call-burst", "4", "--max-calls-in-flight",
       "2", "--flood-close-after", "9", "--handshake-timeout", "500"},
      help);
  CHECK(c.max_upgrades_per_s == 0);
  CHECK(c.upgrade_burst == 5);
  CHECK(c.max_boots_per_s == 7);
  CHECK(c.boot_burst == 8);
  CHECK(c.max_calls_per_s == 3);
  CHECK(c.call_burst == 4);
  CHECK(c.max_calls_in_flight == 2);
  CHECK(c.flood_close_after == 9);
  CHECK(c.handshake_timeout_ms == 500);
  auto refused = [&](std::vector<std::string> args, const std::string& names) {
    try {
      csms::parse_config(args, help);
    } catch (const std::invalid_argument& e) {
      return contains(e.what(), names);
    }
    return false;
  };
  CHECK(refused({"--max-upgrades-per-s", "-1"}, "--max-upgrades-per-s"));
  CHECK(refused({"--upgrade-burst", "0"}, "--upgrade-burst"));
  CHECK(refused({"--max-calls-in-flight", "0"}, "--max-calls-in-flight"));
  CHECK(refused({"--handshake-timeout", "10"}, "--handshake-timeout"));
}

TEST_CASE("a station flooding CALLs is refused with GenericError and closed with 1008",
          "[admission][rpc]") {
  csms_test::Rig rig;
  rig.config.max_calls_per_s = 1;  // no token earned while the test runs
  rig.config.call_burst = 5;
  rig.config.max_calls_in_flight = 3;
  rig.config.flood_close_after = 4;
  rig.session = std::make_shared<csms::StationSession>(*rig.ctx, rig.conn, "CP1",
                                                       ocpp::Version::v16, rig.router);
  auto boot = rig.exchange(
      R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot[0].GetInt() == 3);
  const auto before = rig.conn->sent.size();
  // Without waiting for answers: 4 served from the burst (the boot took one),
  // 3 wait for the rate, the next 4 are refused and the 4th refusal closes.
  for (int i = 0; i < 20; ++i)
    rig.session->handle_text(R"([2,"h)" + std::to_string(i) + R"(","Heartbeat",{}])");
  CHECK(rig.conn->close_code == 1008);
  std::vector<rapidjson::Document> sent;
  for (auto i = before; i < rig.conn->sent.size(); ++i) {
    rapidjson::Document doc;
    doc.Parse(rig.conn->sent[i].c_str());
    sent.push_back(std::move(doc));
  }
  REQUIRE(sent.size() == 8);
  for (int i = 0; i < 4; ++i) CHECK(sent[i][0].GetInt() == 3);
  for (int i = 4; i < 8; ++i) {
    CHECK(sent[i][0].GetInt() == 4);
    CHECK(std::string(sent[i][2].GetString()) == "GenericError");
    CHECK(contains(sent[i][3].GetString(), "limits.max_calls_in_flight"));
  }
  CHECK(std::string(sent[4][1].GetString()) == "h7");
  const auto text = rig.metrics.render();
  CHECK(contains(text, "csms_calls_refused_total 4\n"));
  CHECK(contains(text, "csms_flood_disconnects_total 1\n"));
  CHECK(contains(text, "csms_calls_delayed_total 3\n"));
  // Frames arriving while the close completes are ignored, queued ones dropped.
  rig.session->handle_text(R"([2,"late","Heartbeat",{}])");
  CHECK(rig.conn->sent.size() == before + 8);
}

TEST_CASE(
    "a station that waits for each answer is only slowed down by the rate limit, never refused",
    "[admission][rpc]") {
  csms_test::Rig rig(ocpp::Version::v201);
  rig.config.max_calls_per_s = 20;
  rig.config.call_burst = 2;
  rig.config.max_calls_in_flight = 1;
  rig.config.flood_close_after = 1;
  rig.session = std::make_shared<csms::StationSession>(*rig.ctx, rig.conn, "CP1",
                                                       ocpp::Version::v201, rig.router);
  auto boot = rig.exchange(
      R"([2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}])");
  REQUIRE(boot[0].GetInt() == 3);
  for (int i = 0; i < 10; ++i) {
    auto answer = rig.exchange(R"([2,"h)" + std::to_string(i) + R"(","Heartbeat",{}])");
    CHECK(answer[0].GetInt() == 3);
  }
  CHECK(rig.conn->close_code == 0);
  const auto text = rig.metrics.render();
  CHECK(contains(text, "csms_calls_refused_total 0\n"));
  CHECK_FALSE(contains(text, "csms_calls_delayed_total 0\n"));
}
