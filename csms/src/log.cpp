#include "csms/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "ocpp/common/datetime.hpp"

namespace csms::log {

namespace {
std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;
constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "off"};
}  // namespace

void set_level(Level l) {
  g_level = l;
}
Level level() {
  return g_level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, Level& out) {
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == text) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void write(Level l, std::string_view message) {
  std::string line = ocpp::DateTime::now().to_string();
  line += ' ';
  line += kNames[static_cast<std::size_t>(l)];
  line += ' ';
  line += message;
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace csms::log
