// Hardening against a hostile station or client (docs/security.md): each case
// reproduces a finding of the December 2026 probe and checks it stays fixed.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/harness.hpp"
#include "support/raw_socket.hpp"

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

/// The HTTP status at the start of `reply`, 0 if none.
int http_status(const std::string& reply) {
  return reply.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(reply.substr(9, 3)) : 0;
}

/// "PUT <path> ..." headers for an upload of `length` bytes.
std::string put_headers(const std::string& path, std::size_t length, bool expect_continue) {
  return "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n" +
         (expect_continue ? "Expect: 100-continue\r\n" : "") +
         "Content-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}

/// A station whose own upload failed (the limit is below its file's size), so
/// its upload URL is still unused: returns the port and the URL's path.
struct UnusedUpload {
  std::uint16_t port = 0;
  std::string path;  ///< "/uploads/<token>/"
};
UnusedUpload unused_upload(const Csms& csms, Sim& sim, const std::string& id) {
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto answer = csms.ctl_json({"cmd", id, "diagnostics"});
  const std::string location = str(answer["response"]["location"]);
  const std::string prefix = "http://127.0.0.1:";
  REQUIRE(location.rfind(prefix, 0) == 0);
  const auto slash = location.find('/', prefix.size());
  REQUIRE(eventually([&] {
    auto doc = csms.ctl_json({"station", "firmware", id, "--topic", "diagnostics"});
    return doc["history"].Size() > 0 && str(doc["history"][0]["status"]) == "UploadFailed";
  }));
  UnusedUpload u;
  u.port = static_cast<std::uint16_t>(std::stoi(location.substr(prefix.size(), slash)));
  u.path = location.substr(slash);
  return u;
}

/// The permission bits of `path`, or -1.
int mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
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
  // 1008, or a reset (0) when the teardown meets our own unread garbage.
  const int code = ws.wait_closed();
  CHECK((code == 1008 || code == 0));
  CHECK(eventually([&] { return has_event(csms, "BAD", "InvalidMessages"); }));
  REQUIRE(eventually([&] {
    return csms.ctl({"log", "BAD", "--json"}).out.find("malformed") != std::string::npos;
  }));
  auto log = csms.ctl_json({"log", "BAD", "--limit", "500"});
  for (const auto& f : log.GetArray()) CHECK(str(f["frame"]).size() < 1000);
}

namespace {

const std::string kPassword = "correct-horse-battery";

/// The HTTP status of an upgrade for `id` from `from` with `password` ("" : none).
int upgrade_status(const Csms& csms, const std::string& id, const std::string& from,
                   const std::string& password) {
  WsClient::Options o;
  o.source_address = from;
  if (!password.empty()) o.authorization = basic_auth(id, password);
  return WsClient(csms.ocpp_port(), "/ocpp/" + id, o).status();
}

}  // namespace

TEST_CASE("wrong guesses from one address never refuse the station's password from another",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "P07", "--password", kPassword}).code == 0);
  for (int i = 0; i < 6; ++i)
    CHECK(upgrade_status(csms, "P07", "127.0.0.7", "wrong-guess-number-" + std::to_string(i)) ==
          (i < 5 ? 401 : 429));
  CHECK(upgrade_status(csms, "P07", "127.0.0.8", kPassword) == 101);
  // The throttled attempt is logged with its reason.
  CHECK(eventually([&] {
    return csms.process().stderr_text().find("P07: login from 127.0.0.7 refused with 429") !=
           std::string::npos;
  }));
}

TEST_CASE(
    "failed logins for other stations from an address refuse neither password-less "
    "stations nor stations known there",
    "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir, {"--auth-failure-limit", "2"});  // the address limit is 10 times that: 20
  REQUIRE(csms.ctl({"station", "add", "OPEN"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "HOME", "--password", kPassword}).code == 0);
  CHECK(upgrade_status(csms, "HOME", "127.0.0.9", kPassword) == 101);
  for (int s = 0; s < 10; ++s) {
    const std::string id = "S" + std::to_string(s);
    REQUIRE(csms.ctl({"station", "add", id, "--password", kPassword}).code == 0);
    for (int i = 0; i < 2; ++i) CHECK(upgrade_status(csms, id, "127.0.0.9", "wrong-guess") == 401);
  }
  // The address is over its limit for password attempts by strangers...
  CHECK(upgrade_status(csms, "S0", "127.0.0.9", kPassword) == 429);
  REQUIRE(csms.ctl({"station", "add", "NEWP", "--password", kPassword}).code == 0);
  CHECK(upgrade_status(csms, "NEWP", "127.0.0.9", kPassword) == 429);
  // ...but not for a password-less station, nor for one that logged in from there.
  CHECK(upgrade_status(csms, "OPEN", "127.0.0.9", "") == 101);
  CHECK(upgrade_status(csms, "HOME", "127.0.0.9", kPassword) == 101);
  CHECK(upgrade_status(csms, "NEWP", "127.0.0.10", kPassword) == 101);
}

TEST_CASE(
    "two uploads racing on one URL - the second is refused before its body and the file "
    "stays",
    "[e2e][security][hardening][uploads]") {
  TempDir dir;
  Csms csms(dir, {"--uploads-max-bytes", "512"});
  REQUIRE(csms.ctl({"station", "add", "UP1"}).code == 0);
  Sim sim(csms, "UP1");
  const auto upload = unused_upload(csms, sim, "UP1");
  const std::string body = "the first upload's bytes\n";

  // The first upload is let in (100 Continue comes after the token check)...
  RawSocket first(upload.port);
  REQUIRE(first.send(put_headers(upload.path + "same.txt", body.size(), true)));
  REQUIRE(first.read(5s, "\r\n\r\n").find("100 Continue") != std::string::npos);
  // ...so the second, whole, on the same URL and name, is refused.
  RawSocket second(upload.port);
  REQUIRE(second.send(put_headers(upload.path + "same.txt", 6, false) + "second"));
  CHECK(http_status(second.read(5s, "\r\n\r\n")) == 403);
  // The first completes and its file is there to download.
  REQUIRE(first.send(body));
  const auto reply = first.read(5s, "}");
  CHECK(http_status(reply.substr(reply.find("HTTP/1.1 ", 1))) == 201);
  auto files = csms.ctl_json({"files", "list"});
  REQUIRE(files.Size() == 1);
  auto got = csms.ctl({"files", "get", std::to_string(files[0]["id"].GetInt64())});
  CHECK(got.code == 0);
  CHECK(got.out == body);
  // Stored for the server's user alone.
  const auto uploads = std::filesystem::path(csms.db_path()).parent_path() / "uploads";
  CHECK(mode_of(uploads.string()) == 0700);
  int files_seen = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(uploads)) {
    if (!e.is_regular_file()) continue;
    ++files_seen;
    CHECK(mode_of(e.path().string()) == 0600);
  }
  CHECK(files_seen == 1);
}

TEST_CASE("idle connections to the upload endpoint never shut out a station's upload",
          "[e2e][security][hardening][uploads]") {
  TempDir dir;
  Csms csms(dir, {"--uploads-max-bytes", "512"});
  REQUIRE(csms.ctl({"station", "add", "UP2"}).code == 0);
  Sim sim(csms, "UP2");
  const auto upload = unused_upload(csms, sim, "UP2");
  std::vector<std::unique_ptr<RawSocket>> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<RawSocket>(upload.port));
  RawSocket station(upload.port);
  REQUIRE(station.send(put_headers(upload.path + "diag.txt", 5, false) + "hello"));
  CHECK(http_status(station.read(10s, "\r\n\r\n")) == 201);
  CHECK(csms.ctl_json({"files", "list"}).Size() == 1);
}

TEST_CASE("the database and the upload directory are readable by the server's user only",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1", "--password", kPassword}).code == 0);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    INFO(csms.db_path() + suffix);
    CHECK(mode_of(csms.db_path() + suffix) == 0600);
  }
  const auto uploads = std::filesystem::path(csms.db_path()).parent_path() / "uploads";
  CHECK(mode_of(uploads.string()) == 0700);
}

TEST_CASE("idle connections to the admin API never lock csmsctl out",
          "[e2e][security][hardening][admin]") {
  TempDir dir;
  Csms csms(dir);
  std::vector<std::unique_ptr<RawSocket>> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<RawSocket>(csms.admin_port()));
  auto r = csms.ctl({"station", "list"});
  INFO(r.err);
  CHECK(r.code == 0);
}

TEST_CASE("the admin API refuses a request body without the token before reading it",
          "[e2e][security][hardening][admin]") {
  TempDir dir;
  Csms csms(dir);
  RawSocket s(csms.admin_port());
  REQUIRE(
      s.send("POST /api/stations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\n"
             "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"));
  // Answered at once, the megabyte never sent.
  CHECK(http_status(s.read(5s, "\r\n\r\n")) == 401);
}

namespace {

/// The techInfo of every event of `type` for `station`.
std::vector<std::string> event_texts(const Csms& csms, const std::string& station,
                                     const std::string& type) {
  std::vector<std::string> out;
  auto events = csms.ctl_json({"events"});
  for (const auto& e : events.GetArray())
    if (str(e["type"]) == type && str(e["stationId"]) == station) out.push_back(str(e["techInfo"]));
  return out;
}

}  // namespace

TEST_CASE("changing or removing a station's password closes the session that used it",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "PW1", "--password", kPassword}).code == 0);
  WsClient::Options old_login;
  old_login.authorization = basic_auth("PW1", kPassword);
  {
    WsClient ws(csms.ocpp_port(), "/ocpp/PW1", old_login);
    REQUIRE(ws.open());
    REQUIRE(
        ws.call(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])"));
    const std::string fresh = "a-brand-new-password-16";
    REQUIRE(csms.ctl({"station", "add", "PW1", "--password", fresh}).code == 0);
    CHECK(ws.wait_closed() == 1008);
    CHECK(eventually(
        [&] { return event_texts(csms, "PW1", "SessionClosedPasswordChanged").size() == 1; }));
    // The old password no longer opens a session, the new one does.
    CHECK(WsClient(csms.ocpp_port(), "/ocpp/PW1", old_login).status() == 401);
    WsClient::Options new_login;
    new_login.authorization = basic_auth("PW1", fresh);
    WsClient again(csms.ocpp_port(), "/ocpp/PW1", new_login);
    REQUIRE(again.open());
    // Removing the password ends that session too.
    REQUIRE(csms.ctl({"station", "add", "PW1", "--password", ""}).code == 0);
    CHECK(again.wait_closed() == 1008);
  }
  CHECK(eventually(
      [&] { return event_texts(csms, "PW1", "SessionClosedPasswordChanged").size() == 2; }));
}

TEST_CASE("a password-less station's racing handshakes are recorded as unauthenticated",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "OPEN1"}).code == 0);
  const std::string request =
      "GET /ocpp/OPEN1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
      "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
      "13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n";
  // Upgrades sent together can pass the check before any is live; try until
  // two were let in, so one replaced the other (bounded).
  bool raced = false;
  for (int i = 0; i < 50 && !raced; ++i) {
    std::vector<std::unique_ptr<RawSocket>> sockets;
    for (int k = 0; k < 8; ++k) sockets.push_back(std::make_unique<RawSocket>(csms.ocpp_port()));
    for (auto& s : sockets) REQUIRE(s->send(request));
    int opened = 0;
    for (auto& s : sockets) opened += http_status(s->read(5s, "\r\n\r\n")) == 101 ? 1 : 0;
    raced = opened >= 2;
  }
  if (!raced) {
    // A loaded machine may serialise every round: the race did not happen, so
    // there is no event to check (never a failure of csms).
    WARN("no two handshakes raced in 50 rounds");
    return;
  }
  REQUIRE(eventually([&] { return !event_texts(csms, "OPEN1", "ConnectionReplaced").empty(); }));
  for (const auto& text : event_texts(csms, "OPEN1", "ConnectionReplaced")) {
    CHECK(text.find("unauthenticated") != std::string::npos);
    CHECK(text.find("new authenticated") == std::string::npos);
  }
}

TEST_CASE("auto-registration of unknown stations is capped per minute with 429 and an event",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir, {"--accept-unknown", "--max-unknown-per-min", "5"});
  int opened = 0, refused = 0;
  for (int i = 0; i < 20; ++i) {
    const int status = WsClient(csms.ocpp_port(), "/ocpp/NEW" + std::to_string(i)).status();
    if (status == 101) ++opened;
    if (status == 429) ++refused;
  }
  CHECK(opened == 5);
  CHECK(refused == 15);
  CHECK(csms.ctl_json({"station", "list"}).Size() == 5);
  const auto limit_events = [&] {
    int n = 0;
    auto events = csms.ctl_json({"events"});
    for (const auto& e : events.GetArray())
      if (str(e["type"]) == "UnknownRegistrationLimit") ++n;
    return n;
  };
  CHECK(eventually([&] { return limit_events() == 1; }));
  // A registered station is never counted.
  REQUIRE(csms.ctl({"station", "add", "KNOWN"}).code == 0);
  CHECK(WsClient(csms.ocpp_port(), "/ocpp/KNOWN").status() == 101);
}

TEST_CASE("a new station password sent by the operator never shows in the log or the variables",
          "[e2e][security][hardening]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "PW16"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "PW201"}).code == 0);
  Sim v16(csms, "PW16");
  Sim v201(csms, "PW201", {"--ocpp", "2.0.1"});
  REQUIRE(v16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(v201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  const std::string key = "0123456789abcdef0123456789abcdef";  // hex, as the whitepaper sends it
  const std::string password = "Rotated-Secret-Password-42";
  // The 1.6 simulator takes the key as its next password; the log masks it.
  csms.ctl({"cmd", "PW16", "set-config", "--key", "AuthorizationKey", "--value", key});
  auto set = csms.ctl_json(
      {"cmd", "PW201", "set-variables", "SecurityCtrlr.BasicAuthPassword=" + password});
  INFO(ocpp::to_compact_json(set));
  CHECK(ocpp::to_compact_json(set).find("Accepted") != std::string::npos);

  for (const std::string station : {"PW16", "PW201"}) {
    auto log = csms.ctl({"log", station, "--json", "--limit", "100"});
    INFO(station << ": " << log.out);
    CHECK(log.out.find("********") != std::string::npos);
    CHECK(log.out.find(key) == std::string::npos);
    CHECK(log.out.find(password) == std::string::npos);
  }
  auto variables = csms.ctl({"station", "variables", "PW201", "--json"});
  CHECK(variables.out.find(password) == std::string::npos);
  CHECK(variables.out.find("BasicAuthPassword") != std::string::npos);
  CHECK(csms.process().stderr_text().find(password) == std::string::npos);
}

namespace {

/// The HTTP status of a hand-written upgrade for P09 with a wrong password and
/// `X-Forwarded-For: forwarded`.
int forwarded_status(const Csms& csms, const std::string& forwarded) {
  RawSocket s(csms.ocpp_port());
  s.send(
      "GET /ocpp/P09 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n"
      "Authorization: " +
      basic_auth("P09", "wrong-guess-for-p09") + "\r\nX-Forwarded-For: " + forwarded + "\r\n\r\n");
  const std::string reply = s.read(std::chrono::seconds(5), "\r\n\r\n");
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return 0;
  return std::stoi(reply.substr(9, 3));
}

}  // namespace

TEST_CASE("failed logins are throttled by the forwarded client behind a trusted proxy only",
          "[e2e][security][hardening]") {
  {
    TempDir dir;
    Csms csms(dir, {"--auth-failure-limit", "2", "--trusted-proxies", "127.0.0.0/8"});
    REQUIRE(csms.ctl({"station", "add", "P09", "--password", kPassword}).code == 0);
    CHECK(forwarded_status(csms, "203.0.113.5") == 401);
    CHECK(forwarded_status(csms, "203.0.113.5") == 401);
    CHECK(forwarded_status(csms, "203.0.113.5") == 429);
    // Another client behind the same proxy is not refused.
    CHECK(forwarded_status(csms, "1.2.3.4, 203.0.113.6") == 401);
  }
  {
    TempDir dir;
    Csms csms(dir, {"--auth-failure-limit", "2"});
    REQUIRE(csms.ctl({"station", "add", "P09", "--password", kPassword}).code == 0);
    CHECK(forwarded_status(csms, "203.0.113.5") == 401);
    CHECK(forwarded_status(csms, "203.0.113.6") == 401);
    // From an untrusted peer the header is ignored: the peer is throttled.
    CHECK(forwarded_status(csms, "203.0.113.7") == 429);
  }
}

namespace {

// A PROXY v2 header naming TCP source 203.0.113.`last`.
std::string proxy_v2_from(unsigned char last) {
  std::string h("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
  const unsigned char block[12] = {203, 0, 113, last, 127, 0, 0, 1, 0x30, 0x39, 0x1f, 0x90};
  h.append(reinterpret_cast<const char*>(block), sizeof block);
  return h;
}

// The status line's code for a wrong-password upgrade of P09 after `preamble`; 0: none.
int status_after(const Csms& csms, const std::string& preamble) {
  RawSocket s(csms.ocpp_port());
  s.send(preamble +
         "GET /ocpp/P09 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n"
         "Authorization: " +
         basic_auth("P09", "wrong-guess-for-p09") + "\r\n\r\n");
  const std::string reply = s.read(std::chrono::seconds(5), "\r\n\r\n");
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return 0;
  return std::stoi(reply.substr(9, 3));
}

}  // namespace

TEST_CASE("a PROXY v2 header names the client from a trusted proxy and drops others",
          "[e2e][security][hardening]") {
  {
    TempDir dir;
    Csms csms(dir, {"--auth-failure-limit", "2", "--trusted-proxies", "127.0.0.1"});
    REQUIRE(csms.ctl({"station", "add", "P09", "--password", kPassword}).code == 0);
    CHECK(status_after(csms, proxy_v2_from(5)) == 401);
    CHECK(status_after(csms, proxy_v2_from(5)) == 401);
    CHECK(status_after(csms, proxy_v2_from(5)) == 429);
    CHECK(status_after(csms, proxy_v2_from(6)) == 401);
    CHECK(eventually([&] {
      return csms.process().stderr_text().find("P09: login from 203.0.113.5 refused with 429") !=
             std::string::npos;
    }));
  }
  {
    TempDir dir;
    Csms csms(dir);
    REQUIRE(csms.ctl({"station", "add", "P09", "--password", kPassword}).code == 0);
    CHECK(status_after(csms, proxy_v2_from(5)) == 0);
    CHECK(eventually([&] {
      return csms.process().stderr_text().find("not a trusted proxy: connection dropped") !=
             std::string::npos;
    }));
  }
}
