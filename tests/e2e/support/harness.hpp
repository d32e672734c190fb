#pragma once
// End-to-end harness: a temporary directory, the real csms binary on ephemeral
// ports, csmsctl and ocpp-sim runs, and a raw WebSocket client for protocol
// edge cases. Every wait is bounded.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpp/common/json.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace e2e {

using namespace std::chrono_literals;

using test_support::TempDir;

/// The csms server, started on ephemeral ports with a database in `dir`.
class Csms {
 public:
  explicit Csms(const TempDir& dir, std::vector<std::string> extra_args = {});
  ~Csms();

  std::uint16_t ocpp_port() const { return ocpp_port_; }
  /// The wss:// port, when started with --ocpp-tls-port (else 0).
  std::uint16_t ocpp_tls_port() const { return ocpp_tls_port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  /// http://127.0.0.1:PORT, or https:// when started with --admin-tls true.
  std::string admin_url() const;
  /// Trusted CAs for csmsctl over https:// (CSMS_CA_FILE); empty: not set.
  void set_ca_file(std::string ca_file) { ca_file_ = std::move(ca_file); }
  std::string ws_url() const;  ///< ws://127.0.0.1:PORT/ocpp
  std::string db_path() const { return db_path_; }
  const std::string& token() const { return token_; }

  /// Runs csmsctl against this server.
  RunResult ctl(const std::vector<std::string>& args) const;
  /// csmsctl ... --json, parsed; fails the test if the command fails.
  rapidjson::Document ctl_json(const std::vector<std::string>& args) const;

  void kill9();
  /// SIGTERM and wait for a clean exit; returns the exit code.
  int stop();
  /// Starts again on the same database (after kill9/stop).
  void restart();
  Process& process() { return *process_; }

 private:
  void launch();
  std::filesystem::path dir_;
  std::vector<std::string> extra_args_;
  std::string db_path_;
  std::string token_ = "e2e-admin-token";
  std::string ca_file_;
  bool admin_tls_ = false;
  std::unique_ptr<Process> process_;
  std::uint16_t ocpp_port_ = 0;
  std::uint16_t ocpp_tls_port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::uint16_t fixed_ocpp_port_ = 0;  // reused on restart so stations can reconnect
};

/// An ocpp-sim process whose JSON event lines can be awaited.
class Sim {
 public:
  Sim(const Csms& csms, const std::string& id, std::vector<std::string> extra_args = {});
  /// Waits for an event named `name` whose fields match `fields` (string
  /// compare of the field's JSON text, e.g. {"status","\"Accepted\""}).
  std::optional<rapidjson::Document> wait_event(
      const std::string& name, std::chrono::milliseconds timeout = 20s,
      const std::map<std::string, std::string>& fields = {});
  /// Every event seen so far named `name`.
  std::vector<rapidjson::Document> events(const std::string& name) const;
  Process& process() { return *process_; }
  /// Waits for exit (bounded); returns the exit code or -1.
  int wait_exit(std::chrono::milliseconds timeout = 60s);

 private:
  std::unique_ptr<Process> process_;
};

/// Polls `condition` until it holds or `timeout` passes (the one way e2e tests
/// wait for a condition: no fixed sleeps); true when it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 15s,
                std::chrono::milliseconds poll = 50ms);

/// Writes `text` to `dir/name` and returns the path.
std::string write_file(const TempDir& dir, const std::string& name, const std::string& text);

/// A raw WebSocket client for protocol-level checks (Boost.Beast, timeouts on
/// every operation).
class WsClient {
 public:
  struct Options {
    std::vector<std::string> subprotocols = {"ocpp1.6"};
    std::string authorization;   ///< Full header value, e.g. "Basic ...".
    std::string source_address;  ///< Local address to connect from (127.x.y.z); empty: any.
  };
  /// Connects to ws://127.0.0.1:port<path>. On a rejected upgrade, `status()`
  /// is the HTTP status and `open()` is false.
  WsClient(std::uint16_t port, const std::string& path, const Options& options);
  WsClient(std::uint16_t port, const std::string& path);
  ~WsClient();

  bool open() const;
  int status() const;
  const std::string& subprotocol() const;
  /// Sends a text message; false when it could not be written (closed, or
  /// not taken within 5 s).
  bool send(const std::string& text);
  /// The next text message, or nullopt on timeout/close.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = 5s);
  /// Sends a CALL and returns the parsed reply frame.
  std::optional<rapidjson::Document> call(const std::string& frame,
                                          std::chrono::milliseconds timeout = 5s);
  /// Waits until the server closes; returns the close code (0 if none seen).
  int wait_closed(std::chrono::milliseconds timeout = 5s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "Basic base64(user:password)".
std::string basic_auth(const std::string& user, const std::string& password);

}  // namespace e2e
