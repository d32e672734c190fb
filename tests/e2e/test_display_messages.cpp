// 2.0.1 display messages end to end: csmsctl sets, reads back (GetDisplayMessages
// answered with NotifyDisplayMessages parts the CSMS keeps) and clears the
// messages of ocpp-sim; bad input is refused before anything is sent.
#include <catch2/catch.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

void start_station(Csms& csms, Sim*& sim, std::unique_ptr<Sim>& holder, const std::string& id) {
  REQUIRE(csms.ctl({"station", "add", id}).code == 0);
  holder = std::make_unique<Sim>(csms, id, std::vector<std::string>{"--ocpp", "2.0.1"});
  sim = holder.get();
  REQUIRE(sim->wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
}

}  // namespace

TEST_CASE("display messages set on a 2.0.1 station are read back in parts and cleared",
          "[e2e][display]") {
  TempDir dir;
  Csms csms(dir);
  Sim* sim = nullptr;
  std::unique_ptr<Sim> holder;
  start_station(csms, sim, holder, "CS-D1");

  // Without --id the CSMS chooses one, and the answer names it.
  auto first = csms.ctl_json(
      {"cmd", "CS-D1", "display-set", "--message", "Welcome", "--priority", "NormalCycle"});
  CHECK(str(first["action"]) == "SetDisplayMessage");
  CHECK(str(first["response"]["status"]) == "Accepted");
  REQUIRE(first["response"]["id"].IsInt64());
  const std::int64_t chosen = first["response"]["id"].GetInt64();

  auto second = csms.ctl_json({"cmd", "CS-D1", "display-set", "--message", "Out of order soon",
                               "--priority", "InFront", "--id", "7", "--state", "Idle",
                               "--language", "en", "--end", "2099-01-01T00:00:00Z"});
  CHECK(str(second["response"]["status"]) == "Accepted");
  CHECK(second["response"]["id"].GetInt64() == 7);
  auto third = csms.ctl_json({"cmd", "CS-D1", "display-set", "--message", "Tariff 0.30/kWh",
                              "--priority", "AlwaysFront", "--id", "8", "--format", "ASCII"});
  CHECK(str(third["response"]["status"]) == "Accepted");
  // The simulator's text display takes no HTML: its answer is passed on.
  auto html = csms.ctl_json({"cmd", "CS-D1", "display-set", "--message", "<b>hi</b>", "--priority",
                             "NormalCycle", "--format", "HTML"});
  CHECK(str(html["response"]["status"]) == "NotSupportedMessageFormat");

  // All three come back in two NotifyDisplayMessages (two a part), stored.
  auto get = csms.ctl_json({"cmd", "CS-D1", "display-get"});
  CHECK(str(get["action"]) == "GetDisplayMessages");
  CHECK(str(get["response"]["status"]) == "Accepted");
  const std::int64_t request = get["response"]["requestId"].GetInt64();
  REQUIRE(sim->wait_event("display_messages_sent", 10s,
                          {{"requestId", std::to_string(request)}, {"parts", "2"}}));
  auto shown = csms.ctl_json({"station", "display-messages", "CS-D1"});
  CHECK(shown["requestId"].GetInt64() == request);
  CHECK(shown["complete"].GetBool());
  CHECK(shown["parts"].GetInt64() == 2);
  REQUIRE(shown["messages"].Size() == 3);
  bool saw_chosen = false;
  for (const auto& m : shown["messages"].GetArray()) {
    if (m["id"].GetInt64() == chosen) {
      saw_chosen = true;
      CHECK(str(m["content"]) == "Welcome");
      CHECK(str(m["format"]) == "UTF8");
    }
    if (m["id"].GetInt64() == 7) {
      CHECK(str(m["priority"]) == "InFront");
      CHECK(str(m["state"]) == "Idle");
      CHECK(str(m["language"]) == "en");
    }
  }
  CHECK(saw_chosen);
  // The table form works too.
  auto table = csms.ctl({"station", "display-messages", "CS-D1"});
  CHECK(table.code == 0);
  CHECK(table.out.find("Tariff 0.30/kWh") != std::string::npos);

  // A filtered request: only the InFront message, under its own requestId.
  auto filtered = csms.ctl_json({"cmd", "CS-D1", "display-get", "--priority", "InFront"});
  const std::int64_t request2 = filtered["response"]["requestId"].GetInt64();
  REQUIRE(sim->wait_event("display_messages_sent", 10s, {{"requestId", std::to_string(request2)}}));
  auto only = csms.ctl_json({"station", "display-messages", "CS-D1"});
  CHECK(only["requestId"].GetInt64() == request2);
  REQUIRE(only["messages"].Size() == 1);
  CHECK(only["messages"][0]["id"].GetInt64() == 7);
  // The earlier report is still there by its requestId.
  auto earlier =
      csms.ctl_json({"station", "display-messages", "CS-D1", "--request", std::to_string(request)});
  CHECK(earlier["messages"].Size() == 3);

  auto clear = csms.ctl_json({"cmd", "CS-D1", "display-clear", "--id", "7"});
  CHECK(str(clear["action"]) == "ClearDisplayMessage");
  CHECK(str(clear["response"]["status"]) == "Accepted");
  auto again = csms.ctl_json({"cmd", "CS-D1", "display-clear", "--id", "7"});
  CHECK(str(again["response"]["status"]) == "Unknown");
  auto gone = csms.ctl_json({"cmd", "CS-D1", "display-get", "7"});
  CHECK(str(gone["response"]["status"]) == "Unknown");
}

TEST_CASE("display commands refuse bad input before anything is sent", "[e2e][display]") {
  TempDir dir;
  Csms csms(dir);
  Sim* sim = nullptr;
  std::unique_ptr<Sim> holder;
  start_station(csms, sim, holder, "CS-D2");

  auto refused = [&](std::vector<std::string> args, const std::string& expected) {
    args.insert(args.begin(), {"cmd", "CS-D2"});
    auto r = csms.ctl(args);
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(expected) != std::string::npos);
  };
  refused({"display-set", "--message", "x", "--priority", "Sometimes"}, "AlwaysFront");
  refused({"display-set", "--priority", "NormalCycle"}, "'message'");
  refused({"display-set", "--message", std::string(513, 'a'), "--priority", "NormalCycle"}, "512");
  refused({"display-set", "--message", "x", "--priority", "NormalCycle", "--start", "tomorrow"},
          "RFC 3339");
  refused({"display-set", "--message", "x", "--priority", "NormalCycle", "--state", "Sleeping"},
          "Charging");
  refused({"display-set", "--message", "x", "--priority", "NormalCycle", "--start",
           "2030-01-02T00:00:00Z", "--end", "2030-01-01T00:00:00Z"},
          "after");
  refused({"display-get", "seven"}, "message ids");
  refused({"display-clear"}, "'id'");

  auto log = csms.ctl({"log", "CS-D2", "--json"});
  CHECK(log.out.find("SetDisplayMessage") == std::string::npos);
  CHECK(log.out.find("ClearDisplayMessage") == std::string::npos);
  CHECK(log.out.find("GetDisplayMessages") == std::string::npos);
}
