#include "simulator/log.hpp"

#include <chrono>

#include "ocpp/common/datetime.hpp"

namespace simulator {

std::optional<LogLevel> log_level_from_string(std::string_view text) {
  if (text == "trace") return LogLevel::Trace;
  if (text == "debug") return LogLevel::Debug;
  if (text == "info") return LogLevel::Info;
  if (text == "warn") return LogLevel::Warn;
  if (text == "error") return LogLevel::Error;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "?";
}

Logger::Logger(LogLevel level, std::string prefix, std::ostream* out)
    : level_(level), prefix_(std::move(prefix)), out_(out) {}

void Logger::write(LogLevel level, std::string_view message) const {
  if (!enabled(level)) return;
  // One write per line so lines of interleaved stations stay whole.
  std::string line = fmt::format("{} {:<5} [{}] {}\n", ocpp::DateTime::now().to_string(),
                                 to_string(level), prefix_, message);
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->flush();
}

}  // namespace simulator
