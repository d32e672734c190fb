// SIGTERM drains (docs/operations.md, "Signals"): new connections are
// refused, stations are closed with 1001 at a bounded rate once their CALLs
// are answered, storage is flushed, and csms exits 0.
#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/harness.hpp"
#include "support/raw_socket.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("SIGTERM closes every station with 1001 and keeps every acknowledged message",
          "[e2e][shutdown]") {
  TempDir dir;
  // A slow drain rate, so the stations are closed over a few ticks.
  Csms csms(dir, {"--shutdown-drain-rate", "10", "--shutdown-timeout", "20"});
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  constexpr int kStations = 12;
  std::vector<std::unique_ptr<WsClient>> stations;
  std::set<std::int64_t> acknowledged;
  for (int i = 0; i < kStations; ++i) {
    const std::string id = "DRAIN" + std::to_string(i);
    REQUIRE(csms.ctl({"station", "add", id}).code == 0);
    auto ws = std::make_unique<WsClient>(csms.ocpp_port(), "/ocpp/" + id);
    REQUIRE(ws->open());
    auto boot = ws->call(
        R"([2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
    REQUIRE(boot);
    REQUIRE(str((*boot)[2]["status"]) == "Accepted");
    auto start = ws->call(
        R"([2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":0,"timestamp":"2026-03-01T10:00:00Z"}])");
    REQUIRE(start);
    acknowledged.insert((*start)[2]["transactionId"].GetInt64());
    stations.push_back(std::move(ws));
  }
  // A second transaction from every station is in flight as the signal comes.
  for (auto& ws : stations)
    REQUIRE(ws->send(
        R"([2,"s2","StartTransaction",{"connectorId":2,"idTag":"TAG1","meterStart":0,"timestamp":"2026-03-01T10:05:00Z"}])"));
  csms.process().signal(SIGTERM);
  // A load balancer's health check sees the drain (once the signal is handled).
  std::string health;
  CHECK(eventually([&] {
    RawSocket s(csms.admin_port());
    if (!s.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
      return false;
    health = s.read(5s);
    return health.rfind("HTTP/1.1 503", 0) == 0;
  }));
  CHECK(health.find("\"draining\"") != std::string::npos);

  for (auto& ws : stations) {
    // The answer, when it came before the close, is an acknowledgement.
    if (auto reply = ws->receive(10s)) {
      rapidjson::Document frame;
      frame.Parse(reply->c_str());
      if (frame.IsArray() && frame[0].GetInt() == 3)
        acknowledged.insert(frame[2]["transactionId"].GetInt64());
    }
    CHECK(ws->wait_closed(10s) == 1001);
  }
  // No new station gets in while the server drains or after.
  WsClient late(csms.ocpp_port(), "/ocpp/DRAIN0");
  CHECK_FALSE(late.open());

  CHECK(csms.process().wait(25s).value_or(-1) == 0);
  const auto log = csms.process().stderr_text();
  CHECK(log.find("SIGTERM received: shutting down") != std::string::npos);
  CHECK(log.find("station connection(s) closed in") != std::string::npos);
  CHECK(log.find("shutdown complete") != std::string::npos);

  // Every transaction a station was told about is in the database.
  csms.restart();
  auto txs = csms.ctl_json({"tx", "list"});
  std::set<std::int64_t> stored;
  for (const auto& tx : txs.GetArray()) stored.insert(tx["id"].GetInt64());
  for (auto id : acknowledged) {
    INFO("transaction " << id);
    CHECK(stored.count(id) == 1);
  }
  CHECK(acknowledged.size() >= static_cast<std::size_t>(kStations));
}
