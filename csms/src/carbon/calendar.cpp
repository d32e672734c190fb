#include "carbon/calendar.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

namespace csms::carbon {

namespace {

using Micros = std::int64_t;
constexpr Micros kDay = 86400LL * 1000000LL;

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m;
  unsigned d;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

Civil civil_of(const ocpp::DateTime& t) {
  return civil_from_days(floor_div(t.unix_micros(), kDay));
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  const auto next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  return static_cast<unsigned>(next - days_from_civil(y, m, 1));
}

}  // namespace

std::string month_of(const ocpp::DateTime& t) {
  const auto c = civil_of(t);
  char buf[32];  // room for any long long and unsigned: -Wformat-truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(c.y), c.m);
  return buf;
}

std::string day_of(const ocpp::DateTime& t) {
  const auto c = civil_of(t);
  char buf[48];  // room for any long long and unsigned: -Wformat-truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.y), c.m, c.d);
  return buf;
}

std::optional<std::pair<ocpp::DateTime, ocpp::DateTime>> month_range(std::string_view month) {
  if (month.size() != 7 || month[4] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (month[i] < '0' || month[i] > '9') return std::nullopt;
  const int y = std::stoi(std::string(month.substr(0, 4)));
  const auto m = static_cast<unsigned>(std::stoi(std::string(month.substr(5, 2))));
  if (m < 1 || m > 12) return std::nullopt;
  const auto begin = days_from_civil(y, m, 1);
  const auto end = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  return std::make_pair(ocpp::DateTime::from_unix_micros(begin * kDay),
                        ocpp::DateTime::from_unix_micros(end * kDay));
}

ocpp::DateTime add_months(const ocpp::DateTime& t, int months) {
  const auto days = floor_div(t.unix_micros(), kDay);
  const Micros time_of_day = t.unix_micros() - days * kDay;
  const auto c = civil_from_days(days);
  const std::int64_t index = c.y * 12 + (c.m - 1) + months;
  const std::int64_t y = floor_div(index, 12);
  const auto m = static_cast<unsigned>(index - y * 12 + 1);
  const unsigned d = std::min(c.d, days_in_month(y, m));
  return ocpp::DateTime::from_unix_micros(days_from_civil(y, m, d) * kDay + time_of_day);
}

bool known_timezone(const std::string& timezone) {
  if (timezone == "UTC") return true;
  // A zone name: letters, digits, '/', '_', '-', '+'; no "..", no leading '/'.
  if (timezone.empty() || timezone.size() > 64 || timezone.front() == '/' ||
      timezone.find("..") != std::string::npos)
    return false;
  for (char c : timezone)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
          c == '+'))
      return false;
  struct stat st {};
  return ::stat(("/usr/share/zoneinfo/" + timezone).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::int64_t utc_offset_s(const std::string& timezone, const ocpp::DateTime& t) {
  if (timezone == "UTC" || !known_timezone(timezone)) return 0;
  // The C library's tz code is the only zone database Debian ships with C++17;
  // it works through the process-wide TZ, so switch it under a lock and put it
  // back (the server formats every time in UTC and never reads TZ elsewhere).
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  const char* before = std::getenv("TZ");
  const std::string saved = before ? before : "";
  ::setenv("TZ", (":" + timezone).c_str(), 1);
  ::tzset();
  const std::time_t secs = static_cast<std::time_t>(t.unix_micros() / 1000000);
  std::tm local{};
  const bool ok = ::localtime_r(&secs, &local) != nullptr;
  if (before) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  return ok ? static_cast<std::int64_t>(local.tm_gmtoff) : 0;
}

}  // namespace csms::carbon
