// The RPC session without sockets: a fake connection records what the server
// sends; storage is a real SQLite file.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>

#include "handlers/v16/handlers.hpp"
#include "ocpp/common/json.hpp"
#include "rpc/router.hpp"
#include "rpc/station_session.hpp"
#include "server/context.hpp"
#include "services/services.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;

class FakeConnection : public csms::transport::Connection {
 public:
  void send(std::string_view text) override { sent.emplace_back(text); }
  void close(std::uint16_t code, const std::string&) override { close_code = code; }
  const std::string& remote_address() const override { return address; }
  std::vector<std::string> sent;
  int close_code = 0;
  std::string address = "127.0.0.1";
};

// One station's session on a real (temporary) database; `pump()` runs the
// network thread's queued work, bounded in time.
struct Rig {
  test_support::TempDir dir;
  boost::asio::io_context io;
  csms::Config config;
  std::unique_ptr<storage::Database> db;
  csms::Metrics metrics;
  std::unique_ptr<csms::StationRegistry> registry;
  std::unique_ptr<csms::ServerContext> ctx;
  std::unique_ptr<csms::Services> services;
  csms::Router router;
  std::shared_ptr<FakeConnection> conn = std::make_shared<FakeConnection>();
  std::shared_ptr<csms::StationSession> session;

  Rig() {
    config.call_timeout_s = 1;
    config.max_bad_frames = 3;
    db = storage::open_sqlite(storage::SqliteOptions{dir.file("csms.db")});
    registry = std::make_unique<csms::StationRegistry>(io, *db);
    ctx = std::make_unique<csms::ServerContext>(
        csms::ServerContext{io, config, *db, *registry, metrics});
    services = std::make_unique<csms::Services>(*ctx);
    csms::v16::register_handlers(router, *services);
    bool added = false;
    registry->add("CP1", std::nullopt, [&added](std::exception_ptr e) { added = !e; });
    pump_until([&] { return added; });
    session = std::make_shared<csms::StationSession>(*ctx, conn, "CP1", ocpp::Version::v16, router);
  }

  template <class Pred>
  void pump_until(Pred done, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(10ms);
    }
    REQUIRE(done());
  }

  // Sends a frame from the station and returns the server's next frame.
  rapidjson::Document exchange(const std::string& frame) {
    auto before = conn->sent.size();
    session->handle_text(frame);
    pump_until([&] { return conn->sent.size() > before; });
    rapidjson::Document doc;
    doc.Parse(conn->sent.back().c_str());
    REQUIRE(doc.IsArray());
    return doc;
  }
};

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

}  // namespace

TEST_CASE("a session answers SecurityError before boot, then serves the accepted station",
          "[rpc]") {
  Rig rig;
  auto early = rig.exchange(R"([2,"1","Heartbeat",{}])");
  CHECK(str(early[2]) == "SecurityError");
  auto boot = rig.exchange(
      R"([2,"2","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  CHECK(boot[0].GetInt() == 3);
  CHECK(str(boot[2]["status"]) == "Accepted");
  auto hb = rig.exchange(R"([2,"3","Heartbeat",{}])");
  CHECK(hb[0].GetInt() == 3);
  CHECK(hb[2].HasMember("currentTime"));
}

TEST_CASE("CSMS calls go one at a time; a timeout frees the slot with a clear error", "[rpc]") {
  Rig rig;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->call("Reset", R"({"type":"Soft"})",
                    [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.pump_until([&] { return rig.conn->sent.size() == 1; });
  CHECK(rig.conn->sent[0].find("ClearCache") != std::string::npos);
  // Nothing answers the first: after the timeout it fails and the second goes out.
  rig.pump_until([&] { return outcomes.size() == 1; }, 5s);
  CHECK(outcomes[0].kind == csms::CallOutcome::Kind::Timeout);
  CHECK(outcomes[0].message.find("ClearCache") != std::string::npos);
  REQUIRE(rig.conn->sent.size() == 2);
  rapidjson::Document second;
  second.Parse(rig.conn->sent[1].c_str());
  CHECK(str(second[2]) == "Reset");
  // An answer with an unknown id is dropped; the right one completes the call.
  rig.session->handle_text(R"([3,"no-such-id",{"status":"Accepted"}])");
  CHECK(outcomes.size() == 1);
  rig.session->handle_text(std::string(R"([3,")") + str(second[1]) + R"(",{"status":"Accepted"}])");
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[1].kind == csms::CallOutcome::Kind::Result);
  CHECK(str(outcomes[1].frame->payload()["status"]) == "Accepted");
}

TEST_CASE("a closed session fails its queued calls", "[rpc]") {
  Rig rig;
  std::vector<csms::CallOutcome> outcomes;
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->call("ClearCache", "{}", [&](csms::CallOutcome o) { outcomes.push_back(o); });
  rig.session->closed();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == csms::CallOutcome::Kind::Closed);
  CHECK(outcomes[1].kind == csms::CallOutcome::Kind::Closed);
}

TEST_CASE("invalid payloads count as bad frames; valid traffic resets the count", "[rpc]") {
  Rig rig;
  rig.exchange(R"([2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}])");
  rig.exchange(R"([2,"1","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"2","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"3","Heartbeat",{}])");  // resets
  rig.exchange(R"([2,"4","Heartbeat",{"x":1}])");
  CHECK(rig.conn->close_code == 0);
  rig.exchange(R"([2,"5","Heartbeat",{"x":1}])");
  rig.exchange(R"([2,"6","Heartbeat",{"x":1}])");
  CHECK(rig.conn->close_code == 1002);
}
