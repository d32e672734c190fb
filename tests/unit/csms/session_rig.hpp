#pragma once
// One station's RPC session without sockets, for unit tests: a fake connection
// records what the server sends; storage is a real SQLite file in a temporary
// directory; `pump_until` runs the network thread's queued work, bounded. Time
// is a ManualClock: timers fire only when it is advanced (pump_until moves it
// along with real time while it waits; tests jump it with advance()).

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/asio_executor.hpp"
#include "core/clock.hpp"
#include "core/executor.hpp"
#include "handlers/v16/handlers.hpp"
#include "handlers/v201/handlers.hpp"
#include "ocpp/common/json.hpp"
#include "rpc/router.hpp"
#include "rpc/station_session.hpp"
#include "server/context.hpp"
#include "services/services.hpp"
#include "support/temp_dir.hpp"

namespace csms_test {

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

/// A registered station "CP1" with a session of the given OCPP version.
struct Rig {
  test_support::TempDir dir;
  boost::asio::io_context io;
  csms::ManualClock clock;
  csms::AsioExecutor io_executor{io};                  ///< Storage completions hop here.
  csms::ManualExecutor executor{clock, &io_executor};  ///< Timers run on `clock`.
  csms::Config config;
  std::unique_ptr<storage::Database> db;
  csms::Metrics metrics;
  std::unique_ptr<csms::StationRegistry> registry;
  std::unique_ptr<csms::ServerContext> ctx;
  std::unique_ptr<csms::Services> services;
  csms::Router router;
  std::shared_ptr<FakeConnection> conn = std::make_shared<FakeConnection>();
  std::shared_ptr<csms::StationSession> session;

  explicit Rig(ocpp::Version version = ocpp::Version::v16) {
    config.call_timeout_s = 1;
    config.max_bad_frames = 3;
    db = storage::open_sqlite(storage::SqliteOptions{dir.file("csms.db")});
    registry = std::make_unique<csms::StationRegistry>(io, *db);
    ctx = std::make_unique<csms::ServerContext>(
        csms::ServerContext{executor, clock, config, *db, *registry, metrics});
    services = std::make_unique<csms::Services>(*ctx);
    if (version == ocpp::Version::v201)
      csms::v201::register_handlers(router, *services);
    else
      csms::v16::register_handlers(router, *services);
    bool added = false;
    registry->add("CP1", std::nullopt, [&added](std::exception_ptr e) { added = !e; });
    pump_until([&] { return added; });
    session = std::make_shared<csms::StationSession>(*ctx, conn, "CP1", version, router);
  }

  template <class Pred>
  void pump_until(Pred done, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto last = std::chrono::steady_clock::now();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(1ms);
      // While it waits, the manual clock keeps pace with the real one, so
      // timers fire as they would; explicit advance() jumps ahead of it.
      const auto real = std::chrono::steady_clock::now();
      if (!done()) clock.advance(real - last);
      last = real;
    }
    REQUIRE(done());
  }

  /// Sends a frame from the station and returns the server's next frame.
  rapidjson::Document exchange(const std::string& frame) {
    auto before = conn->sent.size();
    session->handle_text(frame);
    pump_until([&] { return conn->sent.size() > before; });
    return last_sent();
  }

  /// The last frame the server sent, parsed.
  rapidjson::Document last_sent() const {
    rapidjson::Document doc;
    REQUIRE_FALSE(conn->sent.empty());
    REQUIRE_FALSE(ocpp::parse_json(conn->sent.back(), doc).IsError());
    REQUIRE(doc.IsArray());
    return doc;
  }
};

}  // namespace csms_test
