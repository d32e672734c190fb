// Running csms as an operator does (docs/operations.md): versions, backups
// taken while stations write and restored into a new server, migrations in
// the log.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/harness.hpp"

using namespace e2e;

namespace {

constexpr const char* kPassword = "operations-pass-1";

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("csms --version and csmsctl --version print the build's version", "[e2e][operations]") {
  auto server = run({CSMS_BIN, "--version"});
  CHECK(server.code == 0);
  CHECK(server.out.rfind("csms ", 0) == 0);
  auto ctl = run({CSMSCTL_BIN, "--version", "--url", "http://127.0.0.1:1"});
  CHECK(ctl.code == 0);  // No server needed.
  CHECK(ctl.out.rfind("csmsctl ", 0) == 0);
  // The same version in /health, the banner and both programs.
  const std::string version = server.out.substr(5, server.out.find('\n') - 5);
  CHECK(ctl.out == "csmsctl " + version + "\n");
  TempDir dir;
  Csms csms(dir);
  CHECK(str(csms.ctl_json({"version"})["version"]) == version);
  CHECK(csms.process().stderr_text().find("csms " + version + " is running") != std::string::npos);
}

TEST_CASE("the schema version and each migration applied are logged at start",
          "[e2e][operations]") {
  TempDir dir;
  {
    Csms csms(dir);
    const auto log = csms.process().stderr_text();
    CHECK(log.find("migration 0001_") != std::string::npos);
    CHECK(log.find("schema version 0, migrating to") != std::string::npos);
    // (Its exit code is not the point: a SIGTERM racing the banner ends it as well.)
    csms.stop();
  }
  Csms again(dir);
  CHECK(again.process().stderr_text().find("is current") != std::string::npos);
  CHECK(again.process().stderr_text().find("migration 0001_") == std::string::npos);
}

TEST_CASE("a backup taken while a station charges restores into a new server with the data",
          "[e2e][operations]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "BAK1", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG-BACKUP", "--status", "Blocked"}).code == 0);
  Sim sim(csms, "BAK1", {"--password", kPassword, "--meter-interval", "1"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(csms.ctl({"idtag", "add", "TAG-RUN"}).code == 0);
  auto start =
      csms.ctl_json({"cmd", "BAK1", "remote-start", "--connector", "1", "--idtag", "TAG-RUN"});
  REQUIRE(str(start["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  const auto tx_id = (*started)["transactionId"].GetInt64();

  // Meter values keep arriving while the copy is taken.
  const std::string backup =
      (std::filesystem::path(dir.path()) / "copy" / "csms-backup.db").string();
  std::filesystem::create_directories(std::filesystem::path(backup).parent_path());
  auto taken = csms.ctl({"backup", "--out", backup});
  REQUIRE(taken.code == 0);
  CHECK(taken.out.find("wrote") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(backup.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // Password hashes and id tags: the operator's only.
  CHECK(!std::filesystem::exists(backup + ".part"));
  // No temporary copy is left beside the live database.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    CHECK(entry.path().filename().string().rfind(".backup-", 0) == std::string::npos);
  CHECK(csms.process().stderr_text().find("database backup") != std::string::npos);

  // Without --out it is refused before any request.
  CHECK(csms.ctl({"backup"}).code == 2);
  // Without the admin token it is refused.
  auto anonymous =
      run({CSMSCTL_BIN, "--url", "http://127.0.0.1:" + std::to_string(csms.admin_port()), "--token",
           "wrong", "backup", "--out", backup + ".x"});
  CHECK(anonymous.code == 1);
  CHECK(!std::filesystem::exists(backup + ".x"));

  auto stop = csms.ctl_json({"cmd", "BAK1", "remote-stop", "--transaction", std::to_string(tx_id)});
  CHECK(str(stop["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("transaction_stopped", 20s));

  // Restore as docs/operations.md says: a new server whose database is the copy.
  TempDir restored_dir;
  std::filesystem::copy_file(backup, std::filesystem::path(restored_dir.path()) / "csms.db");
  Csms restored(restored_dir);
  auto stations = restored.ctl_json({"station", "list"});
  REQUIRE(stations.Size() == 1);
  CHECK(str(stations[0]["id"]) == "BAK1");
  CHECK(stations[0]["hasPassword"].GetBool());
  auto tags = restored.ctl_json({"idtag", "list"});
  bool blocked = false;
  for (const auto& t : tags.GetArray())
    blocked |= str(t["idTag"]) == "TAG-BACKUP" && str(t["status"]) == "Blocked";
  CHECK(blocked);
  // The transaction the copy caught running is there, still open, as it was.
  auto txs = restored.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 1);
  CHECK(txs[0]["id"].GetInt64() == tx_id);
  CHECK(txs[0]["stopTime"].IsNull());

  // The restored server accepts the station with its stored password.
  Sim back(restored, "BAK1", {"--password", kPassword});
  CHECK(back.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
}

TEST_CASE(
    "station import registers every row or none, and the stations log in with their passwords",
    "[e2e][operations]") {
  TempDir dir;
  Csms csms(dir);
  auto bad =
      write_file(dir, "bad.csv", "id,password\nIMP1,operations-pass-1\nbad:id\nIMP2,short\n");
  auto refused = csms.ctl({"station", "import", bad});
  CHECK(refused.code == 1);
  CHECK(refused.err.find("bad.csv:3: ") != std::string::npos);
  CHECK(refused.err.find("bad.csv:4: ") != std::string::npos);
  CHECK(refused.err.find("nothing was imported") != std::string::npos);
  CHECK(csms.ctl_json({"station", "list"}).Size() == 0);

  auto good = write_file(dir, "good.csv",
                         "id,password\nIMP1,operations-pass-1\n\"IMP2\",operations-pass-2\nIMP3\n");
  auto imported = csms.ctl({"station", "import", good});
  REQUIRE(imported.code == 0);
  CHECK(imported.out.find("imported: 3") != std::string::npos);
  auto list = csms.ctl({"station", "list", "--csv"});
  REQUIRE(list.code == 0);
  CHECK(list.out.rfind(
            "id,connected,ocppVersion,vendor,model,registration,hasPassword,lastSeen\r\n", 0) == 0);
  CHECK(list.out.find("IMP1,false,") != std::string::npos);
  CHECK(list.out.find("IMP3,false,") != std::string::npos);

  Sim sim(csms, "IMP2", {"--password", "operations-pass-2"});
  CHECK(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  // A second import changing IMP2's password closes its session.
  auto change = write_file(dir, "change.csv", "IMP2,operations-pass-new\n");
  REQUIRE(csms.ctl({"station", "import", change}).code == 0);
  CHECK(eventually([&] {
    auto events = csms.ctl_json({"events", "--station", "IMP2"});
    for (const auto& e : events.GetArray())
      if (str(e["type"]) == "SessionClosedPasswordChanged") return true;
    return false;
  }));
}
