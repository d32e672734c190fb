// The real csms on PostgreSQL (the ctest fixture "postgres", tests/pg/cluster.sh):
// a 1.6 and a 2.0.1 station boot, charge with meter values, and what they
// stored reads back through csmsctl; the database URL's password shows nowhere.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "support/harness.hpp"
#include "support/pg_database.hpp"
#include "support/raw_socket.hpp"

using namespace e2e;

namespace {

const std::string kPassword = "sim-password-0123";
// Not checked by the test cluster (trust authentication): it only has to
// stay out of every output.
const std::string kDbSecret = "e2e-db-secret-5f1c";

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

/// A database of this test; csms gets its URL with a password that must
/// never be shown.
class TestDatabase : public PgTestDatabase {
 public:
  TestDatabase() : PgTestDatabase("e2e_") {}
  std::string url() const { return PgTestDatabase::url() + "&password=" + kDbSecret; }
};

std::string metrics(const Csms& csms) {
  RawSocket s(csms.admin_port());
  REQUIRE(s.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                 csms.token() + "\r\nConnection: close\r\n\r\n"));
  return s.read(5s);
}

const char* kSession = R"({"steps":[
    {"do":"authorize","idTag":"TAG1"},
    {"do":"start","connector":1,"idTag":"TAG1"},
    {"do":"charge","connector":1,"seconds":3},
    {"do":"stop","connector":1,"reason":"Local"}]})";

}  // namespace

TEST_CASE("csms on PostgreSQL stores a 1.6 and a 2.0.1 session and shows them through csmsctl",
          "[e2e][postgres]") {
  TempDir dir;
  TestDatabase database;
  Csms csms(dir, {"--db", database.url()});
  REQUIRE(csms.ctl({"station", "add", "PG16", "--password", kPassword}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "PG201"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  const auto scenario = write_file(dir, "session.json", kSession);

  Sim v16(csms, "PG16",
          {"--password", kPassword, "--meter-interval", "1", "--scenario", scenario, "--power-w",
           "11000"});
  Sim v201(csms, "PG201", {"--ocpp", "2.0.1", "--meter-interval", "1", "--scenario", scenario});
  REQUIRE(v16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(v201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  auto started16 = v16.wait_event("transaction_started", 20s);
  auto started201 = v201.wait_event("transaction_started", 20s);
  REQUIRE(started16);
  REQUIRE(started201);
  REQUIRE(v16.wait_event("transaction_stopped", 30s));
  REQUIRE(v201.wait_event("transaction_stopped", 30s));
  REQUIRE(v16.wait_exit() == 0);
  REQUIRE(v201.wait_exit() == 0);

  auto txs = csms.ctl_json({"tx", "list"});
  REQUIRE(txs.Size() == 2);
  for (const auto& tx : txs.GetArray()) {
    CHECK(str(tx["idTag"]) == "TAG1");
    REQUIRE(tx["energyWh"].IsNumber());
    CHECK(tx["energyWh"].GetDouble() > 0);
  }
  const auto id16 = std::to_string((*started16)["transactionId"].GetInt64());
  auto shown16 = csms.ctl_json({"tx", "show", id16});
  CHECK(str(shown16["stationId"]) == "PG16");
  CHECK(shown16["samples"].Size() >= 2);
  auto shown201 = csms.ctl_json({"tx", "show", str((*started201)["transactionId"])});
  CHECK(str(shown201["stationId"]) == "PG201");
  REQUIRE(shown201["events"].Size() >= 3);
  CHECK(str(shown201["events"][0]["eventType"]) == "Started");
  CHECK(shown201["samples"].Size() >= 2);
  CHECK(str(csms.ctl_json({"station", "show", "PG16"})["ocppVersion"]) == "1.6");
  CHECK(str(csms.ctl_json({"station", "show", "PG201"})["ocppVersion"]) == "2.0.1");

  // The password of the database URL shows nowhere: log, csmsctl, metrics.
  CHECK(csms.process().stderr_text().find(kDbSecret) == std::string::npos);
  CHECK(csms.ctl({"station", "list"}).out.find(kDbSecret) == std::string::npos);
  CHECK(metrics(csms).find(kDbSecret) == std::string::npos);
  // Backups through the admin API are SQLite's; PostgreSQL says so.
  const auto backup = csms.ctl({"backup", "--out", (dir.path() / "copy.db").string()});
  CHECK(backup.code != 0);
  CHECK(backup.out.find(kDbSecret) == std::string::npos);
  CHECK(backup.err.find(kDbSecret) == std::string::npos);

  // A restart finds its data in PostgreSQL (and migrates nothing twice).
  REQUIRE(csms.stop() == 0);
  csms.restart();
  CHECK(csms.ctl_json({"tx", "list"}).Size() == 2);
}
