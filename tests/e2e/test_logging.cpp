// The server's log (docs/operations.md, "Logs"): log.file reopened on SIGHUP
// for logrotate, and log.format json with one object per line, no secrets.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("SIGHUP reopens log.file so a rotated log gets a new file", "[e2e][logging]") {
  TempDir dir;
  const auto log_path = dir.path() / "csms.log";
  const auto rotated = dir.path() / "csms.log.1";
  Csms csms(dir, {"--log-file", log_path.string()});
  REQUIRE(csms.ctl({"station", "add", "ROT1"}).code == 0);
  REQUIRE(eventually([&] { return read_text(log_path).find("migration") != std::string::npos; }));

  // logrotate moves the file; csms keeps writing to the moved one until SIGHUP.
  std::filesystem::rename(log_path, rotated);
  csms.process().signal(SIGHUP);
  REQUIRE(eventually([&] {
    return std::filesystem::exists(log_path) &&
           read_text(log_path).find("SIGHUP: reopened the log file") != std::string::npos;
  }));
  REQUIRE(csms.ctl({"station", "add", "ROT2"}).code == 0);
  WsClient ws(csms.ocpp_port(), "/ocpp/ROT2");
  REQUIRE(ws.open());
  CHECK(
      eventually([&] { return read_text(log_path).find("ROT2: connected") != std::string::npos; }));
  CHECK(read_text(rotated).find("ROT2: connected") == std::string::npos);
  CHECK(read_text(rotated).find("migration") != std::string::npos);
}

TEST_CASE("log.format json writes one JSON object per line without secrets", "[e2e][logging]") {
  TempDir dir;
  const auto log_path = dir.path() / "csms.jsonl";
  const std::string password = "json-log-secret-pass";
  Csms csms(dir, {"--log-format", "json", "--log-file", log_path.string()});
  REQUIRE(csms.ctl({"station", "add", "JSON1", "--password", password}).code == 0);
  {
    WsClient::Options options;
    options.authorization = basic_auth("JSON1", password);
    WsClient ws(csms.ocpp_port(), "/ocpp/JSON1", options);
    REQUIRE(ws.open());
    auto boot = ws.call(
        R"([2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
    REQUIRE(boot);
    // A failed login is logged too, and must not show the wrong password either.
    WsClient::Options wrong;
    wrong.authorization = basic_auth("JSON1", "wrong-password-123");
    WsClient bad(csms.ocpp_port(), "/ocpp/JSON1", wrong);
    CHECK_FALSE(bad.open());
  }
  REQUIRE(csms.stop() == 0);

  const std::string text = read_text(log_path);
  REQUIRE_FALSE(text.empty());
  CHECK(text.find(password) == std::string::npos);
  CHECK(text.find("wrong-password-123") == std::string::npos);
  CHECK(text.find(csms.token()) == std::string::npos);
  std::istringstream lines(text);
  int count = 0;
  bool station_line = false;
  for (std::string line; std::getline(lines, line);) {
    INFO("line " << count + 1 << ": " << line);
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    CHECK(doc.HasMember("time"));
    CHECK(doc.HasMember("level"));
    CHECK(doc.HasMember("component"));
    CHECK(doc.HasMember("message"));
    if (doc.HasMember("station") && std::string(doc["station"].GetString()) == "JSON1" &&
        std::string(doc["message"].GetString()).find("connected") != std::string::npos)
      station_line = true;
    ++count;
  }
  CHECK(count > 5);
  CHECK(station_line);
}
