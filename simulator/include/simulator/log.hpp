#pragma once
// Human-readable logging to stderr, per station (no process-global logger, so a
// fleet of stations in one process can each carry their own prefix).

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace simulator {

/// Log severities, least severe first.
enum class LogLevel { Trace, Debug, Info, Warn, Error };

std::optional<LogLevel> log_level_from_string(std::string_view text);
std::string_view to_string(LogLevel level);

/// A cheap-to-copy logger: a level, a prefix (the station id) and a stream.
class Logger {
 public:
  Logger() = default;
  Logger(LogLevel level, std::string prefix, std::ostream* out);

  bool enabled(LogLevel level) const { return out_ != nullptr && level >= level_; }
  void write(LogLevel level, std::string_view message) const;

  template <typename... Args>
  void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    if (enabled(level)) write(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void trace(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::Trace, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::Debug, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::Info, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::Warn, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::Error, format, std::forward<Args>(args)...);
  }

 private:
  LogLevel level_ = LogLevel::Info;
  std::string prefix_;
  std::ostream* out_ = nullptr;  // null: logging disabled (tests)
};

}  // namespace simulator
