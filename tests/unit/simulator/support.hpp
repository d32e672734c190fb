#pragma once
// Test doubles for the simulator: a Link driven by the test, and rigs that
// play a scripted CSMS against a station of either version on virtual time
// (the 2.0.1 rig is in test_v201_support.hpp).

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocpp/common/json.hpp"
#include "simulator/events.hpp"
#include "simulator/link.hpp"
#include "simulator/scheduler.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simtest {

using simulator::Duration;

/// A Link the test connects, feeds and inspects.
class FakeLink : public simulator::Link {
 public:
  void set_observer(simulator::LinkObserver* observer) override { observer_ = observer; }
  void start() override { ++starts; }
  void send(std::string text) override {
    if (up_) sent.push_back(std::move(text));
  }
  bool is_up() const override { return up_; }
  void go_offline(std::optional<Duration> reconnect_after) override {
    offline_requests.push_back(reconnect_after);
    drop();
  }
  void go_online() override { ++online_requests; }
  void reconnect() override {
    ++reconnects;
    drop();
  }
  void shutdown(std::function<void()> done) override {
    ++shutdowns;
    drop();
    if (done) done();
  }

  void connect() {
    up_ = true;
    if (observer_) observer_->on_link_up();
  }
  void drop() {
    if (!up_) return;
    up_ = false;
    if (observer_) observer_->on_link_down();
  }
  void receive(const std::string& text) {
    if (observer_) observer_->on_link_message(text);
  }
  void fail(simulator::LinkFailure failure) {
    if (observer_) observer_->on_link_failure(failure);
  }
  // Credentials as the station set them (they apply from the next connection).
  void set_password(std::optional<std::string> pw) override { password = std::move(pw); }
  void set_client_certificate(std::string chain_pem, std::string key_pem) override {
    cert_pem = std::move(chain_pem);
    key_pem_ = std::move(key_pem);
  }
  void set_installed_roots(std::string pem) override { roots_pem = std::move(pem); }
  bool set_url(const std::string& u, std::string& error) override {
    if (u.rfind("ws://", 0) != 0 && u.rfind("wss://", 0) != 0) {
      error = "not a ws:// or wss:// URL";
      return false;
    }
    url_ = u;
    return true;
  }
  std::string url() const override { return url_; }

  std::optional<std::string> password;
  std::string cert_pem, key_pem_, roots_pem;
  std::string url_ = "ws://csms.test/ocpp";

  std::vector<std::string> sent;
  std::vector<std::optional<Duration>> offline_requests;
  int starts = 0;
  int online_requests = 0;
  int reconnects = 0;
  int shutdowns = 0;

 private:
  simulator::LinkObserver* observer_ = nullptr;
  bool up_ = false;
};

/// One frame the station sent, parsed.
struct Sent {
  int type = 0;  // 2 CALL, 3 CALLRESULT, 4 CALLERROR
  std::string id;
  std::string action;  // CALL
  std::string code;    // CALLERROR
  std::shared_ptr<rapidjson::Document> doc;
  const rapidjson::Value& payload() const { return (*doc)[type == 4 ? 4 : (type == 2 ? 3 : 2)]; }
  bool has(const char* key) const { return payload().IsObject() && payload().HasMember(key); }
  std::string str(const char* key) const { return payload()[key].GetString(); }
  std::int64_t num(const char* key) const { return payload()[key].GetInt64(); }
};

inline Sent parse_sent(const std::string& text) {
  Sent s;
  s.doc = std::make_shared<rapidjson::Document>();
  s.doc->Parse(text.c_str());
  const auto& d = *s.doc;
  s.type = d[0].GetInt();
  s.id = d[1].GetString();
  if (s.type == 2) s.action = d[2].GetString();
  if (s.type == 4) s.code = d[2].GetString();
  return s;
}

/// A station of either version on virtual time whose CSMS answers from
/// `responses`; the version's rig adds its own answers and queries.
template <typename Station>
class StationRig {
 public:
  /// Connects and answers until quiet (boot, statuses).
  void boot() {
    station->start();
    link.connect();
    answer();
  }

  /// Answers the station's unanswered CALLs from `responses` until none is left
  /// (each answer may release the next CALL). Returns how many were answered.
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

  /// Sends a CSMS CALL and returns the station's answer to it.
  Sent csms_call(const std::string& action, const std::string& payload) {
    const std::string id = "csms-" + std::to_string(++csms_ids_);
    link.receive("[2,\"" + id + "\",\"" + action + "\"," + payload + "]");
    for (const auto& text : link.sent) {
      Sent s = parse_sent(text);
      if (s.type != 2 && s.id == id) return s;
    }
    throw std::runtime_error("no answer to " + action);
  }

  /// Whether the station sent its answer to the CSMS CALL `answer` before its
  /// first CALL of `action` (what the CALL caused comes after the answer).
  bool answered_before(const Sent& answer, const std::string& action) const {
    std::size_t answer_at = 0, action_at = 0;
    for (std::size_t i = 0; i < link.sent.size(); ++i) {
      Sent s = parse_sent(link.sent[i]);
      if (s.type == 3 && s.id == answer.id) answer_at = i;
      if (s.action == action && action_at == 0) action_at = i;
    }
    return answer_at < action_at;
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
    station->run_step(step, [&result](simulator::StepResult r) { result = r; });
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
  std::unique_ptr<Station> station;
  std::map<std::string, std::function<std::string(const Sent&)>> responses;

 protected:
  /// A station `id` with `connectors`, its settings adjusted by `tweak`, and a
  /// CSMS that answers what both versions send alike.
  StationRig(std::string id, int connectors,
             const std::function<void(simulator::StationSettings&)>& tweak) {
    settings.id = std::move(id);
    settings.connectors = connectors;
    settings.meter_interval_s = 10;
    settings.call_timeout = Duration(30000);
    if (tweak) tweak(settings);
    hub.listen([this](const simulator::Event& e) { events.emit(e); });
    station = std::make_unique<Station>(settings, link, sched, hub, simulator::Logger());
    responses["BootNotification"] = [](const Sent&) {
      return std::string(
          R"({"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300})");
    };
    responses["Heartbeat"] = [](const Sent&) {
      return std::string(R"({"currentTime":"2024-01-01T00:00:00Z"})");
    };
    responses["StatusNotification"] = [](const Sent&) { return std::string("{}"); };
    responses["MeterValues"] = [](const Sent&) { return std::string("{}"); };
    responses["DataTransfer"] = [](const Sent&) { return std::string(R"({"status":"Accepted"})"); };
  }

 private:
  std::size_t answered_ = 0;
  int csms_ids_ = 0;
};

/// A 1.6 ChargePoint driven by a scripted CSMS.
class Rig : public StationRig<simulator::v16::ChargePoint> {
 public:
  explicit Rig(int connectors = 1, std::function<void(simulator::StationSettings&)> tweak = {})
      : StationRig("CP1", connectors, tweak) {
    responses["Authorize"] = [](const Sent& s) {
      return std::string(R"({"idTagInfo":{"status":")") +
             (s.str("idTag") == "BAD" ? "Invalid" : "Accepted") + "\"}}";
    };
    responses["StartTransaction"] = [this](const Sent&) {
      return R"({"idTagInfo":{"status":"Accepted"},"transactionId":)" + std::to_string(++last_tx) +
             "}";
    };
    responses["StopTransaction"] = [](const Sent&) {
      return std::string(R"({"idTagInfo":{"status":"Accepted"}})");
    };
  }

  /// The statuses reported for `connector`, in order.
  std::vector<std::string> statuses(int connector) const {
    std::vector<std::string> out;
    for (const auto& s : calls("StatusNotification")) {
      if (s.num("connectorId") == connector) out.push_back(s.str("status"));
    }
    return out;
  }

  std::int64_t last_tx = 100;
};

inline simulator::Step make_step(simulator::StepKind kind, int connector = 1) {
  simulator::Step s;
  s.kind = kind;
  s.connector = connector;
  return s;
}

}  // namespace simtest
