// csms: the OCPP central system.
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <string_view>
#include <thread>

#include "csms/config.hpp"
#include "csms/log.hpp"
#include "csms/server.hpp"
#include "csms/version.hpp"
#include "storage/database.hpp"

namespace {

// The admin token: from the config or environment, else from the token file,
// which is created with a random token on first start (mode 0600).
std::string load_admin_token(csms::Config& config) {
  if (!config.admin_token.empty()) return "";
  std::filesystem::path file = config.admin_token_file;
  if (file.empty()) file = std::filesystem::path(config.db_path).parent_path() / "admin-token";
  std::ifstream in(file);
  std::string token;
  if (in && std::getline(in, token) && !token.empty()) {
    config.admin_token = token;
    return file.string();
  }
  std::random_device rd;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) token.push_back(hex[rd() % 16]);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write the admin token file " + file.string());
    out << token << "\n";
  }
  ::chmod(file.c_str(), 0600);
  config.admin_token = token;
  return file.string();
}

}  // namespace

int main(int argc, char** argv) {
  // Everything csms creates (database, uploads, token file) is the server
  // user's alone: it holds id tags, password hashes and station logs.
  ::umask(0077);
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--version") {
      std::cout << "csms " << csms::kVersion << "\n";
      return 0;
    }
  }
  csms::Config config;
  try {
    bool help = false;
    config = csms::parse_config(std::vector<std::string>(argv + 1, argv + argc), help);
    if (help) {
      std::cout << csms::config_help();
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "csms: " << e.what() << "\n";
    return 2;
  }
  csms::log::Level level;
  csms::log::parse_level(config.log_level, level);
  csms::log::set_level(level);
  csms::log::set_format(config.log_format == "json" ? csms::log::Format::Json
                                                    : csms::log::Format::Text);
  if (!config.log_file.empty()) {
    if (auto problem = csms::log::set_file(config.log_file); !problem.empty()) {
      std::cerr << "csms: " << problem << "\n";
      return 2;
    }
  }

  try {
    auto db_dir = std::filesystem::path(config.db_path).parent_path();
    if (!db_dir.empty()) std::filesystem::create_directories(db_dir);
    std::string token_file = load_admin_token(config);

    csms::Server server(config);
    server.start();

    std::string host = config.ocpp_host == "0.0.0.0" ? "127.0.0.1" : config.ocpp_host;
    std::string ws = "ws://" + host + ":" + std::to_string(server.ocpp_port()) + config.path_prefix;
    std::string wss =
        "wss://" + host + ":" + std::to_string(server.ocpp_tls_port()) + config.path_prefix;
    std::string admin = (config.admin_tls ? "https://" : "http://") + config.admin_host + ":" +
                        std::to_string(server.admin_port());
    // Masked: a database URL may hold a password.
    const std::string database =
        config.db_url.empty() ? config.db_path : storage::mask_database_url(config.db_url);
    std::cerr << "csms " << csms::kVersion << " is running (database " << database << ")\n"
              << (config.ocpp_plain
                      ? "  chargers connect to  " + ws + "{chargePointId}   (subprotocol " +
                            csms::subprotocols_text(config) + ")\n"
                      : "")
              << (config.ocpp_tls_port >= 0
                      ? "  chargers over TLS    " + wss + "{chargePointId}   (subprotocol " +
                            csms::subprotocols_text(config) + ")\n"
                      : "")
              << "  admin API            " << admin
              << (token_file.empty() ? "" : "   (bearer token in " + token_file + ")") << "\n"
              << "  console              " << admin
              << "/console/   (sign in with the admin token)\n"
              << "  file uploads         " << server.uploads_url() << "/uploads/   (listening on "
              << config.uploads_listen.substr(0, config.uploads_listen.rfind(':')) << ":"
              << server.uploads_port() << ")\n"
              << "  try:\n"
              << "    export CSMS_URL=" << admin << " CSMS_TOKEN="
              << (token_file.empty() ? "<your admin token>" : "$(cat " + token_file + ")") << "\n"
              << "    build/bin/csmsctl station add CP1 --password 'change-me-16chars'\n"
              << "    build/bin/ocpp-sim --url " << ws.substr(0, ws.size() - 1)
              << " --id CP1 --password 'change-me-16chars'\n";

    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    // SIGTERM/SIGINT drain (Server::stop); a second one only says so, the
    // drain already ends within shutdown.timeout_s.
    std::function<void(const boost::system::error_code&, int)> on_stop =
        [&](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          csms::log::info("{} received: shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
          server.stop();
          signals.async_wait(on_stop);
        };
    signals.async_wait(on_stop);
    // SIGHUP: a new log file at log.file (after logrotate moved the old one),
    // and new TLS certificate, key, CAs or CRLs for new connections.
    boost::asio::signal_set hangup(signals_io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
          if (ec) return;
          if (!config.log_file.empty()) {
            if (auto problem = csms::log::reopen(); problem.empty())
              csms::log::info("SIGHUP: reopened the log file {}", config.log_file);
            else
              csms::log::error("SIGHUP: {}; still writing to the old one", problem);
          }
          csms::log::info("SIGHUP: reloading the TLS files");
          server.request_tls_reload();
          hangup.async_wait(on_hangup);
        };
    hangup.async_wait(on_hangup);
    std::thread signal_thread([&signals_io] { signals_io.run(); });
    server.run();
    signals_io.stop();
    signal_thread.join();
    csms::log::info("shutdown complete");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "csms: " << e.what() << "\n";
    return 1;
  }
}
