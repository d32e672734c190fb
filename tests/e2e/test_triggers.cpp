// Remote trigger: every message type of TriggerMessage (both versions) and of
// the 1.6 security extension's ExtendedTriggerMessage reaches the simulator,
// which sends the message, and the CSMS answers it.
#include <catch2/catch.hpp>

#include <utility>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::size_t acked(const Sim& sim, const std::string& action) {
  std::size_t n = 0;
  for (const auto& e : sim.events("acked")) n += str(e["action"]) == action ? 1 : 0;
  return n;
}

// Triggers `words` on `id` and checks the answer, the OCPP action the CSMS
// used, and that the simulator's `sends` message was then answered by the CSMS.
void trigger(Csms& csms, Sim& sim, const std::string& id, std::vector<std::string> words,
             const std::string& ocpp_action, const std::string& sends) {
  INFO("trigger " << words.front() << " -> " << sends);
  const std::size_t before = acked(sim, sends);
  std::vector<std::string> args = {"cmd", id, "trigger"};
  args.insert(args.end(), words.begin(), words.end());
  auto res = csms.ctl_json(args);
  CHECK(str(res["action"]) == ocpp_action);
  REQUIRE(str(res["response"]["status"]) == "Accepted");
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (acked(sim, sends) == before && std::chrono::steady_clock::now() < deadline) {
    sim.wait_event("acked", 200ms, {{"action", "\"" + sends + "\""}});
  }
  CHECK(acked(sim, sends) > before);
}

}  // namespace

TEST_CASE("every 1.6 TriggerMessage and ExtendedTriggerMessage type is sent and answered",
          "[e2e][trigger]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "TRG16"}).code == 0);
  Sim sim(csms, "TRG16", {"--meter-interval", "60"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  for (const char* m :
       {"BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
        "Heartbeat", "MeterValues", "StatusNotification"})
    trigger(csms, sim, "TRG16", {m}, "TriggerMessage", m);
  // Only the extension can trigger these; csmsctl need not be told.
  trigger(csms, sim, "TRG16", {"LogStatusNotification"}, "ExtendedTriggerMessage",
          "LogStatusNotification");
  trigger(csms, sim, "TRG16", {"SignChargePointCertificate"}, "ExtendedTriggerMessage",
          "SignCertificate");
  // --extended asks for the extension's variant of the common ones.
  trigger(csms, sim, "TRG16", {"FirmwareStatusNotification", "--extended"},
          "ExtendedTriggerMessage", "SignedFirmwareStatusNotification");
  for (const char* m : {"BootNotification", "Heartbeat", "MeterValues", "StatusNotification"})
    trigger(csms, sim, "TRG16", {m, "--extended"}, "ExtendedTriggerMessage", m);
  trigger(csms, sim, "TRG16", {"StatusNotification", "--connector", "1"}, "TriggerMessage",
          "StatusNotification");

  auto bad = csms.ctl({"cmd", "TRG16", "trigger", "TransactionEvent"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("LogStatusNotification") != std::string::npos);
  auto none = csms.ctl({"cmd", "TRG16", "trigger"});
  CHECK(none.code != 0);
  CHECK(none.err.find("trigger Heartbeat") != std::string::npos);
}

TEST_CASE("every 2.0.1 TriggerMessage type is sent and answered", "[e2e][trigger]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "TRG201"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "TAG1"}).code == 0);
  Sim sim(csms, "TRG201", {"--ocpp", "2.0.1", "--meter-interval", "60"});
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  for (const char* m :
       {"Heartbeat", "MeterValues", "StatusNotification", "FirmwareStatusNotification",
        "LogStatusNotification", "PublishFirmwareStatusNotification"})
    trigger(csms, sim, "TRG201", {m}, "TriggerMessage", m);
  for (const char* m :
       {"SignChargingStationCertificate", "SignV2GCertificate", "SignCombinedCertificate"})
    trigger(csms, sim, "TRG201", {m}, "TriggerMessage", "SignCertificate");
  trigger(csms, sim, "TRG201", {"StatusNotification", "--evse", "1", "--connector", "1"},
          "TriggerMessage", "StatusNotification");

  // A TransactionEvent needs a transaction; BootNotification an unaccepted boot (F06.FR.17).
  auto no_tx = csms.ctl_json({"cmd", "TRG201", "trigger", "TransactionEvent"});
  CHECK(str(no_tx["response"]["status"]) == "Rejected");
  auto boot = csms.ctl_json({"cmd", "TRG201", "trigger", "BootNotification"});
  CHECK(str(boot["response"]["status"]) == "Rejected");
  REQUIRE(str(csms.ctl_json({"cmd", "TRG201", "remote-start", "--evse", "1", "--idtag",
                             "TAG1"})["response"]["status"]) == "Accepted");
  REQUIRE(sim.wait_event("transaction_started", 20s));
  trigger(csms, sim, "TRG201", {"TransactionEvent", "--evse", "1"}, "TriggerMessage",
          "TransactionEvent");

  auto bad = csms.ctl({"cmd", "TRG201", "trigger", "DiagnosticsStatusNotification"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("LogStatusNotification") != std::string::npos);
}
