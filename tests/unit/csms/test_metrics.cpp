// Metrics: Prometheus text exposition of counters, gauges and collectors.

#include <catch2/catch.hpp>
#include <string>

#include "csms/metrics.hpp"

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: every family has HELP and TYPE lines even when empty", "[metrics]") {
  csms::Metrics m;
  const std::string out = m.render();
  for (const char* family :
       {"csms_connected_stations gauge", "csms_messages_received_total counter",
        "csms_messages_sent_total counter", "csms_rpc_errors_total counter",
        "csms_auth_failures_total counter", "csms_connections_rejected_total counter"}) {
    const std::string name = std::string(family).substr(0, std::string(family).find(' '));
    CHECK(contains(out, "# HELP " + name + " "));
    CHECK(contains(out, "# TYPE " + std::string(family) + "\n"));
  }
  CHECK(contains(out, "\ncsms_connected_stations 0\n"));
  CHECK(contains(out, "\ncsms_auth_failures_total 0\n"));
  CHECK(out.back() == '\n');
}

TEST_CASE("metrics: counters by label and the connected gauge", "[metrics]") {
  csms::Metrics m;
  m.station_connected();
  m.station_connected();
  m.station_disconnected();
  m.message_in("Heartbeat");
  m.message_in("Heartbeat");
  m.message_in("BootNotification");
  m.message_out("Reset");
  m.rpc_error("FormationViolation");
  m.auth_failure();
  m.connection_rejected(401);
  m.connection_rejected(401);
  m.connection_rejected(404);
  const std::string out = m.render();
  CHECK(m.connected() == 1);
  CHECK(contains(out, "\ncsms_connected_stations 1\n"));
  CHECK(contains(out, "\ncsms_messages_received_total{action=\"Heartbeat\"} 2\n"));
  CHECK(contains(out, "\ncsms_messages_received_total{action=\"BootNotification\"} 1\n"));
  CHECK(contains(out, "\ncsms_messages_sent_total{action=\"Reset\"} 1\n"));
  CHECK(contains(out, "\ncsms_rpc_errors_total{code=\"FormationViolation\"} 1\n"));
  CHECK(contains(out, "\ncsms_auth_failures_total 1\n"));
  CHECK(contains(out, "\ncsms_connections_rejected_total{status=\"401\"} 2\n"));
  CHECK(contains(out, "\ncsms_connections_rejected_total{status=\"404\"} 1\n"));
}

TEST_CASE("metrics: label values are escaped and made valid UTF-8", "[metrics]") {
  csms::Metrics m;
  m.message_in("a\"b\\c\nd");
  m.message_in(std::string("bad\xff"));
  const std::string out = m.render();
  CHECK(contains(out, "{action=\"a\\\"b\\\\c\\nd\"} 1\n"));
  CHECK(contains(out, "{action=\"bad\xEF\xBF\xBD\"} 1\n"));
}

TEST_CASE("metrics: a family keeps a bounded number of label values", "[metrics]") {
  csms::Metrics m;
  for (std::size_t i = 0; i < csms::Metrics::kMaxLabelValues + 10; ++i)
    m.message_in("Action" + std::to_string(i));
  const std::string out = m.render();
  CHECK(contains(out, "{action=\"Action0\"} 1\n"));
  CHECK_FALSE(contains(
      out, "{action=\"Action" + std::to_string(csms::Metrics::kMaxLabelValues + 5) + "\"}"));
  CHECK(contains(out, "{action=\"other\"} 10\n"));
}

TEST_CASE("metrics: collectors append their lines after the built-in families", "[metrics]") {
  csms::Metrics m;
  m.add_collector([](std::string& out) {
    out += "# HELP csms_active_transactions Open transactions.\n";
    out += "# TYPE csms_active_transactions gauge\n";
    out += "csms_active_transactions 3";  // No trailing newline: render() adds it.
  });
  m.add_collector([](std::string& out) { out += "x_total 1\n"; });
  const std::string out = m.render();
  const auto builtin = out.find("csms_connections_rejected_total");
  const auto collected = out.find("csms_active_transactions 3\n");
  REQUIRE(collected != std::string::npos);
  CHECK(builtin < collected);
  CHECK(contains(out, "csms_active_transactions 3\nx_total 1\n"));
}
