// Who may connect, and how: identity, HTTP Basic auth (security profile 1),
// subprotocol negotiation, duplicate identities, frame size.
#include <catch2/catch.hpp>

#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {
const std::string kPassword = "correct-horse-battery";
}

TEST_CASE("an unknown station is refused with 404 and no upgrade", "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  WsClient ws(csms.ocpp_port(), "/ocpp/NOBODY");
  CHECK_FALSE(ws.open());
  CHECK(ws.status() == 404);
}

TEST_CASE("a path outside the OCPP prefix is refused with 404", "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/other/CP1");
  CHECK(ws.status() == 404);
}

TEST_CASE("a registered station connects with ocpp1.6 and a percent-encoded identity",
          "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP-1.a"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/CP%2D1.a");
  REQUIRE(ws.open());
  CHECK(ws.subprotocol() == "ocpp1.6");
}

TEST_CASE("wrong or missing credentials get 401 and a recorded security event",
          "[e2e][connection][security]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1", "--password", kPassword}).code == 0);

  WsClient none(csms.ocpp_port(), "/ocpp/CP1");
  CHECK(none.status() == 401);
  WsClient::Options wrong;
  wrong.authorization = basic_auth("CP1", "not-the-password-at-all");
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1", wrong).status() == 401);
  WsClient::Options other_user;
  other_user.authorization = basic_auth("CP2", kPassword);
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1", other_user).status() == 401);

  WsClient::Options right;
  right.authorization = basic_auth("CP1", kPassword);
  WsClient ok(csms.ocpp_port(), "/ocpp/CP1", right);
  CHECK(ok.open());

  auto events = csms.ctl_json({"events"});
  REQUIRE(events.IsArray());
  int invalid = 0;
  for (const auto& e : events.GetArray())
    if (std::string(e["type"].GetString()) == "InvalidCredentials") ++invalid;
  CHECK(invalid == 3);
  // The password never appears in the log.
  CHECK(csms.process().stderr_text().find(kPassword) == std::string::npos);
}

TEST_CASE("repeated login failures are throttled with 429 without affecting other stations",
          "[e2e][connection][security]") {
  TempDir dir;
  Csms csms(dir, {"--auth-failure-limit", "3"});
  REQUIRE(csms.ctl({"station", "add", "CP1", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "CP2"}).code == 0);
  WsClient::Options wrong;
  wrong.authorization = basic_auth("CP1", "not-the-password-at-all");
  for (int i = 0; i < 3; ++i) CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1", wrong).status() == 401);
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1", wrong).status() == 429);
  // Even the right password waits out the throttle for this identity...
  WsClient::Options right;
  right.authorization = basic_auth("CP1", kPassword);
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1", right).status() == 429);
  // ...while another station from the same address connects as usual.
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP2").open());
}

TEST_CASE("without an acceptable subprotocol the handshake completes and the server closes",
          "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient::Options opts;
  opts.subprotocols = {"ocpp1.5"};
  WsClient ws(csms.ocpp_port(), "/ocpp/CP1", opts);
  REQUIRE(ws.open());
  CHECK(ws.subprotocol().empty());
  CHECK(ws.wait_closed() == 1002);
}

TEST_CASE("an authenticated second connection replaces the first - closing the old keeps the new",
          "[e2e][connection][security]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1", "--password", kPassword}).code == 0);
  WsClient::Options right;
  right.authorization = basic_auth("CP1", kPassword);
  WsClient first(csms.ocpp_port(), "/ocpp/CP1", right);
  REQUIRE(first.open());
  WsClient second(csms.ocpp_port(), "/ocpp/CP1", right);
  REQUIRE(second.open());
  CHECK(first.wait_closed() != 0);
  // The new connection is the live one: it is answered.
  auto boot = second.call(
      R"([2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  CHECK((*boot)[0].GetInt() == 3);
  auto stations = csms.ctl_json({"station", "list"});
  REQUIRE(stations.Size() == 1);
  CHECK(stations[0]["connected"].GetBool());
  bool replaced = false;
  auto events = csms.ctl_json({"events"});
  for (const auto& e : events.GetArray())
    replaced = replaced || std::string(e["type"].GetString()) == "ConnectionReplaced";
  CHECK(replaced);
}

TEST_CASE("an unauthenticated connection never displaces a live station", "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient first(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(first.open());
  WsClient second(csms.ocpp_port(), "/ocpp/CP1");
  CHECK(second.status() == 409);
  auto boot =
      first.call(R"([2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  CHECK((*boot)[0].GetInt() == 3);
}

TEST_CASE("a frame over the size limit closes the connection with 1009", "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir, {"--max-message-size", "2048"});
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(ws.open());
  ws.send(R"([2,"1","DataTransfer",{"vendorId":"x","data":")" + std::string(4000, 'a') + "\"}]");
  CHECK(ws.wait_closed() == 1009);
}

TEST_CASE("unknown stations are auto-registered with --accept-unknown and booted Pending",
          "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir, {"--accept-unknown"});
  WsClient ws(csms.ocpp_port(), "/ocpp/NEW1");
  REQUIRE(ws.open());
  auto boot =
      ws.call(R"([2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  REQUIRE(boot);
  CHECK(std::string((*boot)[2]["status"].GetString()) == "Pending");
  auto hb = ws.call(R"([2,"h1","Heartbeat",{}])");
  REQUIRE(hb);
  CHECK(std::string((*hb)[2].GetString()) == "SecurityError");
}

TEST_CASE("a half-open connection that stops answering pings is marked offline",
          "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir, {"--ping-interval", "1", "--pong-timeout", "1"});
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(ws.open());
  CHECK(csms.ctl_json({"station", "list"})[0]["connected"].GetBool());
  // The client reads nothing from now on, so it never answers a ping: to the
  // server it looks exactly like a half-open TCP connection.
  CHECK(eventually(
      [&] {
        return !csms.ctl_json({"station", "list"})[0]["connected"].GetBool();
      },
      10s, 100ms));
}

TEST_CASE("removing a connected station closes its connection and refuses it afterwards",
          "[e2e][connection]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/CP1");
  REQUIRE(ws.open());
  REQUIRE(csms.ctl({"station", "remove", "CP1"}).code == 0);
  CHECK(ws.wait_closed() == 1008);
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/CP1").status() == 404);
}
