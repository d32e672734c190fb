// The 2.0.1 operator commands that have no block of their own reach an
// ocpp-sim charging station and return its answer.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("2.0.1 operator commands reach the station and return its answer",
          "[e2e][ocpp201][sim]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CMD201"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG7"}).code == 0);
  Sim sim(csms, "CMD201", {"--ocpp", "2.0.1", "--meter-interval", "60"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto unlock = csms.ctl_json({"cmd", "CMD201", "unlock", "--evse", "1"});
  CHECK(str(unlock["action"]) == "UnlockConnector");
  CHECK(str(unlock["response"]["status"]) == "Unlocked");
  CHECK(str(csms.ctl_json({"cmd", "CMD201", "unlock", "--evse", "9"})["response"]["status"]) ==
        "UnknownConnector");

  auto off =
      csms.ctl_json({"cmd", "CMD201", "availability", "--evse", "1", "--type", "Inoperative"});
  CHECK(str(off["action"]) == "ChangeAvailability");
  CHECK(str(off["response"]["status"]) == "Accepted");
  CHECK(str(csms.ctl_json({"cmd", "CMD201", "availability", "--evse", "1", "--type",
                           "Operative"})["response"]["status"]) == "Accepted");

  auto cache = csms.ctl_json({"cmd", "CMD201", "clear-cache"});
  CHECK(str(cache["action"]) == "ClearCache");
  CHECK(str(cache["response"]["status"]) == "Accepted");

  auto dt =
      csms.ctl_json({"cmd", "CMD201", "data-transfer", "--vendor", "ocpp-sim", "--data", "ping"});
  CHECK(str(dt["action"]) == "DataTransfer");
  CHECK(str(dt["response"]["status"]) == "Accepted");
  CHECK(str(dt["response"]["data"]) == "ping");  // Sent as a JSON string, echoed back.
  CHECK(str(csms.ctl_json({"cmd", "CMD201", "data-transfer", "--vendor",
                           "nobody"})["response"]["status"]) == "UnknownVendorId");

  REQUIRE(str(csms.ctl_json({"cmd", "CMD201", "remote-start", "--evse", "1", "--idtag",
                             "TAG7"})["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  const std::string tx = str((*started)["transactionId"]);
  auto status = csms.ctl_json({"cmd", "CMD201", "tx-status", "--transaction", tx});
  CHECK(str(status["action"]) == "GetTransactionStatus");
  CHECK(status["response"]["ongoingIndicator"].GetBool());
  CHECK_FALSE(status["response"]["messagesInQueue"].GetBool());

  // OnIdle: accepted now, carried out once the transaction has ended.
  auto reset = csms.ctl_json({"cmd", "CMD201", "reset", "--type", "OnIdle"});
  CHECK(str(reset["action"]) == "Reset");
  CHECK(str(reset["response"]["status"]) == "Scheduled");
  REQUIRE(str(csms.ctl_json({"cmd", "CMD201", "remote-stop", "--transaction",
                             tx})["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("transaction_stopped", 20s));
  CHECK(sim.wait_event("boot", 30s, {{"status", "\"Accepted\""}}));
}
