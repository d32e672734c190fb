// FirmwareStore and UploadStore: firmware requests, status history, upload
// slots (single use, expiring) and uploaded files, on real SQLite.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;
using storage::StatusReport;
using storage::StatusTopic;

namespace {

StatusReport report(const std::string& station, StatusTopic topic, const std::string& status,
                    std::int64_t received_s) {
  StatusReport r;
  r.station_id = station;
  r.topic = topic;
  r.action = topic == StatusTopic::Log ? "LogStatusNotification" : "FirmwareStatusNotification";
  r.status = status;
  r.request_id = 7;
  r.received_at = at(received_s);
  return r;
}

storage::UploadRequest slot(const std::string& token, std::int64_t created_s,
                            std::int64_t expires_s) {
  storage::UploadRequest r;
  r.token = token;
  r.station_id = "CS1";
  r.action = "GetLog";
  r.request_id = 42;
  r.log_type = "DiagnosticsLog";
  r.created_at = at(created_s);
  r.expires_at = at(expires_s);
  return r;
}

}  // namespace

TEST_CASE("firmware requests are kept per station with their answer, newest first") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    storage::FirmwareRequest r;
    r.station_id = "CS1";
    r.action = "UpdateFirmware";
    r.request_id = 5;
    r.location = "https://fw.example/a.bin";
    r.retrieve_at = at(10);
    r.install_at = at(20);
    r.is_signed = true;
    r.requested_at = at(1);
    const auto first = s.firmware.add_request(r);
    r.action = "PublishFirmware";
    r.checksum = "0123456789abcdef0123456789abcdef";
    r.requested_at = at(2);
    s.firmware.add_request(r);
    r.station_id = "CS2";
    s.firmware.add_request(r);
    s.firmware.set_answer(first, "Accepted");
    return 0;
  });
  auto got = read_sync(*db, [](Session& s) { return s.firmware.requests("CS1", 10); });
  REQUIRE(got.size() == 2);
  CHECK(got[0].action == "PublishFirmware");
  CHECK(got[0].checksum == "0123456789abcdef0123456789abcdef");
  CHECK(got[0].answer.empty());
  CHECK(got[1].action == "UpdateFirmware");
  CHECK(got[1].answer == "Accepted");
  CHECK(got[1].request_id == 5);
  CHECK(got[1].location == "https://fw.example/a.bin");
  CHECK(got[1].retrieve_at == at(10));
  CHECK(got[1].install_at == at(20));
  CHECK(got[1].is_signed);
  CHECK(got[1].requested_at == at(1));
}

TEST_CASE("status reports are a per-station history, filtered by topic, newest first") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.firmware.add_status(report("CS1", StatusTopic::Firmware, "Downloading", 1));
    s.firmware.add_status(report("CS1", StatusTopic::Log, "Uploading", 2));
    s.firmware.add_status(report("CS1", StatusTopic::Firmware, "Installed", 3));
    s.firmware.add_status(report("CS2", StatusTopic::Firmware, "Idle", 4));
    return 0;
  });
  auto firmware = read_sync(
      *db, [](Session& s) { return s.firmware.statuses("CS1", StatusTopic::Firmware, 10); });
  REQUIRE(firmware.size() == 2);
  CHECK(firmware[0].status == "Installed");
  CHECK(firmware[1].status == "Downloading");
  CHECK(firmware[1].request_id == 7);
  CHECK(firmware[1].received_at == at(1));
  CHECK(firmware[1].topic == StatusTopic::Firmware);
  auto all = read_sync(*db, [](Session& s) { return s.firmware.statuses("CS1", {}, 10); });
  REQUIRE(all.size() == 3);
  CHECK(all[1].topic == StatusTopic::Log);
  auto one = read_sync(*db, [](Session& s) { return s.firmware.statuses("CS1", {}, 1); });
  REQUIRE(one.size() == 1);
  CHECK(one[0].status == "Installed");
}

TEST_CASE("an upload token can be claimed once, and only before it expires") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.uploads.add_request(slot("tok-a", 0, 100));
    s.uploads.add_request(slot("tok-b", 0, 100));
    return 0;
  });
  auto first = write_sync(*db, [](Session& s) { return s.uploads.claim("tok-a", at(50)); });
  auto again = write_sync(*db, [](Session& s) { return s.uploads.claim("tok-a", at(51)); });
  auto late = write_sync(*db, [](Session& s) { return s.uploads.claim("tok-b", at(100)); });
  auto unknown = write_sync(*db, [](Session& s) { return s.uploads.claim("nope", at(1)); });
  CHECK(first);
  CHECK_FALSE(again);
  CHECK_FALSE(late);
  CHECK_FALSE(unknown);
  auto a = read_sync(*db, [](Session& s) { return s.uploads.request("tok-a"); });
  REQUIRE(a);
  CHECK(a->used_at == at(50));
  CHECK(a->station_id == "CS1");
  CHECK(a->request_id == 42);
  CHECK(a->log_type == "DiagnosticsLog");
  CHECK(a->expires_at == at(100));
  auto b = read_sync(*db, [](Session& s) { return s.uploads.request("tok-b"); });
  REQUIRE(b);
  CHECK_FALSE(b->used_at);
}

TEST_CASE("the station's answer and announced file name are kept with the upload slot") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.uploads.add_request(slot("tok", 0, 100));
    s.uploads.set_answer("tok", "Accepted", "diag-1.txt");
    return 0;
  });
  auto r = read_sync(*db, [](Session& s) { return s.uploads.request("tok"); });
  REQUIRE(r);
  CHECK(r->answer == "Accepted");
  CHECK(r->file_name == "diag-1.txt");
}

TEST_CASE("uploaded files are recorded with their hash and listed per station, newest first") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  auto ids = write_sync(*db, [](Session& s) {
    storage::UploadedFile f;
    f.station_id = "CS1";
    f.token = "tok";
    f.action = "GetDiagnostics";
    f.name = "diag.txt";
    f.path = "CS1/1-diag.txt";
    f.size = 12;
    f.sha256 = std::string(64, 'a');
    f.content_type = "text/plain";
    f.received_at = at(5);
    const auto first = s.uploads.add_file(f);
    f.station_id = "CS2";
    f.request_id = 9;
    const auto second = s.uploads.add_file(f);
    return std::make_pair(first, second);
  });
  CHECK(ids.second > ids.first);
  auto all = read_sync(*db, [](Session& s) { return s.uploads.files("", 10); });
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == ids.second);
  CHECK(all[0].request_id == 9);
  auto cs1 = read_sync(*db, [](Session& s) { return s.uploads.files("CS1", 10); });
  REQUIRE(cs1.size() == 1);
  CHECK(cs1[0].name == "diag.txt");
  CHECK(cs1[0].path == "CS1/1-diag.txt");
  CHECK(cs1[0].size == 12);
  CHECK(cs1[0].sha256 == std::string(64, 'a'));
  CHECK(cs1[0].content_type == "text/plain");
  CHECK(cs1[0].received_at == at(5));
  CHECK_FALSE(cs1[0].request_id);
  auto one = read_sync(*db, [id = ids.first](Session& s) { return s.uploads.file(id); });
  REQUIRE(one);
  CHECK(one->token == "tok");
  auto none = read_sync(*db, [](Session& s) { return s.uploads.file(999); });
  CHECK_FALSE(none);
}
