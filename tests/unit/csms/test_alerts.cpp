// The alert rules on a manual clock: every kind opens and closes, and an open
// alert is not opened twice.
#include <catch2/catch.hpp>

#include "csms/metrics.hpp"
#include "services/alerts.hpp"
#include "services/webhook.hpp"

using csms::AlertChange;
using csms::AlertEngine;
using csms::AlertThresholds;
using storage::ConnectorStatus;
using storage::DateTime;
namespace kind = csms::alert_kind;

namespace {

const std::int64_t kBase = 1'790'000'000'000'000;

DateTime at(std::int64_t seconds) {
  return DateTime::from_unix_micros(kBase + seconds * 1'000'000);
}

AlertThresholds thresholds() {
  AlertThresholds t;
  t.offline_after_s = 60;
  t.heartbeat_missing_after_s = 120;
  t.stuck_after_s = 300;
  t.transaction_max_s = 3600;
  t.meter_silence_s = 600;
  t.boot_loop_count = 3;
  t.auth_failure_count = 3;
  t.auth_failure_window_s = 60;
  return t;
}

std::size_t opened(const std::vector<AlertChange>& changes, const std::string& k) {
  std::size_t n = 0;
  for (const auto& c : changes) n += c.opened && c.alert.kind == k;
  return n;
}

std::size_t closed(const std::vector<AlertChange>& changes, const std::string& k) {
  std::size_t n = 0;
  for (const auto& c : changes) n += !c.opened && c.alert.kind == k;
  return n;
}

}  // namespace

TEST_CASE("a station offline past the threshold opens station_offline, connecting closes it",
          "[alerts]") {
  AlertEngine e(thresholds());
  e.station_online("CS1", at(0));
  e.station_offline("CS1", at(10));
  e.tick(at(60));
  CHECK(e.take().empty());  // 50 s offline
  e.tick(at(70));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kStationOffline) == 1);
  CHECK(changes[0].alert.station_id == "CS1");
  e.tick(at(200));
  CHECK(e.take().empty());  // not opened twice
  e.station_online("CS1", at(210));
  changes = e.take();
  REQUIRE(closed(changes, kind::kStationOffline) == 1);
  CHECK(changes[0].alert.closed_at->unix_micros() == at(210).unix_micros());
  CHECK(changes[0].alert.close_reason == "station connected");
}

TEST_CASE("a connected station silent past the threshold opens heartbeat_missing", "[alerts]") {
  AlertEngine e(thresholds());
  e.station_online("CS1", at(0));
  e.station_activity("CS1", at(100));
  e.tick(at(200));
  CHECK(e.take().empty());
  e.tick(at(221));
  CHECK(opened(e.take(), kind::kHeartbeatMissing) == 1);
  e.station_activity("CS1", at(230));
  CHECK(closed(e.take(), kind::kHeartbeatMissing) == 1);
}

TEST_CASE("a Faulted connector opens connector_faulted with the vendor code, Available closes it",
          "[alerts]") {
  AlertEngine e(thresholds());
  e.connector_status("CS1", 2, ConnectorStatus::Faulted, "GroundFailure", "E-042", "RCD tripped",
                     at(0));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kConnectorFaulted) == 1);
  CHECK(changes[0].alert.connector_id == 2);
  CHECK(changes[0].alert.details.find("E-042") != std::string::npos);
  CHECK(changes[0].alert.details.find("GroundFailure") != std::string::npos);
  e.connector_status("CS1", 2, ConnectorStatus::Faulted, "GroundFailure", "E-042", "", at(5));
  CHECK(e.take().empty());  // same kind, station and connector: still the one alert
  e.connector_status("CS1", 1, ConnectorStatus::Available, "NoError", "", "", at(6));
  CHECK(e.take().empty());  // another connector
  e.connector_status("CS1", 2, ConnectorStatus::Available, "NoError", "", "", at(7));
  changes = e.take();
  REQUIRE(closed(changes, kind::kConnectorFaulted) == 1);
  CHECK(changes[0].alert.close_reason == "status Available");
}

TEST_CASE("a connector Preparing or Finishing too long opens connector_stuck", "[alerts]") {
  AlertEngine e(thresholds());
  e.connector_status("CS1", 1, ConnectorStatus::Preparing, "", "", "", at(0));
  e.connector_status("CS1", 1, ConnectorStatus::Preparing, "", "", "", at(200));  // repeated
  e.tick(at(299));
  CHECK(e.take().empty());
  e.tick(at(300));
  CHECK(opened(e.take(), kind::kConnectorStuck) == 1);
  e.connector_status("CS1", 1, ConnectorStatus::Charging, "", "", "", at(310));
  CHECK(closed(e.take(), kind::kConnectorStuck) == 1);
  e.connector_status("CS1", 1, ConnectorStatus::Finishing, "", "", "", at(400));
  e.tick(at(650));
  CHECK(e.take().empty());
  e.tick(at(700));
  CHECK(opened(e.take(), kind::kConnectorStuck) == 1);
}

TEST_CASE("a transaction open too long opens transaction_long, its end closes it", "[alerts]") {
  AlertEngine e(thresholds());
  e.transaction_started("CS1", 1, 7, at(-3000), at(0));
  e.transaction_meter(7, 100.0, at(500));
  e.tick(at(599));
  CHECK(e.take().empty());
  e.tick(at(600));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kTransactionLong) == 1);
  CHECK(changes[0].alert.details.find("transaction 7") != std::string::npos);
  e.transaction_ended(7, "closed by the operator", std::nullopt, at(700));
  changes = e.take();
  REQUIRE(closed(changes, kind::kTransactionLong) == 1);
  CHECK(changes[0].alert.close_reason == "closed by the operator");
}

TEST_CASE("a transaction without meter values opens transaction_no_meter_values", "[alerts]") {
  AlertEngine e(thresholds());
  e.transaction_started("CS1", 1, 8, at(0), at(0));
  e.tick(at(599));
  CHECK(e.take().empty());
  e.tick(at(600));
  CHECK(opened(e.take(), kind::kTransactionNoMeterValues) == 1);
  e.transaction_meter(8, std::nullopt, at(610));
  CHECK(closed(e.take(), kind::kTransactionNoMeterValues) == 1);
  e.transaction_started("CS1", 1, 8, at(0), at(620));  // a retried start changes nothing
  e.tick(at(1209));
  CHECK(e.take().empty());
}

TEST_CASE("an energy register going backwards opens meter_backwards", "[alerts]") {
  AlertEngine e(thresholds());
  e.transaction_started("CS1", 1, 9, at(0), at(0));
  e.transaction_meter(9, 1000.0, at(10));
  e.transaction_meter(9, 1500.0, at(20));
  CHECK(e.take().empty());
  e.transaction_meter(9, 1200.0, at(30));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kMeterBackwards) == 1);
  CHECK(changes[0].alert.details.find("1500") != std::string::npos);
  e.transaction_ended(9, "stopped", 1600.0, at(40));
  CHECK(e.take().empty());  // stays open past the transaction
  e.transaction_started("CS1", 1, 10, at(50), at(50));
  CHECK(closed(e.take(), kind::kMeterBackwards) == 1);
  // A stop reading below the last sample counts too.
  e.transaction_meter(10, 2000.0, at(60));
  e.transaction_ended(10, "stopped", 1900.0, at(70));
  CHECK(opened(e.take(), kind::kMeterBackwards) == 1);
}

TEST_CASE("a failed firmware update opens firmware_failed, Installed closes it", "[alerts]") {
  AlertEngine e(thresholds());
  e.firmware_status("CS1", "Downloading", at(0));
  CHECK(e.take().empty());
  e.firmware_status("CS1", "InstallationFailed", at(10));
  CHECK(opened(e.take(), kind::kFirmwareFailed) == 1);
  e.firmware_status("CS1", "Installed", at(20));
  CHECK(closed(e.take(), kind::kFirmwareFailed) == 1);
}

TEST_CASE("a failed certificate renewal opens certificate_renewal_failed", "[alerts]") {
  AlertEngine e(thresholds());
  e.certificate_renewal("CS1", false, "CSR rejected: key too short", at(0));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kCertificateRenewalFailed) == 1);
  CHECK(changes[0].alert.details == "CSR rejected: key too short");
  e.certificate_renewal("CS1", true, "", at(10));
  CHECK(closed(e.take(), kind::kCertificateRenewalFailed) == 1);
}

TEST_CASE("more boots in an hour than the threshold open boot_loop", "[alerts]") {
  AlertEngine e(thresholds());
  for (int i = 0; i < 3; ++i) e.boot("CS1", at(i * 600));
  CHECK(e.take().empty());
  e.boot("CS1", at(1900));
  CHECK(opened(e.take(), kind::kBootLoop) == 1);
  e.tick(at(5000));
  CHECK(e.take().empty());  // the last boot is less than an hour old
  e.tick(at(5501));
  CHECK(closed(e.take(), kind::kBootLoop) == 1);
  // Boots spread over more than an hour are no loop.
  for (int i = 0; i < 6; ++i) e.boot("CS2", at(10000 + i * 1300));
  CHECK(e.take().empty());
}

TEST_CASE("repeated rejected authorizations at one station open authorization_failures",
          "[alerts]") {
  AlertEngine e(thresholds());
  e.authorization("CS1", "BAD1", false, at(0));
  e.authorization("CS1", "GOOD", true, at(1));
  e.authorization("CS1", "BAD2", false, at(10));
  e.authorization("CS2", "BAD3", false, at(11));  // another station
  CHECK(e.take().empty());
  e.authorization("CS1", "BAD3", false, at(20));
  auto changes = e.take();
  REQUIRE(opened(changes, kind::kAuthorizationFailures) == 1);
  CHECK(changes[0].alert.details.find("BAD3") != std::string::npos);
  e.tick(at(79));
  CHECK(e.take().empty());
  e.tick(at(81));
  CHECK(closed(e.take(), kind::kAuthorizationFailures) == 1);
}

TEST_CASE("alerts restored from storage are not opened again", "[alerts]") {
  AlertEngine e(thresholds());
  storage::Alert open;
  open.id = 41;
  open.kind = kind::kConnectorFaulted;
  open.station_id = "CS1";
  open.connector_id = 1;
  e.restore({open});
  e.connector_status("CS1", 1, ConnectorStatus::Faulted, "OtherError", "", "", at(0));
  CHECK(e.take().empty());
  e.connector_status("CS1", 1, ConnectorStatus::Available, "", "", "", at(1));
  auto changes = e.take();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].alert.id == 41);
}

TEST_CASE("the webhook signature is the hex HMAC-SHA256 of the body", "[alerts][webhook]") {
  // RFC 4231 test case 2.
  CHECK(csms::webhook_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(csms::webhook_signature("other", "what do ya want for nothing?") !=
        csms::webhook_signature("Jefe", "what do ya want for nothing?"));
}

TEST_CASE("webhook URLs are http or https with a host", "[alerts][webhook]") {
  auto u = csms::parse_webhook_url("https://hooks.example.com/csms/alerts?x=1");
  CHECK(u.tls);
  CHECK(u.host == "hooks.example.com");
  CHECK(u.port == "443");
  CHECK(u.target == "/csms/alerts?x=1");
  auto p = csms::parse_webhook_url("http://127.0.0.1:9000");
  CHECK_FALSE(p.tls);
  CHECK(p.port == "9000");
  CHECK(p.target == "/");
  CHECK_THROWS(csms::parse_webhook_url("ftp://x/"));
  CHECK_THROWS(csms::parse_webhook_url("http://user:pw@host/"));
  CHECK_THROWS(csms::parse_webhook_url("http://host:99999/"));
}

TEST_CASE("alert and webhook counters are in the metrics", "[alerts][metrics]") {
  csms::Metrics m;
  m.alert_opened();
  m.webhook_gave_up();
  const auto text = m.render();
  CHECK(text.find("csms_alerts_opened_total 1") != std::string::npos);
  CHECK(text.find("csms_alert_webhook_gave_up_total 1") != std::string::npos);
  CHECK(text.find("csms_alert_webhook_delivered_total 0") != std::string::npos);
}
