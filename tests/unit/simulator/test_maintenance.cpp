// Firmware updates, publishing and file uploads as ocpp-sim plays them, on
// virtual time (uploads have no network here, so they fail as a charger's
// would on an unreachable server).
#include <catch2/catch.hpp>

#include "simulator/upload.hpp"
#include "support.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig;
using simtest::Rig201;
using simtest::Sent;

namespace {

template <typename R>
void answer_empty(R& rig, std::initializer_list<const char*> actions) {
  for (const char* a : actions) rig.responses[a] = [](const Sent&) { return std::string("{}"); };
}

template <typename R>
std::vector<std::string> statuses(const R& rig, const std::string& action) {
  std::vector<std::string> out;
  for (const auto& s : rig.calls(action)) out.push_back(s.str("status"));
  return out;
}

std::string in_seconds(const ManualScheduler& sched, int s) {
  return ocpp::DateTime::from_unix_micros(sched.wall_now().unix_micros() +
                                          std::int64_t{s} * 1000000)
      .to_string();
}

}  // namespace

TEST_CASE("1.6 UpdateFirmware waits for retrieveDate, then downloads and installs, then is Idle") {
  Rig rig;
  answer_empty(rig, {"FirmwareStatusNotification"});
  rig.boot();
  auto res = rig.csms_call("UpdateFirmware", R"({"location":"http://fw/x.bin","retrieveDate":")" +
                                                 in_seconds(rig.sched, 5) + "\"}");
  CHECK(res.type == 3);
  rig.advance(Duration(4000), Duration(100));
  CHECK(rig.calls("FirmwareStatusNotification").empty());
  rig.advance(Duration(2000), Duration(50));
  CHECK(statuses(rig, "FirmwareStatusNotification") ==
        std::vector<std::string>{"Downloading", "Downloaded", "Installing", "Installed"});
  rig.csms_call("TriggerMessage", R"({"requestedMessage":"FirmwareStatusNotification"})");
  rig.advance(Duration(100));
  CHECK(statuses(rig, "FirmwareStatusNotification").back() == "Idle");
}

TEST_CASE("1.6 SignedUpdateFirmware reports with its requestId, and a newer one cancels it") {
  Rig rig;
  answer_empty(rig, {"SignedFirmwareStatusNotification"});
  rig.boot();
  const std::string firmware =
      R"({"location":"http://fw/x.bin","retrieveDateTime":"2020-01-01T00:00:00Z",)"
      R"("signingCertificate":"PEM","signature":"c2ln"})";
  auto first =
      rig.csms_call("SignedUpdateFirmware", R"({"requestId":7,"firmware":)" + firmware + "}");
  CHECK(first.str("status") == "Accepted");
  rig.advance(Duration(200), Duration(50));
  auto second =
      rig.csms_call("SignedUpdateFirmware", R"({"requestId":8,"firmware":)" + firmware + "}");
  CHECK(second.str("status") == "AcceptedCanceled");
  rig.advance(Duration(2000), Duration(50));
  auto sent = rig.calls("SignedFirmwareStatusNotification");
  REQUIRE(sent.size() == 6);  // one of 7's, then all five of 8's
  CHECK(sent.front().num("requestId") == 7);
  for (std::size_t i = 1; i < sent.size(); ++i) CHECK(sent[i].num("requestId") == 8);
  CHECK(statuses(rig, "SignedFirmwareStatusNotification") ==
        std::vector<std::string>{"Downloading", "Downloading", "Downloaded", "SignatureVerified",
                                 "Installing", "Installed"});
  // ExtendedTriggerMessage's helper: the current status, Idle now.
  static_cast<simulator::v16::ChargePoint&>(*rig.station).report_firmware_status();
  rig.advance(Duration(100));
  CHECK(statuses(rig, "SignedFirmwareStatusNotification").back() == "Idle");
}

TEST_CASE("1.6 GetDiagnostics names the file, then reports Uploading and UploadFailed") {
  Rig rig;
  answer_empty(rig, {"DiagnosticsStatusNotification", "LogStatusNotification"});
  rig.boot();
  auto res = rig.csms_call("GetDiagnostics", R"({"location":"http://127.0.0.1:1/up/"})");
  CHECK(res.str("fileName").rfind("diagnostics-CP1-", 0) == 0);
  rig.advance(Duration(1000), Duration(50));
  CHECK(statuses(rig, "DiagnosticsStatusNotification") ==
        std::vector<std::string>{"Uploading", "UploadFailed"});
  rig.csms_call("TriggerMessage", R"({"requestedMessage":"DiagnosticsStatusNotification"})");
  rig.advance(Duration(100));
  CHECK(statuses(rig, "DiagnosticsStatusNotification").back() == "Idle");

  auto log = rig.csms_call(
      "GetLog", R"({"requestId":3,"logType":"SecurityLog","log":{"remoteLocation":"ftp://x/"}})");
  CHECK(log.str("status") == "Accepted");
  CHECK(log.str("filename") == "security-log-3.txt");
  rig.advance(Duration(1000), Duration(50));
  auto sent = rig.calls("LogStatusNotification");
  REQUIRE(sent.size() == 2);
  CHECK(sent[1].str("status") == "UploadFailure");
  CHECK(sent[1].num("requestId") == 3);
}

TEST_CASE("2.0.1 UpdateFirmware schedules download and install at their times") {
  Rig201 rig;
  rig.boot();
  auto res =
      rig.csms_call("UpdateFirmware",
                    R"({"requestId":11,"firmware":{"location":"http://fw/x","retrieveDateTime":")" +
                        in_seconds(rig.sched, 3) + R"(","installDateTime":")" +
                        in_seconds(rig.sched, 10) + R"(","signature":"c2ln"}})");
  CHECK(res.str("status") == "Accepted");
  rig.advance(Duration(500), Duration(50));
  CHECK(statuses(rig, "FirmwareStatusNotification") ==
        std::vector<std::string>{"DownloadScheduled"});
  rig.advance(Duration(4000), Duration(50));
  CHECK(statuses(rig, "FirmwareStatusNotification") ==
        std::vector<std::string>{"DownloadScheduled", "Downloading", "Downloaded",
                                 "SignatureVerified", "InstallScheduled"});
  rig.advance(Duration(7000), Duration(50));
  CHECK(statuses(rig, "FirmwareStatusNotification").back() == "Installed");
  for (const auto& s : rig.calls("FirmwareStatusNotification")) CHECK(s.num("requestId") == 11);
  rig.csms_call("TriggerMessage", R"({"requestedMessage":"FirmwareStatusNotification"})");
  rig.advance(Duration(100));
  auto last = rig.calls("FirmwareStatusNotification").back();
  CHECK(last.str("status") == "Idle");
  CHECK_FALSE(last.has("requestId"));
}

TEST_CASE("2.0.1 PublishFirmware publishes at a location - Unpublish takes it back by checksum") {
  Rig201 rig;
  answer_empty(rig, {"PublishFirmwareStatusNotification"});
  rig.boot();
  const std::string md5 = "9e107d9d372bb6826bd81d3542a419d6";
  auto res = rig.csms_call(
      "PublishFirmware", R"({"location":"http://fw/x","checksum":")" + md5 + R"(","requestId":5})");
  CHECK(res.str("status") == "Accepted");
  CHECK(rig.csms_call("UnpublishFirmware", R"({"checksum":")" + md5 + "\"}").str("status") ==
        "DownloadOngoing");
  rig.advance(Duration(1000), Duration(50));
  CHECK(statuses(rig, "PublishFirmwareStatusNotification") ==
        std::vector<std::string>{"Downloading", "Downloaded", "ChecksumVerified", "Published"});
  auto published = rig.calls("PublishFirmwareStatusNotification").back();
  CHECK(published.num("requestId") == 5);
  REQUIRE(published.payload()["location"].Size() == 1);
  CHECK(rig.csms_call("UnpublishFirmware", R"({"checksum":"0123456789abcdef0123456789abcdef"})")
            .str("status") == "NoFirmware");
  CHECK(rig.csms_call("UnpublishFirmware", R"({"checksum":")" + md5 + "\"}").str("status") ==
        "Unpublished");
  rig.csms_call("TriggerMessage", R"({"requestedMessage":"PublishFirmwareStatusNotification"})");
  rig.advance(Duration(100));
  CHECK(statuses(rig, "PublishFirmwareStatusNotification").back() == "Idle");
}

TEST_CASE("2.0.1 GetLog answers with a file name and reports the failed upload with its id") {
  Rig201 rig;
  rig.boot();
  auto res = rig.csms_call(
      "GetLog",
      R"({"requestId":9,"logType":"DiagnosticsLog","log":{"remoteLocation":"https://x/"}})");
  CHECK(res.str("status") == "Accepted");
  CHECK(res.str("filename") == "diagnostics-log-9.txt");
  rig.advance(Duration(1000), Duration(50));
  auto sent = rig.calls("LogStatusNotification");
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].str("status") == "Uploading");
  CHECK(sent[1].str("status") == "UploadFailure");
  CHECK(sent[1].num("requestId") == 9);
}

TEST_CASE("upload locations: http URLs are parsed, other schemes refused") {
  std::string error;
  auto url = parse_http_url("http://127.0.0.1:8182/uploads/abc/", error);
  REQUIRE(url);
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == "8182");
  CHECK(url->target == "/uploads/abc/");
  auto plain = parse_http_url("http://example.com", error);
  REQUIRE(plain);
  CHECK(plain->port == "80");
  CHECK(plain->target == "/");
  auto v6 = parse_http_url("http://[::1]:9/x", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK_FALSE(parse_http_url("ftp://x/", error));
  CHECK(error.find("http://") != std::string::npos);
  CHECK_FALSE(parse_http_url("http://user@x/", error));
}
