// Local authorization lists end to end, for OCPP 1.6 and 2.0.1: csmsctl
// local-list send (full, then differential after id tag changes) and
// local-list version against the real csms and ocpp-sim; the snapshot the
// server keeps matches what the station holds; a VersionMismatch leads to a
// full send.
#include <catch2/catch.hpp>

#include <map>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

struct Flavour {
  const char* station;
  bool v201;
};

constexpr Flavour k16{"LL16", false};
constexpr Flavour k201{"LL201", true};

std::unique_ptr<Sim> start_sim(Csms& csms, const Flavour& f) {
  std::vector<std::string> args;
  if (f.v201) args = {"--ocpp", "2.0.1"};
  auto sim = std::make_unique<Sim>(csms, f.station, args);
  REQUIRE(sim->wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  return sim;
}

/// Sends the list; checks what the station answered and what the CSMS sent.
void send_list(Csms& csms, const Flavour& f, bool full, const std::string& expect_status,
               const std::string& expect_type, std::int64_t expect_version,
               std::int64_t expect_entries) {
  std::vector<std::string> args = {"cmd", f.station, "local-list", "send"};
  if (full) args.push_back("--full");
  auto res = csms.ctl_json(args);
  CHECK(str(res["action"]) == "SendLocalList");
  CHECK(str(res["response"]["status"]) == expect_status);
  CHECK(str(res["response"]["updateType"]) == expect_type);
  CHECK(res["response"]["listVersion"].GetInt64() == expect_version);
  CHECK(res["response"]["entries"].GetInt64() == expect_entries);
}

/// The station's own list version, via GetLocalListVersion.
std::int64_t station_version(Csms& csms, const Flavour& f) {
  auto res = csms.ctl_json({"cmd", f.station, "local-list", "version"});
  CHECK(str(res["action"]) == "GetLocalListVersion");
  const auto& r = res["response"];
  return f.v201 ? r["versionNumber"].GetInt64() : r["listVersion"].GetInt64();
}

/// The CSMS's snapshot: tag -> status.
std::map<std::string, std::string> snapshot(Csms& csms, const Flavour& f, std::int64_t& version) {
  auto list = csms.ctl_json({"station", "local-list", f.station});
  version = list["version"].GetInt64();
  std::map<std::string, std::string> out;
  for (const auto& e : list["entries"].GetArray()) out[str(e["idTag"])] = str(e["status"]);
  return out;
}

}  // namespace

TEST_CASE(
    "local-list send is full first, then differential, and the station's list matches the snapshot",
    "[e2e][local-list]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "LTAG-A"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "LTAG-B"}).code == 0);
  for (const Flavour& f : {k16, k201}) {
    INFO(f.station);
    REQUIRE(csms.ctl({"station", "add", f.station}).code == 0);
    auto sim = start_sim(csms, f);

    send_list(csms, f, false, "Accepted", "Full", 1, 2);
    auto got = sim->wait_event("local_list", 10s, {{"status", "\"Accepted\""}});
    REQUIRE(got);
    CHECK((*got)["version"].GetInt64() == 1);
    CHECK((*got)["entries"].GetInt64() == 2);
    CHECK(station_version(csms, f) == 1);
    std::int64_t version = 0;
    auto entries = snapshot(csms, f, version);
    CHECK(version == 1);
    CHECK(entries ==
          std::map<std::string, std::string>{{"LTAG-A", "Accepted"}, {"LTAG-B", "Accepted"}});
    CHECK(csms.ctl_json({"station", "local-list", f.station})["reportedVersion"].GetInt64() == 1);

    // A change of the id tags goes as a differential update with the next version.
    REQUIRE(csms.ctl({"idtag", "add", "LTAG-C", "--status", "Blocked"}).code == 0);
    send_list(csms, f, false, "Accepted", "Differential", 2, 1);
    CHECK(station_version(csms, f) == 2);
    entries = snapshot(csms, f, version);
    CHECK(version == 2);
    CHECK(entries.size() == 3);
    CHECK(entries["LTAG-C"] == "Blocked");

    // --full sends everything, with the next version too.
    send_list(csms, f, true, "Accepted", "Full", 3, 3);
    CHECK(station_version(csms, f) == 3);
    REQUIRE(csms.ctl({"idtag", "remove", "LTAG-C"}).code == 0);  // the next station starts over
  }
}

TEST_CASE(
    "a station whose list version does not follow answers VersionMismatch and gets a full list "
    "next",
    "[e2e][local-list]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"idtag", "add", "LTAG-A"}).code == 0);
  for (const Flavour& f : {k16, k201}) {
    INFO(f.station);
    REQUIRE(csms.ctl({"station", "add", f.station}).code == 0);
    auto sim = start_sim(csms, f);
    send_list(csms, f, false, "Accepted", "Full", 1, 1);
    REQUIRE(csms.ctl({"idtag", "add", "LTAG-B"}).code == 0);
    send_list(csms, f, false, "Accepted", "Differential", 2, 1);

    // A replaced station (a new ocpp-sim process) starts without a list.
    sim.reset();
    sim = start_sim(csms, f);
    REQUIRE(csms.ctl({"idtag", "remove", "LTAG-A"}).code == 0);
    send_list(csms, f, false, "VersionMismatch", "Differential", 3, 1);
    std::int64_t version = 0;
    auto entries = snapshot(csms, f, version);
    CHECK(version == 2);  // only an Accepted answer changes the snapshot
    CHECK(entries.size() == 2);
    CHECK(csms.ctl_json({"station", "local-list", f.station})["needsFull"].GetBool());

    send_list(csms, f, false, "Accepted", "Full", 3, 1);
    CHECK(station_version(csms, f) == 3);
    entries = snapshot(csms, f, version);
    CHECK(version == 3);
    CHECK(entries == std::map<std::string, std::string>{{"LTAG-B", "Accepted"}});
    // The next station starts from the same tags.
    REQUIRE(csms.ctl({"idtag", "remove", "LTAG-B"}).code == 0);
    REQUIRE(csms.ctl({"idtag", "add", "LTAG-A"}).code == 0);
  }
}
