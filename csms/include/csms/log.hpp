#pragma once
// Leveled logging, one line per event with a UTC timestamp: to stderr or to
// log.file (reopened on SIGHUP), as text or as JSON lines (log.format).

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <type_traits>

namespace csms::log {

/// Severity, lowest first.
enum class Level { Trace, Debug, Info, Warn, Error, Off };

/// Line layout: "TIME LEVEL MESSAGE", or one JSON object per line with time,
/// level, component, message and, where the message is about one, station.
enum class Format { Text, Json };

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level& out);
void set_format(Format format);
/// Appends to `path` from now on (empty: stderr). "" when done, else why not
/// (the previous destination stays).
std::string set_file(const std::string& path);
/// Closes and reopens the log file at its path (after logrotate moved it);
/// "" when done or logging to stderr, else why not (the old one stays open).
std::string reopen();

/// Writes one event. `component` names the source (a file's stem); `station`
/// the station the event is about, or empty.
void write(Level level, std::string_view message, std::string_view component = {},
           std::string_view station = {});

/// A format string with the file of the call (GCC/Clang builtin, evaluated at
/// the caller), so the component needs no argument at each call site.
template <class... Args>
struct LocatedFormat {
  template <class S,
            class = std::enable_if_t<std::is_convertible<const S&, std::string_view>::value>>
  LocatedFormat(const S& s, const char* file = __builtin_FILE())  // NOLINT: implicit on purpose
      : format(s), text(s), source(file) {}
  fmt::format_string<Args...> format;
  std::string_view text;
  const char* source;
};
template <class T>
struct Identity {
  using type = T;
};
/// Non-deduced, so Args come from the arguments alone.
template <class... Args>
using Located = LocatedFormat<typename Identity<Args>::type...>;

/// Formats and writes: a format string starting with "{}: " names the
/// station (its first argument) by the project's convention.
void write_located(Level level, std::string_view message, std::string_view format_text,
                   const char* source);

template <class... Args>
void trace(Located<Args...> f, Args&&... args) {
  if (level() <= Level::Trace)
    write_located(Level::Trace, fmt::format(f.format, std::forward<Args>(args)...), f.text,
                  f.source);
}
template <class... Args>
void debug(Located<Args...> f, Args&&... args) {
  if (level() <= Level::Debug)
    write_located(Level::Debug, fmt::format(f.format, std::forward<Args>(args)...), f.text,
                  f.source);
}
template <class... Args>
void info(Located<Args...> f, Args&&... args) {
  if (level() <= Level::Info)
    write_located(Level::Info, fmt::format(f.format, std::forward<Args>(args)...), f.text,
                  f.source);
}
template <class... Args>
void warn(Located<Args...> f, Args&&... args) {
  if (level() <= Level::Warn)
    write_located(Level::Warn, fmt::format(f.format, std::forward<Args>(args)...), f.text,
                  f.source);
}
template <class... Args>
void error(Located<Args...> f, Args&&... args) {
  if (level() <= Level::Error)
    write_located(Level::Error, fmt::format(f.format, std::forward<Args>(args)...), f.text,
                  f.source);
}

}  // namespace csms::log
