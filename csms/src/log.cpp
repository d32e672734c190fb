#include "csms/log.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "ocpp/common/datetime.hpp"

namespace csms::log {

namespace {
std::atomic<Level> g_level{Level::Info};
std::atomic<Format> g_format{Format::Text};
std::mutex g_mutex;           // guards the file and each line's write
std::FILE* g_file = nullptr;  // nullptr: stderr
std::string g_path;
constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "off"};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::FILE* open_file(const std::string& path, std::string& problem) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) problem = "cannot open the log file " + path + ": " + std::strerror(errno);
  return f;
}
}  // namespace

void set_level(Level l) {
  g_level = l;
}
Level level() {
  return g_level.load(std::memory_order_relaxed);
}
void set_format(Format f) {
  g_format = f;
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

std::string set_file(const std::string& path) {
  std::string problem;
  std::FILE* f = path.empty() ? nullptr : open_file(path, problem);
  if (!path.empty() && f == nullptr) return problem;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_file != nullptr) std::fclose(g_file);
  g_file = f;
  g_path = path;
  return "";
}

std::string reopen() {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    path = g_path;
  }
  if (path.empty()) return "";
  return set_file(path);
}

void write(Level l, std::string_view message, std::string_view component,
           std::string_view station) {
  std::string line;
  const std::string time = ocpp::DateTime::now().to_string();
  const auto name = kNames[static_cast<std::size_t>(l)];
  if (g_format.load(std::memory_order_relaxed) == Format::Json) {
    line = "{\"time\":";
    append_json_string(line, time);
    line += ",\"level\":";
    append_json_string(line, name);
    if (!component.empty()) {
      line += ",\"component\":";
      append_json_string(line, component);
    }
    if (!station.empty()) {
      line += ",\"station\":";
      append_json_string(line, station);
    }
    line += ",\"message\":";
    append_json_string(line, message);
    line += '}';
  } else {
    line = time;
    line += ' ';
    line += name;
    line += ' ';
    line += message;
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mutex);
  std::FILE* out = g_file != nullptr ? g_file : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

void write_located(Level l, std::string_view message, std::string_view format_text,
                   const char* source) {
  std::string_view component = source == nullptr ? "" : source;
  if (const auto slash = component.rfind('/'); slash != std::string_view::npos)
    component.remove_prefix(slash + 1);
  if (const auto dot = component.find('.'); dot != std::string_view::npos)
    component = component.substr(0, dot);
  std::string_view station;
  if (format_text.rfind("{}: ", 0) == 0) {
    if (const auto colon = message.find(": "); colon != std::string_view::npos)
      station = message.substr(0, colon);
  }
  write(l, message, component, station);
}

}  // namespace csms::log
