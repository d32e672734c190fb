// The console's server side: its static files, the live event stream
// (GET /api/stream) over real HTTP, and the event hub's bounded queues.

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "csms/admin/admin_server.hpp"
#include "csms/commands.hpp"
#include "csms/event_hub.hpp"
#include "csms/metrics.hpp"
#include "csms/station_registry.hpp"
#include "storage/database.hpp"
#include "support/temp_dir.hpp"
#include "unit/storage/support.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr std::chrono::seconds kTimeout{20};
constexpr const char* kToken = "console-token-0123456789";

class NoStations : public csms::CommandGateway {
 public:
  bool is_connected(const std::string&) const override { return false; }
  void execute(const std::string&, const csms::Command&,
               std::function<void(csms::CommandResult)> done) override {
    done(csms::CommandResult{csms::CommandError::Offline, "offline", "", "", ""});
  }
  std::vector<std::string> command_names() const override { return {}; }
  void disconnect(const std::string&, const std::string&) override {}
};

/// The admin server on its own network thread, with an event hub whose queues
/// hold `capacity` events.
class Fixture {
 public:
  explicit Fixture(std::size_t capacity = 64) : hub_(capacity) {
    // SQLite, or PostgreSQL under the csms-pg/ tests' fixture.
    db_ = storage_test::open(dir_.file("csms.db"));
    registry_ = std::make_unique<csms::StationRegistry>(io_, *db_);
    registry_->load();
    csms::admin::AdminOptions admin;
    admin.host = "127.0.0.1";
    admin.port = 0;
    admin.token = kToken;
    server_ = std::make_unique<csms::admin::AdminServer>(
        io_, admin, csms::admin::AdminDeps{*db_, *registry_, gateway_, metrics_, config_, &hub_});
    server_->start();
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Fixture() {
    std::promise<void> stopped;
    asio::post(io_, [this, &stopped] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait_for(kTimeout);
    db_->flush();
    guard_.reset();
    io_.stop();
    thread_.join();
    server_.reset();
    registry_.reset();
    db_.reset();
  }
  /// Publishes on the network thread, as the services do, and waits for it.
  void publish(int count, const std::string& id) {
    std::promise<void> done;
    asio::post(io_, [&] {
      for (int i = 0; i < count; ++i) hub_.publish("station", {{"id", id}, {"connected", true}});
      done.set_value();
    });
    done.get_future().wait_for(kTimeout);
  }
  csms::EventHub& hub() { return hub_; }
  std::uint16_t port() const { return port_; }

 private:
  test_support::TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  csms::Metrics metrics_;
  csms::Config config_;
  NoStations gateway_;
  csms::EventHub hub_;
  std::unique_ptr<csms::StationRegistry> registry_;
  std::unique_ptr<csms::admin::AdminServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

/// A raw HTTP client: sends a request, then reads with a deadline.
class Raw {
 public:
  explicit Raw(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(const std::string& text) { asio::write(socket_, asio::buffer(text)); }
  /// Reads until `needle` has arrived, the peer closes, or the timeout.
  bool read_until(const std::string& needle, std::chrono::seconds timeout = kTimeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (received_.find(needle) == std::string::npos) {
      if (closed_ || std::chrono::steady_clock::now() > end) return false;
      read_some(end);
    }
    return true;
  }
  /// Reads until the peer closes; false on timeout.
  bool read_to_close(std::chrono::seconds timeout = kTimeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
      if (std::chrono::steady_clock::now() > end) return false;
      read_some(end);
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  void read_some(std::chrono::steady_clock::time_point end) {
    bool done = false;
    socket_.async_read_some(asio::buffer(buf_), [&](boost::system::error_code ec, std::size_t n) {
      done = true;
      if (ec) closed_ = true;
      received_.append(buf_, n);
    });
    io_.restart();
    io_.run_until(end);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
  }
  asio::io_context io_;
  tcp::socket socket_;
  char buf_[4096];
  std::string received_;
  bool closed_ = false;
};

std::string get(const std::string& target, bool token) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
         (token ? std::string("Authorization: Bearer ") + kToken + "\r\n" : "") + "\r\n";
}

}  // namespace

TEST_CASE("console: its files are served without a token, with a strict content policy",
          "[console]") {
  Fixture f;
  for (const char* target : {"/console/", "/console", "/console/index.html"}) {
    Raw c(f.port());
    c.send(get(target, false));
    REQUIRE(c.read_to_close());
    INFO(target);
    CHECK(c.received().rfind("HTTP/1.1 200", 0) == 0);
    CHECK(c.received().find("Content-Type: text/html") != std::string::npos);
    CHECK(c.received().find("Content-Security-Policy: default-src 'self'") != std::string::npos);
    CHECK(c.received().find("/console/app.js") != std::string::npos);
  }
  Raw js(f.port());
  js.send(get("/console/app.js", false));
  REQUIRE(js.read_to_close());
  CHECK(js.received().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(js.received().find("Content-Type: text/javascript") != std::string::npos);

  Raw missing(f.port());
  missing.send(get("/console/nothing.js", false));
  REQUIRE(missing.read_to_close());
  CHECK(missing.received().rfind("HTTP/1.1 404", 0) == 0);

  // Only reading is free: the API behind it still needs the token.
  Raw api(f.port());
  api.send(get("/api/stations", false));
  REQUIRE(api.read_to_close());
  CHECK(api.received().rfind("HTTP/1.1 401", 0) == 0);
}

TEST_CASE("console: GET /api/stream needs the token and carries published events", "[console]") {
  Fixture f;
  Raw refused(f.port());
  refused.send(get("/api/stream", false));
  REQUIRE(refused.read_to_close());
  CHECK(refused.received().rfind("HTTP/1.1 401", 0) == 0);

  Raw c(f.port());
  c.send(get("/api/stream", true));
  REQUIRE(c.read_until(": connected\n\n"));
  CHECK(c.received().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(c.received().find("Content-Type: text/event-stream") != std::string::npos);
  f.publish(1, "CP-\"1\"");
  REQUIRE(c.read_until("\n\n", kTimeout));
  REQUIRE(c.read_until("event: station\ndata: {\"id\":\"CP-\\\"1\\\"\",\"connected\":true}\n\n"));
  CHECK(f.hub().subscribers() == 1);
}

TEST_CASE("console: a stream whose queue overflows is closed, other streams go on", "[console]") {
  Fixture f(8);
  Raw slow(f.port());
  slow.send(get("/api/stream", true));
  REQUIRE(slow.read_until(": connected\n\n"));
  // More events in one turn of the network thread than the queue holds.
  f.publish(20, "CP-1");
  CHECK(slow.read_to_close());
  Raw next(f.port());
  next.send(get("/api/stream", true));
  REQUIRE(next.read_until(": connected\n\n"));
  f.publish(3, "CP-2");
  CHECK(next.read_until("\"CP-2\""));
}

TEST_CASE("console: the event hub queues per subscriber and forgets dropped ones", "[console]") {
  csms::EventHub hub(3);
  auto a = hub.subscribe();
  int ready = 0;
  a->on_ready([&] { ++ready; });
  hub.publish("transaction", {{"station", "CP-1"}, {"id", std::int64_t{42}}, {"event", "started"}});
  hub.publish("site", {{"id", "S"}, {"w", 1.5}});
  CHECK(ready == 1);  // Told once until it takes.
  auto events = a->take();
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "transaction");
  CHECK(events[0].data == "{\"station\":\"CP-1\",\"id\":42,\"event\":\"started\"}");
  CHECK(events[1].data == "{\"id\":\"S\",\"w\":1.500}");
  CHECK(events[1].id == events[0].id + 1);
  for (int i = 0; i < 4; ++i) hub.publish("station", {{"id", "x"}});
  CHECK(a->overflowed());
  CHECK(a->take().empty());
  CHECK(hub.subscribers() == 1);
  a.reset();
  CHECK(hub.subscribers() == 0);
  hub.publish("station", {{"id", "nobody listens"}});
  CHECK(csms::json_quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\u000a\"");
}
