// The outgoing call queue and the RPC layer: order, one CALL in flight, the
// offline queue, transaction id patch-up, timeouts and re-sending.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "simulator/call_queue.hpp"
#include "simulator/messenger.hpp"
#include "support.hpp"

using namespace simulator;
using simtest::FakeLink;
using simtest::parse_sent;

namespace {

OutgoingCall tx_call(const std::string& action, std::int64_t session, bool needs_id,
                     const std::string& payload = "{\"n\":1}") {
  OutgoingCall c;
  c.action = action;
  c.payload = payload;
  c.transactional = true;
  c.session = session;
  if (needs_id) c.tx_id_field = "transactionId";
  return c;
}

OutgoingCall volatile_call(const std::string& action,
                           std::vector<CallReply::Kind>* replies = nullptr) {
  OutgoingCall c;
  c.action = action;
  c.payload = "{}";
  if (replies) c.on_reply = [replies](const CallReply& r) { replies->push_back(r.kind); };
  return c;
}

struct MessengerRig {
  MessengerRig() : messenger(ocpp::Version::v16, link, sched, events, Logger(), Duration(5000)) {
    messenger.set_transaction_handler([this](const OutgoingCall& call, const CallReply& reply) {
      tx_replies.emplace_back(call.action, reply.kind);
      if (call.action == "StartTransaction" && reply.ok()) {
        messenger.queue().set_transaction_id(call.session,
                                             (*reply.result)["transactionId"].GetInt64());
      }
    });
    messenger.set_gate_open(true);
  }
  void connect() {
    link.connect();
    messenger.on_connected();
  }
  void disconnect() {
    link.drop();
    messenger.on_disconnected();
  }
  simtest::Sent last() { return parse_sent(link.sent.back()); }
  void reply(const std::string& payload) {
    messenger.on_message("[3,\"" + last().id + "\"," + payload + "]");
  }

  ManualScheduler sched;
  RecordingEventSink events;
  FakeLink link;
  Messenger messenger;
  std::vector<std::pair<std::string, CallReply::Kind>> tx_replies;
};

}  // namespace

TEST_CASE("call queue: a priority call goes first, but never before the call in flight") {
  CallQueue q;
  q.push(tx_call("A", 1, false));
  q.push(tx_call("B", 1, false));
  OutgoingCall boot = volatile_call("BootNotification");
  boot.priority = true;
  q.push(boot, 1);
  CHECK(q.at(0).action == "A");
  CHECK(q.at(1).action == "BootNotification");
  CHECK(q.at(2).action == "B");
  OutgoingCall boot2 = volatile_call("Boot2");
  boot2.priority = true;
  q.push(boot2, 0);
  CHECK(q.at(0).action == "Boot2");  // nothing in flight: before everything
  CHECK(q.at(2).action == "BootNotification");
}

TEST_CASE("call queue: render fills in the CSMS transaction id of the session") {
  CallQueue q;
  auto s = q.new_session();
  auto stop = tx_call("StopTransaction", s, true, R"({"meterStop":5,"transactionId":0})");
  CHECK_FALSE(q.render(stop));
  q.set_transaction_id(s, 42);
  CHECK(q.render(stop) == R"({"meterStop":5,"transactionId":42})");
  auto meter = tx_call("MeterValues", s, true, R"({"connectorId":1})");
  CHECK(q.render(meter) == R"({"connectorId":1,"transactionId":42})");
  auto start = tx_call("StartTransaction", s, false, R"({"a":1})");
  CHECK(q.render(start) == R"({"a":1})");
}

TEST_CASE("call queue: save and load keep transactional calls, ids and session numbers") {
  CallQueue q;
  auto s1 = q.new_session();
  auto s2 = q.new_session();
  q.push(tx_call("StartTransaction", s2, false, R"({"connectorId":1})"));
  q.push(volatile_call("Heartbeat"));
  q.push(tx_call("StopTransaction", s1, true, R"({"transactionId":0})"));
  q.set_transaction_id(s1, 7);
  CallQueue r;
  std::string error;
  REQUIRE(r.load(q.save(), &error));
  REQUIRE(r.size() == 2);
  CHECK(r.at(0).action == "StartTransaction");
  CHECK(r.at(0).payload == R"({"connectorId":1})");
  CHECK(r.at(1).tx_id_field == "transactionId");
  CHECK(r.transaction_id(s1) == 7);
  CHECK(r.new_session() > s2);
  CHECK_FALSE(r.load("{\"calls\":3}", &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("messenger: one CALL in flight at a time, sent in queue order") {
  MessengerRig rig;
  rig.connect();
  rig.messenger.call(volatile_call("A"));
  rig.messenger.call(volatile_call("B"));
  rig.messenger.call(volatile_call("C"));
  REQUIRE(rig.link.sent.size() == 1);
  CHECK(rig.last().action == "A");
  CHECK(rig.messenger.in_flight());
  rig.reply("{}");
  REQUIRE(rig.link.sent.size() == 2);
  CHECK(rig.last().action == "B");
  rig.reply("{}");
  CHECK(rig.last().action == "C");
  rig.reply("{}");
  CHECK_FALSE(rig.messenger.in_flight());
  CHECK(rig.events.count("sent") == 3);
  CHECK(rig.events.count("acked") == 3);
  const Event* acked = rig.events.last("acked");
  CHECK(*acked->string("action") == "C");
  CHECK(*acked->raw("payload") == "{}");
}

TEST_CASE("messenger: an answer with another id does not complete the CALL in flight") {
  MessengerRig rig;
  rig.connect();
  rig.messenger.call(volatile_call("A"));
  rig.messenger.on_message("[3,\"not-ours\",{}]");
  CHECK(rig.messenger.in_flight());
  CHECK(rig.events.count("acked") == 0);
}

TEST_CASE("messenger: CALLERROR answers are reported and the queue moves on") {
  MessengerRig rig;
  std::vector<CallReply::Kind> replies;
  rig.connect();
  rig.messenger.call(volatile_call("A", &replies));
  rig.messenger.call(volatile_call("B", &replies));
  rig.messenger.on_message("[4,\"" + rig.last().id + "\",\"NotSupported\",\"no\",{}]");
  REQUIRE(replies.size() == 1);
  CHECK(replies[0] == CallReply::Kind::Error);
  CHECK(*rig.events.last("call_error")->string("code") == "NotSupported");
  CHECK(rig.last().action == "B");
}

TEST_CASE("messenger: offline, transaction messages queue and volatile ones fail at once") {
  MessengerRig rig;
  std::vector<CallReply::Kind> replies;
  rig.messenger.call(volatile_call("Heartbeat", &replies));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0] == CallReply::Kind::Dropped);
  rig.messenger.call(tx_call("StartTransaction", 1, false));
  rig.messenger.call(tx_call("MeterValues", 1, true));
  CHECK(rig.events.count("queued") == 2);
  CHECK(*rig.events.last("queued")->string("action") == "MeterValues");
  CHECK(rig.messenger.pending_transactional() == 2);
  CHECK(rig.link.sent.empty());
}

TEST_CASE("messenger: the offline queue is delivered in order, ids patched, then queue_flushed") {
  MessengerRig rig;
  auto s = rig.messenger.queue().new_session();
  rig.messenger.call(tx_call("StartTransaction", s, false, R"({"connectorId":1,"meterStart":0})"));
  rig.messenger.call(tx_call("MeterValues", s, true, R"({"connectorId":1})"));
  rig.messenger.call(tx_call("StopTransaction", s, true, R"({"meterStop":9,"transactionId":0})"));
  rig.connect();
  REQUIRE(rig.link.sent.size() == 1);
  CHECK(rig.last().action == "StartTransaction");
  rig.reply(R"({"idTagInfo":{"status":"Accepted"},"transactionId":77})");
  REQUIRE(rig.link.sent.size() == 2);
  CHECK(rig.last().action == "MeterValues");
  CHECK(rig.last().num("transactionId") == 77);
  rig.reply("{}");
  CHECK(rig.last().action == "StopTransaction");
  CHECK(rig.last().num("transactionId") == 77);
  CHECK(rig.last().num("meterStop") == 9);
  CHECK(rig.events.count("queue_flushed") == 0);
  rig.reply("{}");
  REQUIRE(rig.events.count("queue_flushed") == 1);
  CHECK(*rig.events.last("queue_flushed")->raw("count") == "3");
  CHECK(rig.tx_replies.size() == 3);
}

TEST_CASE("messenger: a transaction message lost with the connection is re-sent, same payload") {
  MessengerRig rig;
  std::vector<CallReply::Kind> replies;
  rig.connect();
  rig.messenger.call(tx_call("StartTransaction", 1, false, R"({"connectorId":1})"));
  rig.messenger.call(volatile_call("StatusNotification", &replies));
  auto first = rig.last();
  rig.disconnect();
  REQUIRE(replies.size() == 1);  // the volatile one is gone
  CHECK(replies[0] == CallReply::Kind::Dropped);
  CHECK(rig.messenger.pending_transactional() == 1);
  rig.connect();
  auto again = rig.last();
  CHECK(again.action == "StartTransaction");
  CHECK(again.id != first.id);
  CHECK(rig.link.sent.back().substr(rig.link.sent.back().find("StartTransaction")) ==
        rig.link.sent.front().substr(rig.link.sent.front().find("StartTransaction")));
  rig.reply(R"({"idTagInfo":{"status":"Accepted"},"transactionId":1})");
  CHECK(rig.events.count("queue_flushed") == 1);
}

TEST_CASE("messenger: an unanswered transaction message stays at the head after a timeout") {
  MessengerRig rig;
  int timeouts = 0;
  rig.messenger.set_timeout_handler([&](const OutgoingCall&) {
    ++timeouts;
    rig.disconnect();  // what the station does: reconnect
  });
  rig.connect();
  rig.messenger.call(tx_call("StopTransaction", 1, false));
  rig.sched.advance(Duration(4999));
  CHECK(timeouts == 0);
  rig.sched.advance(Duration(1));
  CHECK(timeouts == 1);
  CHECK(rig.events.count("timeout") == 1);
  CHECK(rig.messenger.pending_transactional() == 1);
  rig.connect();
  CHECK(rig.last().action == "StopTransaction");
  CHECK(rig.link.sent.size() == 2);
}

TEST_CASE("messenger: an unanswered volatile call times out and the next goes") {
  MessengerRig rig;
  std::vector<CallReply::Kind> replies;
  rig.connect();
  rig.messenger.call(volatile_call("Heartbeat", &replies));
  rig.messenger.call(volatile_call("Authorize", &replies));
  rig.sched.advance(Duration(5000));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0] == CallReply::Kind::Timeout);
  CHECK(rig.last().action == "Authorize");
}

TEST_CASE("messenger: with the gate closed only priority calls go out") {
  MessengerRig rig;
  rig.messenger.set_gate_open(false);
  rig.connect();
  rig.messenger.call(tx_call("StartTransaction", 1, false));
  CHECK(rig.link.sent.empty());
  OutgoingCall boot = volatile_call("BootNotification");
  boot.priority = true;
  rig.messenger.call(boot);
  REQUIRE(rig.link.sent.size() == 1);
  CHECK(rig.last().action == "BootNotification");
  rig.reply("{}");
  CHECK(rig.link.sent.size() == 1);
  rig.messenger.set_gate_open(true);
  CHECK(rig.last().action == "StartTransaction");
}

TEST_CASE("messenger: malformed frames get the CALLERROR the protocol library names") {
  MessengerRig rig;
  rig.connect();
  rig.messenger.on_message("[2,\"x1\",\"Reset\"]");  // wrong element count
  auto answer = rig.last();
  CHECK(answer.type == 4);
  CHECK(answer.id == "x1");
  CHECK(answer.code == "FormationViolation");
  const auto before = rig.link.sent.size();
  rig.messenger.on_message("not json");
  rig.messenger.on_message("[3,\"zz\"]");  // a broken CALLRESULT is never answered
  CHECK(rig.link.sent.size() == before);
}

TEST_CASE("messenger: a CSMS CALL is answered, then its follow-up runs") {
  struct Handler : CallHandler {
    CallAnswer handle_call(const ocpp::Frame& call) override {
      return {ocpp::make_call_result(call.id(), "{\"status\":\"Accepted\"}"),
              [this] { followed = true; }};
    }
    bool followed = false;
  } handler;
  MessengerRig rig;
  rig.messenger.set_call_handler(&handler);
  rig.connect();
  rig.messenger.on_message("[2,\"c1\",\"Reset\",{\"type\":\"Soft\"}]");
  CHECK(rig.last().type == 3);
  CHECK(handler.followed);
  CHECK(*rig.events.last("received")->string("action") == "Reset");
}

TEST_CASE("messenger: the queue file keeps undelivered messages across a restart") {
  const std::string path = "/tmp/ocpp-sim-test-queue-" + std::to_string(::getpid()) + ".json";
  std::remove(path.c_str());
  {
    MessengerRig rig;
    std::string error;
    REQUIRE(rig.messenger.use_queue_file(path, &error));
    auto s = rig.messenger.queue().new_session();
    rig.messenger.call(tx_call("StartTransaction", s, false, R"({"connectorId":1})"));
    rig.messenger.call(tx_call("StopTransaction", s, true, R"({"transactionId":0})"));
  }
  MessengerRig rig;
  std::string error;
  REQUIRE(rig.messenger.use_queue_file(path, &error));
  CHECK(rig.events.count("queue_loaded") == 1);
  rig.connect();
  CHECK(rig.last().action == "StartTransaction");
  rig.reply(R"({"idTagInfo":{"status":"Accepted"},"transactionId":5})");
  CHECK(rig.last().num("transactionId") == 5);
  rig.reply("{}");
  CHECK(rig.messenger.pending_transactional() == 0);
  MessengerRig after;
  REQUIRE(after.messenger.use_queue_file(path, &error));
  CHECK(after.messenger.pending_transactional() == 0);
  std::remove(path.c_str());
  std::ofstream(path) << "garbage";
  MessengerRig broken;
  CHECK_FALSE(broken.messenger.use_queue_file(path, &error));
  CHECK(error.find(path) != std::string::npos);
  std::remove(path.c_str());
}
