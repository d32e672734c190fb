#include "support/harness.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <thread>

namespace e2e {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  auto p = dir.path() / name;
  std::ofstream(p) << text;
  return p.string();
}

// ---- Csms ---------------------------------------------------------------------

namespace {

std::uint16_t port_after(const std::string& line, const std::string& scheme) {
  auto at = line.find(scheme + "127.0.0.1:");
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(line.substr(at + scheme.size() + 10)));
}

}  // namespace

Csms::Csms(const TempDir& dir, std::vector<std::string> extra_args)
    : dir_(dir.path()), extra_args_(std::move(extra_args)) {
  db_path_ = (dir_ / "csms.db").string();
  launch();
}

Csms::~Csms() {
  if (process_ && process_->running()) {
    process_->signal(SIGTERM);
    if (!process_->wait(10s)) process_->signal(SIGKILL);
  }
}

void Csms::launch() {
  std::vector<std::string> argv = {CSMS_BIN,
                                   "--db",
                                   db_path_,
                                   "--ocpp-host",
                                   "127.0.0.1",
                                   "--ocpp-port",
                                   std::to_string(fixed_ocpp_port_),
                                   "--admin-port",
                                   "0",
                                   "--uploads-listen",
                                   "127.0.0.1:0",
                                   "--admin-token",
                                   token_,
                                   "--log-level",
                                   "debug"};
  // Connections on two I/O threads whatever the machine: the threaded
  // transport is what the tests (and `make tsan`) exercise.
  argv.insert(argv.end(), {"--io-threads", "2"});
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>(argv);
  auto ws = process_->wait_for_output("chargers connect to", 20s);
  auto admin = process_->wait_for_output("admin API", 5s);
  if (!ws || !admin) {
    FAIL("csms did not start:\n" << process_->stderr_text());
  }
  ocpp_port_ = port_after(*ws, "ws://");
  admin_tls_ = admin->find("https://") != std::string::npos;
  admin_port_ = port_after(*admin, admin_tls_ ? "https://" : "http://");
  if (std::find(extra_args_.begin(), extra_args_.end(), "--ocpp-tls-port") != extra_args_.end()) {
    auto wss = process_->wait_for_output("chargers over TLS", 5s);
    REQUIRE(wss);
    ocpp_tls_port_ = port_after(*wss, "wss://");
    REQUIRE(ocpp_tls_port_ != 0);
  }
  REQUIRE(ocpp_port_ != 0);
  REQUIRE(admin_port_ != 0);
  fixed_ocpp_port_ = ocpp_port_;
}

std::string Csms::admin_url() const {
  return (admin_tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(admin_port_);
}

std::string Csms::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(ocpp_port_) + "/ocpp";
}

RunResult Csms::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {CSMSCTL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env = {{"CSMS_URL", admin_url()}, {"CSMS_TOKEN", token_}};
  if (!ca_file_.empty()) env["CSMS_CA_FILE"] = ca_file_;
  return run(argv, env, 60s);
}

rapidjson::Document Csms::ctl_json(const std::vector<std::string>& args) const {
  auto all = args;
  all.push_back("--json");
  auto r = ctl(all);
  INFO("csmsctl output: " << r.out << r.err);
  REQUIRE(r.code == 0);
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

void Csms::kill9() {
  process_->signal(SIGKILL);
  process_->wait(10s);
}

int Csms::stop() {
  process_->signal(SIGTERM);
  return process_->wait(20s).value_or(-1);
}

void Csms::restart() {
  if (process_->running()) kill9();
  launch();
}

// ---- Sim ----------------------------------------------------------------------

Sim::Sim(const Csms& csms, const std::string& id, std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {OCPP_SIM_BIN,         "--url", csms.ws_url(),        "--id", id,
                                   "--reconnect-min-ms", "200",   "--reconnect-max-ms", "1000"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv);
}

namespace {

bool matches(const rapidjson::Document& doc, const std::string& name,
             const std::map<std::string, std::string>& fields) {
  if (!doc.IsObject()) return false;
  auto ev = doc.FindMember("event");
  if (ev == doc.MemberEnd() || !ev->value.IsString() || name != ev->value.GetString()) return false;
  for (const auto& [k, v] : fields) {
    auto m = doc.FindMember(k.c_str());
    if (m == doc.MemberEnd()) return false;
    if (v != ocpp::to_compact_json(m->value)) return false;
  }
  return true;
}

}  // namespace

std::optional<rapidjson::Document> Sim::wait_event(
    const std::string& name, std::chrono::milliseconds timeout,
    const std::map<std::string, std::string>& fields) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto line = process_->next_line(left);
    if (!line) return std::nullopt;
    rapidjson::Document doc;
    doc.Parse(line->c_str());
    if (!doc.HasParseError() && matches(doc, name, fields)) return doc;
  }
}

std::vector<rapidjson::Document> Sim::events(const std::string& name) const {
  std::vector<rapidjson::Document> out;
  for (const auto& line : process_->stdout_lines()) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    if (!doc.HasParseError() && matches(doc, name, {})) out.push_back(std::move(doc));
  }
  return out;
}

int Sim::wait_exit(std::chrono::milliseconds timeout) {
  auto code = process_->wait(timeout);
  if (!code) {
    process_->signal(SIGKILL);
    return -1;
  }
  return *code;
}

// ---- WsClient -----------------------------------------------------------------

struct WsClient::Impl {
  boost::asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  bool open = false;
  int status = 0;
  std::string subprotocol;
  int close_code = 0;

  // Runs one async operation to completion or timeout.
  template <class Start>
  bool run_op(Start start, std::chrono::milliseconds timeout) {
    bool done = false;
    start(done);
    io.restart();
    io.run_for(timeout);
    const bool in_time = done;
    if (!in_time) {
      beast::get_lowest_layer(ws).cancel();
      io.restart();
      io.run_for(1s);
    }
    return in_time;
  }
};

WsClient::WsClient(std::uint16_t port, const std::string& path) : WsClient(port, path, Options{}) {}

WsClient::WsClient(std::uint16_t port, const std::string& path, const Options& options)
    : impl_(std::make_unique<Impl>()) {
  auto& ws = impl_->ws;
  beast::get_lowest_layer(ws).expires_after(5s);
  boost::system::error_code ec;
  if (!options.source_address.empty()) {
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.open(tcp::v4(), ec);
    if (!ec)
      socket.bind(tcp::endpoint(boost::asio::ip::make_address(options.source_address), 0), ec);
    if (ec) return;
  }
  beast::get_lowest_layer(ws).socket().connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  std::string protocols;
  for (const auto& p : options.subprotocols) protocols += (protocols.empty() ? "" : ", ") + p;
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (!protocols.empty()) req.set(beast::http::field::sec_websocket_protocol, protocols);
    if (!options.authorization.empty())
      req.set(beast::http::field::authorization, options.authorization);
  }));
  websocket::response_type res;
  boost::system::error_code hec;
  impl_->run_op(
      [&](bool& done) {
        ws.async_handshake(res, "127.0.0.1", path, [&](boost::system::error_code e) {
          hec = e;
          done = true;
        });
      },
      5s);
  impl_->status = static_cast<int>(res.result_int());
  if (!hec) {
    impl_->open = true;
    impl_->status = 101;
    impl_->subprotocol = std::string(res[beast::http::field::sec_websocket_protocol]);
    beast::get_lowest_layer(ws).expires_never();
  }
}

WsClient::~WsClient() {
  if (impl_->open) {
    boost::system::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
  }
}

bool WsClient::open() const {
  return impl_->open;
}
int WsClient::status() const {
  return impl_->status;
}
const std::string& WsClient::subprotocol() const {
  return impl_->subprotocol;
}

bool WsClient::send(const std::string& text) {
  impl_->ws.text(true);
  boost::system::error_code ec;
  const bool in_time = impl_->run_op(
      [&](bool& done) {
        impl_->ws.async_write(boost::asio::buffer(text),
                              [&](boost::system::error_code e, std::size_t) {
                                ec = e;
                                done = true;
                              });
      },
      5s);
  return in_time && !ec;
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
  if (!impl_->open) return std::nullopt;
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  bool done = impl_->run_op(
      [&](bool& d) {
        impl_->ws.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
          ec = e;
          d = true;
        });
      },
      timeout);
  if (!done) return std::nullopt;
  if (ec) {
    // The peer's close frame sets reason() even when the TCP teardown that
    // follows ends with an error of its own.
    impl_->close_code = impl_->ws.reason().code;
    impl_->open = false;
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer.data());
}

std::optional<rapidjson::Document> WsClient::call(const std::string& frame,
                                                  std::chrono::milliseconds timeout) {
  send(frame);
  auto text = receive(timeout);
  if (!text) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(text->c_str());
  if (doc.HasParseError()) return std::nullopt;
  return doc;
}

int WsClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->open && std::chrono::steady_clock::now() < deadline) {
    receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
  }
  return impl_->close_code;
}

std::string basic_auth(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string out(4 * ((plain.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                  reinterpret_cast<const unsigned char*>(plain.data()),
                  static_cast<int>(plain.size()));
  return "Basic " + out;
}

}  // namespace e2e
