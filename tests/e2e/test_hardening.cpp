// Hardening against a hostile station or client (docs/security.md): each case
// reproduces a finding of the December 2026 probe and checks it stays fixed.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

/// The database's size on disk, its write-ahead log included.
std::uintmax_t db_bytes(const Csms& csms) {
  std::uintmax_t total = 0;
  for (const auto* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(csms.db_path() + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

/// Whether `csmsctl events --json` lists an event of `type` for `station`.
bool has_event(const Csms& csms, const std::string& station, const std::string& type) {
  auto events = csms.ctl_json({"events"});
  for (const auto& e : events.GetArray())
    if (str(e["type"]) == type && str(e["stationId"]) == station) return true;
  return false;
}

}  // namespace

TEST_CASE("a flood of unsolicited CALLRESULTs is not stored whole and closes the connection",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "JUNK"}).code == 0);  // no password, never boots
  REQUIRE(csms.ctl({"station", "add", "GOOD"}).code == 0);
  WsClient good(csms.ocpp_port(), "/ocpp/GOOD");
  REQUIRE(good.open());
  REQUIRE(
      good.call(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])"));
  REQUIRE(eventually([&] { return db_bytes(csms) > 0; }));
  const auto before = db_bytes(csms);

  WsClient junk(csms.ocpp_port(), "/ocpp/JUNK");
  REQUIRE(junk.open());
  const std::string pad(60000, 'x');
  int sent = 0;
  for (; sent < 2000; ++sent)
    if (!junk.send(R"([3,"junk-)" + std::to_string(sent) + R"(",{"pad":")" + pad + R"("}])")) break;
  INFO("frames sent: " << sent);
  // Closed with 1008; a reset instead (0) when the teardown meets the sender's
  // own unread traffic, so the server's log says which it was.
  const int code = junk.wait_closed(10s);
  CHECK((code == 1008 || code == 0));
  CHECK(eventually([&] {
    return csms.process().stderr_text().find(
               "JUNK: 10 malformed or unexpected frames within a minute, closing") !=
           std::string::npos;
  }));
  // The records of the drops reach the log, each a short prefix with the size.
  REQUIRE(eventually([&] {
    return csms.ctl({"log", "JUNK", "--json"}).out.find("not stored whole") != std::string::npos;
  }));
  auto log = csms.ctl_json({"log", "JUNK", "--limit", "1000"});
  REQUIRE(log.IsArray());
  CHECK(log.Size() <= 20);
  for (const auto& f : log.GetArray()) CHECK(str(f["frame"]).size() < 1000);
  CHECK(db_bytes(csms) < before + 2 * 1024 * 1024);
  CHECK(eventually([&] { return has_event(csms, "JUNK", "InvalidMessages"); }));
  // The other station is served throughout.
  auto hb = good.call(R"([2,"h","Heartbeat",{}])");
  REQUIRE(hb);
  CHECK((*hb)[0].GetInt() == 3);
}

TEST_CASE("malformed frames between valid Heartbeats still close the connection",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "BAD"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/BAD");
  REQUIRE(ws.open());
  REQUIRE(
      ws.call(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])"));
  const std::string garbage(60000, '#');
  bool closed = false;
  for (int round = 0; round < 10 && !closed; ++round) {
    for (int i = 0; i < 9; ++i) ws.send(garbage);
    closed = !ws.call(R"([2,"h)" + std::to_string(round) + R"(","Heartbeat",{}])");
  }
  CHECK(closed);
  CHECK(ws.wait_closed() == 1008);
  REQUIRE(eventually([&] {
    return csms.ctl({"log", "BAD", "--json"}).out.find("malformed") != std::string::npos;
  }));
  auto log = csms.ctl_json({"log", "BAD", "--limit", "500"});
  for (const auto& f : log.GetArray()) CHECK(str(f["frame"]).size() < 1000);
}
