// Firmware end to end: csmsctl firmware-update/-publish/-unpublish against
// ocpp-sim (1.6 and 2.0.1) and the real csms; the station's status sequence
// is stored as history and shown by `csmsctl station firmware`.
#include <catch2/catch.hpp>

#include <functional>
#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

const char* kPem =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUX2Zpcm13YXJlLXNpZ25lcjAKBggqhkjOPQQDAjAA\n"
    "-----END CERTIFICATE-----\n";

// Polls `csmsctl station firmware ID --json` until `ready(doc)` (bounded).
rapidjson::Document wait_firmware(const Csms& csms, const std::string& id,
                                  const std::function<bool(const rapidjson::Document&)>& ready,
                                  std::chrono::milliseconds timeout = 15s) {
  rapidjson::Document doc;
  eventually(
      [&] {
        doc = csms.ctl_json({"station", "firmware", id});
        return ready(doc);
      },
      timeout, 100ms);
  return doc;
}

bool firmware_is(const rapidjson::Document& doc, const std::string& status) {
  return str(doc["firmware"]["status"]) == status;
}

// The statuses of `topic` in the history, newest first.
std::vector<std::string> statuses(const rapidjson::Document& doc, const std::string& topic) {
  std::vector<std::string> out;
  for (const auto& r : doc["history"].GetArray())
    if (str(r["topic"]) == topic) out.push_back(str(r["status"]));
  return out;
}

void boot(Csms& csms, Sim& sim, const std::string& id) {
  static_cast<void>(csms);
  static_cast<void>(id);
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
}

}  // namespace

TEST_CASE("a 1.6 firmware update is accepted and its status sequence kept as history, newest first",
          "[e2e][firmware]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  Sim sim(csms, "CP1");
  boot(csms, sim, "CP1");

  auto answer = csms.ctl_json({"cmd", "CP1", "firmware-update", "--location",
                               "http://fw.example/cp-2.0.bin", "--retrieve", "2020-01-01T00:00:00Z",
                               "--retries", "3", "--retry-interval", "60"});
  CHECK(str(answer["action"]) == "UpdateFirmware");

  auto fw = wait_firmware(csms, "CP1", [](const auto& d) { return firmware_is(d, "Installed"); });
  REQUIRE(firmware_is(fw, "Installed"));
  CHECK(statuses(fw, "firmware") ==
        std::vector<std::string>{"Installed", "Installing", "Downloaded", "Downloading"});
  CHECK(str(fw["history"][0]["action"]) == "FirmwareStatusNotification");
  REQUIRE(fw["requests"].Size() == 1);
  CHECK(str(fw["requests"][0]["action"]) == "UpdateFirmware");
  CHECK(str(fw["requests"][0]["location"]) == "http://fw.example/cp-2.0.bin");
  CHECK(str(fw["requests"][0]["retrieveAt"]) == "2020-01-01T00:00:00Z");
  CHECK(str(fw["requests"][0]["answer"]) == "Accepted");

  // The readable form, and the notifications view still lists them.
  auto table = csms.ctl({"station", "firmware", "CP1"});
  CHECK(table.code == 0);
  CHECK(table.out.find("Installed") != std::string::npos);
  auto notes = csms.ctl_json(
      {"notifications", "--station", "CP1", "--action", "FirmwareStatusNotification"});
  CHECK(notes.Size() == 4);

  // Triggered when nothing is going on: Idle.
  auto trigger = csms.ctl_json({"cmd", "CP1", "trigger", "FirmwareStatusNotification"});
  CHECK(str(trigger["response"]["status"]) == "Accepted");
  fw = wait_firmware(csms, "CP1", [](const auto& d) { return firmware_is(d, "Idle"); });
  CHECK(firmware_is(fw, "Idle"));
}

TEST_CASE("a signed 1.6 firmware update goes as SignedUpdateFirmware with a request id",
          "[e2e][firmware]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP2"}).code == 0);
  Sim sim(csms, "CP2");
  boot(csms, sim, "CP2");

  auto answer =
      csms.ctl_json({"cmd", "CP2", "firmware-update", "--location", "https://fw.example/signed.bin",
                     "--signature", "c2lnbmF0dXJl", "--signing-certificate", kPem});
  CHECK(str(answer["action"]) == "SignedUpdateFirmware");
  CHECK(str(answer["response"]["status"]) == "Accepted");
  REQUIRE(answer["response"]["requestId"].IsInt64());
  const auto request_id = answer["response"]["requestId"].GetInt64();

  auto fw = wait_firmware(csms, "CP2", [](const auto& d) { return firmware_is(d, "Installed"); });
  REQUIRE(firmware_is(fw, "Installed"));
  CHECK(statuses(fw, "firmware") == std::vector<std::string>{"Installed", "Installing",
                                                             "SignatureVerified", "Downloaded",
                                                             "Downloading"});
  for (const auto& r : fw["history"].GetArray()) {
    CHECK(str(r["action"]) == "SignedFirmwareStatusNotification");
    CHECK(r["requestId"].GetInt64() == request_id);
  }
  CHECK(fw["firmware"]["requestId"].GetInt64() == request_id);
  CHECK(fw["requests"][0]["signed"].GetBool());
}

TEST_CASE("a 2.0.1 firmware update reports each status with its requestId, signed ones verified",
          "[e2e][firmware]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CS1"}).code == 0);
  Sim sim(csms, "CS1", {"--ocpp", "2.0.1"});
  boot(csms, sim, "CS1");

  auto answer = csms.ctl_json({"cmd", "CS1", "firmware-update", "--location",
                               "https://fw.example/cs-3.1.bin", "--signature", "c2lnbmF0dXJl",
                               "--signing-certificate", kPem, "--install", "2020-01-01T00:00:00Z"});
  CHECK(str(answer["action"]) == "UpdateFirmware");
  CHECK(str(answer["response"]["status"]) == "Accepted");
  const auto request_id = answer["response"]["requestId"].GetInt64();

  auto fw = wait_firmware(csms, "CS1", [](const auto& d) { return firmware_is(d, "Installed"); });
  REQUIRE(firmware_is(fw, "Installed"));
  CHECK(statuses(fw, "firmware") == std::vector<std::string>{"Installed", "Installing",
                                                             "SignatureVerified", "Downloaded",
                                                             "Downloading"});
  for (const auto& r : fw["history"].GetArray()) CHECK(r["requestId"].GetInt64() == request_id);
  CHECK(str(fw["requests"][0]["installAt"]) == "2020-01-01T00:00:00Z");

  // An unsigned one afterwards: no SignatureVerified.
  auto plain = csms.ctl_json(
      {"cmd", "CS1", "firmware-update", "--location", "https://fw.example/cs-3.2.bin"});
  const auto second = plain["response"]["requestId"].GetInt64();
  CHECK(second != request_id);
  fw = wait_firmware(csms, "CS1", [second](const auto& d) {
    return firmware_is(d, "Installed") && d["firmware"]["requestId"].GetInt64() == second;
  });
  CHECK(fw["firmware"]["requestId"].GetInt64() == second);
  CHECK(statuses(fw, "firmware").size() == 9);

  // Triggered when idle: Idle, without a requestId.
  CHECK(str(csms.ctl_json({"cmd", "CS1", "trigger",
                           "FirmwareStatusNotification"})["response"]["status"]) == "Accepted");
  fw = wait_firmware(csms, "CS1", [](const auto& d) { return firmware_is(d, "Idle"); });
  REQUIRE(firmware_is(fw, "Idle"));
  CHECK(fw["firmware"]["requestId"].IsNull());
}

TEST_CASE("a 2.0.1 Local Controller publishes firmware and unpublishes it by checksum",
          "[e2e][firmware]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "LC1"}).code == 0);
  Sim sim(csms, "LC1", {"--ocpp", "2.0.1"});
  boot(csms, sim, "LC1");
  const std::string md5 = "9e107d9d372bb6826bd81d3542a419d6";

  auto answer =
      csms.ctl_json({"cmd", "LC1", "firmware-publish", "--location", "https://fw.example/lc.bin",
                     "--checksum", md5, "--retries", "2", "--retry-interval", "30"});
  CHECK(str(answer["action"]) == "PublishFirmware");
  CHECK(str(answer["response"]["status"]) == "Accepted");
  const auto request_id = answer["response"]["requestId"].GetInt64();

  auto fw = wait_firmware(csms, "LC1",
                          [](const auto& d) { return str(d["publish"]["status"]) == "Published"; });
  REQUIRE(str(fw["publish"]["status"]) == "Published");
  CHECK(fw["publish"]["requestId"].GetInt64() == request_id);
  CHECK(statuses(fw, "publish") ==
        std::vector<std::string>{"Published", "ChecksumVerified", "Downloaded", "Downloading"});
  CHECK(str(fw["history"][0]["action"]) == "PublishFirmwareStatusNotification");
  CHECK(str(fw["history"][0]["detail"]).find(md5) != std::string::npos);

  // Asked again for its status: still Published, with where.
  csms.ctl_json({"cmd", "LC1", "trigger", "PublishFirmwareStatusNotification"});
  fw = wait_firmware(csms, "LC1", [](const auto& d) { return statuses(d, "publish").size() == 5; });
  CHECK(statuses(fw, "publish").front() == "Published");

  auto other = csms.ctl_json(
      {"cmd", "LC1", "firmware-unpublish", "--checksum", "00000000000000000000000000000000"});
  CHECK(str(other["response"]["status"]) == "NoFirmware");
  auto gone = csms.ctl_json({"cmd", "LC1", "firmware-unpublish", "--checksum", md5});
  CHECK(str(gone["action"]) == "UnpublishFirmware");
  CHECK(str(gone["response"]["status"]) == "Unpublished");
  fw = csms.ctl_json({"station", "firmware", "LC1"});
  REQUIRE(fw["requests"].Size() == 3);
  CHECK(str(fw["requests"][0]["answer"]) == "Unpublished");
  CHECK(str(fw["requests"][2]["checksum"]) == md5);
}

TEST_CASE("bad firmware parameters are refused with the problem named before anything is sent",
          "[e2e][firmware]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP3"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "CS3"}).code == 0);
  Sim sim16(csms, "CP3");
  Sim sim201(csms, "CS3", {"--ocpp", "2.0.1"});
  boot(csms, sim16, "CP3");
  boot(csms, sim201, "CS3");

  auto expect_refused = [&](const std::vector<std::string>& args, const std::string& words) {
    auto r = csms.ctl(args);
    CHECK(r.code != 0);
    CHECK(r.err.find(words) != std::string::npos);
  };
  expect_refused({"cmd", "CP3", "firmware-update"}, "location");
  expect_refused({"cmd", "CP3", "firmware-update", "--location", "fw.bin"}, "must be a URL");
  expect_refused(
      {"cmd", "CP3", "firmware-update", "--location", "http://x/fw", "--retrieve", "tomorrow"},
      "RFC 3339");
  expect_refused({"cmd", "CP3", "firmware-update", "--location", "http://x/fw", "--install",
                  "2030-01-01T00:00:00Z"},
                 "signed update");
  expect_refused(
      {"cmd", "CP3", "firmware-update", "--location", "http://x/fw", "--signature", "abc"},
      "signingCertificate");
  expect_refused({"cmd", "CP3", "firmware-update", "--location", "http://x/fw", "--retries", "-1"},
                 "negative");
  expect_refused(
      {"cmd", "CS3", "firmware-publish", "--location", "http://x/fw", "--checksum", "abc"}, "MD5");
  expect_refused({"cmd", "CP3", "firmware-publish", "--location", "http://x/fw", "--checksum",
                  "9e107d9d372bb6826bd81d3542a419d6"},
                 "firmware-publish");
  // Nothing went to the stations.
  auto fw = csms.ctl_json({"station", "firmware", "CP3"});
  CHECK(fw["requests"].Size() == 0);
  CHECK(fw["history"].Size() == 0);
  CHECK(str(fw["firmware"]["status"]) == "Idle");
}
