// RFC 3339 date-time parsing and formatting with plain calendar arithmetic, so
// results never depend on the C library's locale or time zone database.

#include "ocpp/common/datetime.hpp"

#include <cstddef>

namespace ocpp {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Howard Hinnant's days_from_civil: proleptic Gregorian date -> days since
// 1970-01-01. Valid for the whole int64 range we can reach.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Inverse of days_from_civil.
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                // [1, 12]
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11017).year == 2000 && civil_from_days(11017).month == 3);

constexpr bool is_leap_year(std::int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` ASCII digits at `pos`; -1 if the text is too short or any
// character is not a digit (so signs, spaces and short fields are rejected).
int read_digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Writes `value` zero-padded to `width` digits (more if it needs them).
char* write_padded(char* out, std::int64_t value, int width) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (int i = n; i < width; ++i) *out++ = '0';
  while (n > 0) *out++ = digits[--n];
  return out;
}

}  // namespace

DateTime DateTime::now() {
  return DateTime(std::chrono::floor<std::chrono::microseconds>(Clock::now()));
}

std::optional<DateTime> DateTime::parse(std::string_view s) {
  // Fixed-position fields: YYYY-MM-DDTHH:MM:SS
  const int year = read_digits(s, 0, 4);
  const int month = read_digits(s, 5, 2);
  const int day = read_digits(s, 8, 2);
  const int hour = read_digits(s, 11, 2);
  const int minute = read_digits(s, 14, 2);
  const int second = read_digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }

  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    std::int64_t scale = 100'000;
    for (; pos < s.size() && is_digit(s[pos]); ++pos) {
      // Digits beyond microseconds are truncated, not rounded, so a parsed value
      // never moves into the next second.
      if (scale > 0) {
        micros += (s[pos] - '0') * scale;
        scale /= 10;
      }
    }
    if (pos == first) return std::nullopt;
  }

  if (pos >= s.size()) return std::nullopt;  // The offset is mandatory.
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    const int off_hour = read_digits(s, pos + 1, 2);
    const int off_minute = read_digits(s, pos + 4, 2);
    if (off_hour < 0 || off_minute < 0 || s[pos + 3] != ':' || off_hour > 23 || off_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (off_hour * 60 + off_minute);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  // As in JSON Schema / ajv-formats, a leap second is only valid where one can
  // occur: the last minute of a UTC day.
  if (second == 60) {
    const int utc_minute_of_day = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc_minute_of_day != 23 * 60 + 59) return std::nullopt;
  }

  // Seconds are summed, not range-reduced, so :60 folds into the next second.
  const std::int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
          kSecondsPerDay +
      hour * 3600 + minute * 60 + second - static_cast<std::int64_t>(offset_minutes) * 60;
  return from_unix_micros(seconds * kMicrosPerSecond + micros);
}

std::string DateTime::to_string() const {
  const std::int64_t total_micros = unix_micros();
  const std::int64_t seconds = floor_div(total_micros, kMicrosPerSecond);
  const std::int64_t micros = total_micros - seconds * kMicrosPerSecond;
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const std::int64_t second_of_day = seconds - days * kSecondsPerDay;
  const Civil date = civil_from_days(days);

  // Longest output: "-292277-12-31T23:59:59.999999Z" (years outside 0..9999 are
  // not RFC 3339 but are still printed rather than silently clamped).
  char buf[40];
  char* out = buf;
  std::int64_t year = date.year;
  if (year < 0) {
    *out++ = '-';
    year = -year;
  }
  out = write_padded(out, year, 4);
  *out++ = '-';
  out = write_padded(out, date.month, 2);
  *out++ = '-';
  out = write_padded(out, date.day, 2);
  *out++ = 'T';
  out = write_padded(out, second_of_day / 3600, 2);
  *out++ = ':';
  out = write_padded(out, second_of_day / 60 % 60, 2);
  *out++ = ':';
  out = write_padded(out, second_of_day % 60, 2);
  if (micros != 0) {
    *out++ = '.';
    out = micros % 1000 == 0 ? write_padded(out, micros / 1000, 3) : write_padded(out, micros, 6);
  }
  *out++ = 'Z';
  return std::string(buf, static_cast<std::size_t>(out - buf));
}

}  // namespace ocpp
