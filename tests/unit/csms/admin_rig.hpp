#pragma once
// The admin API under test over real HTTP: AdminServer on 127.0.0.1
// (ephemeral port) with a real SQLite database and StationRegistry, a fake
// CommandGateway, and a small Beast client. Every wait is bounded. Shared by
// the admin API and admin roles tests.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "csms/admin/admin_server.hpp"
#include "csms/commands.hpp"
#include "csms/config.hpp"
#include "csms/metrics.hpp"
#include "csms/station_registry.hpp"
#include "ocpp/common/json.hpp"
#include "storage/database.hpp"
#include "support/temp_dir.hpp"

namespace admin_rig {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using storage::DateTime;

inline constexpr std::chrono::seconds kTimeout{20};
inline constexpr const char* kToken = "test-token-0123456789";

using TempDir = test_support::TempDir;

/// Scripted station connections: answers every command with `result`.
class FakeGateway : public csms::CommandGateway {
 public:
  bool is_connected(const std::string& station_id) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return connected_.count(station_id) != 0;
  }
  void execute(const std::string& station_id, const csms::Command& command,
               std::function<void(csms::CommandResult)> done) override {
    csms::CommandResult result;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.emplace_back(station_id, command);
      result = result_;
    }
    done(result);
  }
  std::vector<std::string> command_names() const override { return {"reset", "remote-start"}; }
  void disconnect(const std::string& station_id, const std::string&) override {
    disconnected.push_back(station_id);
  }
  std::vector<std::string> disconnected;

  void set_connected(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    connected_.insert(id);
  }
  void set_result(csms::CommandResult r) {
    std::lock_guard<std::mutex> lock(mutex_);
    result_ = std::move(r);
  }
  std::vector<std::pair<std::string, csms::Command>> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> connected_;
  csms::CommandResult result_;
  std::vector<std::pair<std::string, csms::Command>> calls_;
};

struct Answer {
  unsigned status = 0;
  std::string body;
  http::fields headers;
  bool keep_alive = false;
};

/// A Beast client on its own io_context; every exchange is bounded by kTimeout.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_), port_(port) {}

  Answer request(http::verb method, const std::string& target, const std::string& body = "",
                 std::optional<std::string> authorization = std::string("Bearer ") + kToken) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (authorization) req.set(http::field::authorization, *authorization);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return exchange([&](auto done) { http::async_write(stream_, req, done); });
  }

  /// Sends raw bytes (for malformed or oversized requests) and reads the answer.
  Answer raw(const std::string& bytes) {
    return exchange([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

 private:
  template <class Send>
  Answer exchange(Send send) {
    Answer answer;
    beast::error_code failure;
    http::response_parser<http::string_body> parser;
    auto read = [&](beast::error_code ec, std::size_t) {
      if (ec) {
        failure = ec;
        return;
      }
      http::async_read(stream_, buffer_, parser,
                       [&](beast::error_code rec, std::size_t) { failure = rec; });
    };
    stream_.expires_after(kTimeout);
    if (!connected_) {
      stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                            [&](beast::error_code ec) {
                              if (ec) {
                                failure = ec;
                                return;
                              }
                              connected_ = true;
                              send(read);
                            });
    } else {
      send(read);
    }
    io_.restart();
    io_.run();
    if (failure) throw std::runtime_error("HTTP exchange failed: " + failure.message());
    answer.status = parser.get().result_int();
    answer.body = parser.get().body();
    answer.headers = parser.get().base();
    answer.keep_alive = parser.get().keep_alive();
    return answer;
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::uint16_t port_;
  bool connected_ = false;
};

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  INFO("body: " << text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

inline std::string error_of(const Answer& a) {
  auto doc = parse(a.body);
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("error"));
  REQUIRE(doc["error"].IsString());
  return doc["error"].GetString();
}

/// The server under test on its own network thread, with a real database.
class Fixture {
 public:
  /// `path`: the database (default: a new one in a temporary directory).
  explicit Fixture(std::string token = kToken, std::string path = "") {
    storage::SqliteOptions options;
    options.path = path.empty() ? dir_.file("csms.db") : path;
    db_ = storage::open_sqlite(options);
    registry_ = std::make_unique<csms::StationRegistry>(io_, *db_);
    registry_->load();
    csms::admin::AdminOptions admin;
    admin.host = "127.0.0.1";
    admin.port = 0;
    admin.token = std::move(token);
    server_ = std::make_unique<csms::admin::AdminServer>(
        io_, admin, csms::admin::AdminDeps{*db_, *registry_, gateway_, metrics_, config_});
    server_->start();
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Fixture() {
    stop_server();
    db_->flush();  // Every storage callback has been posted to io_.
    guard_.reset();
    io_.stop();
    thread_.join();
    server_.reset();
    registry_.reset();
    db_.reset();
  }

  Client client() { return Client(port_); }

  /// Stops the server on its network thread and waits for that.
  void stop_server() {
    std::promise<void> stopped;
    asio::post(io_, [this, &stopped] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait_for(kTimeout);
  }
  FakeGateway& gateway() { return gateway_; }
  csms::Metrics& metrics() { return metrics_; }

  /// Queues `work` without waiting, as the server logs frames and events.
  void queue_write(std::function<void(storage::Session&)> work) {
    db_->write(std::move(work), nullptr);
  }

  /// Runs `work` on the storage writer and waits for the commit.
  void write(std::function<void(storage::Session&)> work) {
    std::promise<std::exception_ptr> done;
    db_->write(std::move(work), [&done](std::exception_ptr e) { done.set_value(e); });
    auto f = done.get_future();
    REQUIRE(f.wait_for(kTimeout) == std::future_status::ready);
    if (auto e = f.get()) std::rethrow_exception(e);
  }

 private:
  TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  csms::Metrics metrics_;
  csms::Config config_;
  FakeGateway gateway_;
  std::unique_ptr<csms::StationRegistry> registry_;
  std::unique_ptr<csms::admin::AdminServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

inline const std::string kPassword = "a-good-password-123";

inline void add_station(Client& c, const std::string& id) {
  auto a = c.request(http::verb::post, "/api/stations", "{\"id\":\"" + id + "\"}");
  REQUIRE(a.status == 201);
}

}  // namespace admin_rig
