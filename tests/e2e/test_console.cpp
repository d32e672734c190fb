// The console's live stream against the real server: what stations do shows up
// as events on GET /api/stream, and the console's files are served.
#include <catch2/catch.hpp>

#include <signal.h>

#include <string>

#include "support/harness.hpp"
#include "support/raw_socket.hpp"

using namespace e2e;

namespace {

std::string request(const std::string& target, const std::string& token) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") +
         "Connection: close\r\n\r\n";
}

}  // namespace

TEST_CASE("the live stream reports a station connecting, a session and the station going away",
          "[e2e][console]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP-LIVE"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG-LIVE"}).code == 0);

  RawSocket stream(csms.admin_port());
  REQUIRE(stream.send(request("/api/stream", csms.token())));
  auto got = stream.read(5s, ": connected\n\n");
  REQUIRE(got.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(got.find("text/event-stream") != std::string::npos);

  auto sim =
      std::make_unique<Sim>(csms, "CP-LIVE", std::vector<std::string>{"--meter-interval", "1"});
  got = stream.read(15s, "data: {\"id\":\"CP-LIVE\",\"connected\":true}");
  REQUIRE(got.find("data: {\"id\":\"CP-LIVE\",\"connected\":true}") != std::string::npos);
  REQUIRE(sim->wait_event("boot", 20s));
  REQUIRE(csms.ctl({"cmd", "CP-LIVE", "remote-start", "--connector", "1", "--idtag", "TAG-LIVE"})
              .code == 0);
  got = stream.read(15s, "\"event\":\"started\"");
  CHECK(got.find(
            "event: transaction\ndata: {\"station\":\"CP-LIVE\",\"id\":1,\"event\":\"started\"}") !=
        std::string::npos);
  got = stream.read(15s, "\"status\":\"Charging\"");
  CHECK(got.find("event: connector\ndata: {\"station\":\"CP-LIVE\",\"evseId\":0,\"connectorId\":1,"
                 "\"status\":\"Charging\"") != std::string::npos);
  got = stream.read(15s, "event: meter\ndata: {\"station\":\"CP-LIVE\",\"transactionId\":1}");
  CHECK(got.find("event: meter\ndata: {\"station\":\"CP-LIVE\",\"transactionId\":1}") !=
        std::string::npos);

  sim->process().signal(SIGKILL);
  got = stream.read(5s, "data: {\"id\":\"CP-LIVE\",\"connected\":false}");
  CHECK(got.find("data: {\"id\":\"CP-LIVE\",\"connected\":false}") != std::string::npos);
  CHECK_FALSE(stream.closed());
}

TEST_CASE("the console is served at /console/ without a token, the stream only with one",
          "[e2e][console]") {
  TempDir dir;
  Csms csms(dir);
  RawSocket page(csms.admin_port());
  REQUIRE(page.send(request("/console/", "")));
  auto got = page.read(5s);
  CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(got.find("<title>csms console</title>") != std::string::npos);

  RawSocket stream(csms.admin_port());
  REQUIRE(stream.send(request("/api/stream", "")));
  got = stream.read(5s);
  CHECK(got.rfind("HTTP/1.1 401", 0) == 0);
}

TEST_CASE("the live stream names a 2.0.1 session by the station's transaction id",
          "[e2e][console]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS-LIVE"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG-LIVE"}).code == 0);
  RawSocket stream(csms.admin_port());
  REQUIRE(stream.send(request("/api/stream", csms.token())));
  REQUIRE(stream.read(5s, ": connected\n\n").rfind("HTTP/1.1 200", 0) == 0);
  Sim sim(csms, "CS-LIVE", {"--ocpp", "2.0.1"});
  REQUIRE(sim.wait_event("boot", 20s));
  REQUIRE(csms.ctl({"cmd", "CS-LIVE", "remote-start", "--evse", "1", "--idtag", "TAG-LIVE"}).code ==
          0);
  const std::string prefix = "event: transaction\ndata: {\"station\":\"CS-LIVE\",\"id\":\"";
  auto got = stream.read(15s, prefix);
  REQUIRE(got.find(prefix) != std::string::npos);
  got = stream.read(5s, "\"event\":\"started\"}");
  const auto at = got.find(prefix) + prefix.size();
  const std::string id = got.substr(at, got.find('"', at) - at);
  auto tx = csms.ctl_json({"tx", "show", id, "--station", "CS-LIVE"});
  CHECK(std::string(tx["stationId"].GetString()) == "CS-LIVE");
}
