#pragma once
// A v201::ChargingStation on virtual time whose CSMS answers from a table, for
// the test_v201_*.cpp files (the link double and frame parsing come from
// support.hpp).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulator/v201/charging_station.hpp"
#include "support.hpp"

namespace simtest {

/// A JSON string value as text (empty when it is not a string).
inline std::string text_at(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

/// A 2.0.1 ChargingStation driven by a scripted CSMS.
class Rig201 {
 public:
  explicit Rig201(int evses = 1, std::function<void(simulator::StationSettings&)> tweak = {}) {
    settings.id = "CS1";
    settings.connectors = evses;
    settings.meter_interval_s = 10;
    settings.call_timeout = Duration(30000);
    settings.seed = 42;
    if (tweak) tweak(settings);
    hub.listen([this](const simulator::Event& e) { events.emit(e); });
    cs = std::make_unique<simulator::v201::ChargingStation>(settings, link, sched, hub,
                                                            simulator::Logger());
    responses["BootNotification"] = [](const Sent&) {
      return std::string(
          R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300})");
    };
    responses["Heartbeat"] = [](const Sent&) {
      return std::string(R"({"currentTime":"2024-01-01T00:00:00Z"})");
    };
    for (const char* empty : {"StatusNotification", "MeterValues", "NotifyReport",
                              "FirmwareStatusNotification", "LogStatusNotification"}) {
      responses[empty] = [](const Sent&) { return std::string("{}"); };
    }
    responses["Authorize"] = [](const Sent& s) {
      const std::string token = text_at(s.payload()["idToken"]["idToken"]);
      return std::string(R"({"idTokenInfo":{"status":")") +
             (token == "BAD" ? "Invalid" : "Accepted") + "\"}}";
    };
    responses["TransactionEvent"] = [](const Sent&) { return std::string("{}"); };
    responses["DataTransfer"] = [](const Sent&) { return std::string(R"({"status":"Accepted"})"); };
  }

  /// Connects and answers until quiet (boot, statuses).
  void boot() {
    cs->start();
    link.connect();
    answer();
  }

  /// Answers the station's unanswered CALLs from `responses` until none is left.
  int answer() {
    int n = 0;
    while (link.is_up() && answered_ < link.sent.size()) {
      Sent s = parse_sent(link.sent[answered_++]);
      if (s.type != 2) continue;
      auto it = responses.find(s.action);
      if (it == responses.end()) continue;
      ++n;
      link.receive("[3,\"" + s.id + "\"," + it->second(s) + "]");
    }
    return n;
  }
  /// Marks everything sent so far as seen without answering.
  void skip() { answered_ = link.sent.size(); }

  /// Sends a CSMS CALL and returns the station's answer to it (then answers
  /// whatever the station sent meanwhile).
  Sent csms_call(const std::string& action, const std::string& payload) {
    const std::string id = "csms-" + std::to_string(++csms_ids_);
    link.receive("[2,\"" + id + "\",\"" + action + "\"," + payload + "]");
    for (const auto& text : link.sent) {
      Sent s = parse_sent(text);
      if (s.type != 2 && s.id == id) return s;
    }
    throw std::runtime_error("no answer to " + action);
  }

  /// Every CALL the station sent with `action`, in order.
  std::vector<Sent> calls(const std::string& action) const {
    std::vector<Sent> out;
    for (const auto& text : link.sent) {
      Sent s = parse_sent(text);
      if (s.type == 2 && s.action == action) out.push_back(s);
    }
    return out;
  }
  /// The connector statuses reported for `evse`, in order.
  std::vector<std::string> statuses(int evse) const {
    std::vector<std::string> out;
    for (const auto& s : calls("StatusNotification")) {
      if (s.num("evseId") == evse) out.push_back(s.str("connectorStatus"));
    }
    return out;
  }
  /// The TransactionEvents sent, optionally of one transaction.
  std::vector<Sent> tx_events(const std::string& transaction_id = {}) const {
    std::vector<Sent> out;
    for (const auto& s : calls("TransactionEvent")) {
      if (transaction_id.empty() ||
          text_at(s.payload()["transactionInfo"]["transactionId"]) == transaction_id) {
        out.push_back(s);
      }
    }
    return out;
  }

  /// Advances time, answering as it goes.
  void advance(Duration d, Duration step = Duration(1000)) {
    for (Duration t{0}; t < d; t += step) {
      sched.advance(std::min(step, d - t));
      answer();
    }
  }

  /// Runs a step and returns its result once done (advancing time if needed).
  simulator::StepResult run(const simulator::Step& step, Duration limit = Duration(60000)) {
    std::optional<simulator::StepResult> result;
    cs->run_step(step, [&result](simulator::StepResult r) { result = r; });
    answer();
    for (Duration t{0}; !result && t < limit; t += Duration(100)) {
      sched.advance(Duration(100));
      answer();
    }
    if (!result) return simulator::StepResult::failure("step did not finish");
    return *result;
  }

  simulator::StationSettings settings;
  simulator::ManualScheduler sched;
  simulator::RecordingEventSink events;
  simulator::EventHub hub;  // what the station emits into; `events` records it
  FakeLink link;
  std::unique_ptr<simulator::v201::ChargingStation> cs;
  std::map<std::string, std::function<std::string(const Sent&)>> responses;

 private:
  std::size_t answered_ = 0;
  int csms_ids_ = 0;
};

inline simulator::Step start_step(int evse = 1, const std::string& tag = "TAG", int repeat = 1) {
  simulator::Step s = make_step(simulator::StepKind::Start, evse);
  s.id_tag = tag;
  s.repeat = repeat;
  return s;
}

inline simulator::Step stop_step(int evse = 1, const std::string& reason = "Local",
                                 int repeat = 1) {
  simulator::Step s = make_step(simulator::StepKind::Stop, evse);
  s.reason = reason;
  s.repeat = repeat;
  return s;
}

}  // namespace simtest
