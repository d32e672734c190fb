#pragma once
// RFC 3339 date-times as used by OCPP (UTC instants with microsecond precision).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocpp {

/// An instant in time, microsecond precision, always formatted in UTC.
class DateTime {
 public:
  using Clock = std::chrono::system_clock;
  using TimePoint = std::chrono::time_point<Clock, std::chrono::microseconds>;

  DateTime() = default;
  explicit DateTime(TimePoint tp) : tp_(tp) {}
  static DateTime now();
  static DateTime from_unix_micros(std::int64_t us) {
    return DateTime(TimePoint(std::chrono::microseconds(us)));
  }

  /// Strict RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T`/`Z`
  /// in either case, fractional digits beyond microseconds truncated. Calendar
  /// fields are range-checked (Feb 30 is rejected); a leap second (`:60`) is
  /// accepted and folded into the next second. Returns nullopt on anything else.
  static std::optional<DateTime> parse(std::string_view text);

  /// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z`: milliseconds when the sub-second part
  /// is whole milliseconds, microseconds otherwise, nothing when it is zero.
  std::string to_string() const;

  TimePoint time_point() const { return tp_; }
  std::int64_t unix_micros() const { return tp_.time_since_epoch().count(); }

  friend bool operator==(const DateTime& a, const DateTime& b) { return a.tp_ == b.tp_; }
  friend bool operator!=(const DateTime& a, const DateTime& b) { return a.tp_ != b.tp_; }
  friend bool operator<(const DateTime& a, const DateTime& b) { return a.tp_ < b.tp_; }

 private:
  TimePoint tp_{};
};

}  // namespace ocpp
