// DateTime: strict RFC 3339 parsing and canonical UTC formatting.

#include <catch2/catch.hpp>

#include "ocpp/common/datetime.hpp"

using ocpp::DateTime;

namespace {

// Unix microseconds of a parsed string; fails the test if it does not parse.
std::int64_t micros_of(std::string_view text) {
  const auto parsed = DateTime::parse(text);
  INFO("input: " << text);
  REQUIRE(parsed.has_value());
  return parsed->unix_micros();
}

constexpr std::int64_t kSec = 1'000'000;
// 2024-01-15T10:30:00Z
constexpr std::int64_t kBase = 1'705'314'600 * kSec;

}  // namespace

TEST_CASE("DateTime parses a UTC instant with Z", "[datetime]") {
  CHECK(micros_of("1970-01-01T00:00:00Z") == 0);
  CHECK(micros_of("2024-01-15T10:30:00Z") == kBase);
}

TEST_CASE("DateTime accepts lowercase t and z", "[datetime]") {
  CHECK(micros_of("2024-01-15t10:30:00z") == kBase);
  CHECK(micros_of("2024-01-15t10:30:00Z") == kBase);
  CHECK(micros_of("2024-01-15T10:30:00z") == kBase);
}

TEST_CASE("DateTime parses fractional seconds of any length and truncates below microseconds",
          "[datetime]") {
  CHECK(micros_of("2024-01-15T10:30:00.5Z") == kBase + 500'000);
  CHECK(micros_of("2024-01-15T10:30:00.123Z") == kBase + 123'000);
  CHECK(micros_of("2024-01-15T10:30:00.123456Z") == kBase + 123'456);
  CHECK(micros_of("2024-01-15T10:30:00.1234569Z") == kBase + 123'456);
  CHECK(micros_of("2024-01-15T10:30:00.999999999999999999999Z") == kBase + 999'999);
  CHECK(micros_of("2024-01-15T10:30:00.000Z") == kBase);
}

TEST_CASE("DateTime converts offsets to UTC", "[datetime]") {
  CHECK(micros_of("2024-01-15T12:30:00+02:00") == kBase);
  CHECK(micros_of("2024-01-15T05:00:00-05:30") == kBase);
  CHECK(micros_of("2024-01-15T10:30:00+00:00") == kBase);
  CHECK(micros_of("2024-01-15T10:30:00-00:00") == kBase);
  CHECK(micros_of("2024-01-16T09:59:00.25+23:29") == kBase + 250'000);
  // Crossing a year boundary backwards.
  CHECK(DateTime::parse("2024-01-01T00:30:00+01:00")->to_string() == "2023-12-31T23:30:00Z");
}

TEST_CASE("DateTime rejects invalid offsets", "[datetime]") {
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+24:00"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+01:60"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+0100"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+01"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+1:00"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00+01:00:00"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00UTC"));
}

TEST_CASE("DateTime rejects a missing timezone", "[datetime]") {
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00.123"));
}

TEST_CASE("DateTime rejects malformed syntax", "[datetime]") {
  CHECK_FALSE(DateTime::parse(""));
  CHECK_FALSE(DateTime::parse("2024-01-15"));
  CHECK_FALSE(DateTime::parse("2024-01-15 10:30:00Z"));
  CHECK_FALSE(DateTime::parse(" 2024-01-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00Z "));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00Zjunk"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00.Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:00,5Z"));
  CHECK_FALSE(DateTime::parse("2024-1-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("24-01-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("+2024-01-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T1:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024/01/15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10-30-00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15X10:30:00Z"));
  CHECK_FALSE(DateTime::parse(std::string_view("2024-01-15T10:30:00Z\0", 21)));
}

TEST_CASE("DateTime rejects out-of-range fields and impossible calendar dates", "[datetime]") {
  CHECK_FALSE(DateTime::parse("2024-00-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-13-15T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-00T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-32T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-04-31T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-06-31T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-02-30T10:30:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T24:00:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:60:00Z"));
  CHECK_FALSE(DateTime::parse("2024-01-15T10:30:61Z"));
  CHECK(DateTime::parse("2024-04-30T10:30:00Z"));
  CHECK(DateTime::parse("2024-12-31T23:59:59Z"));
}

TEST_CASE("DateTime accepts Feb 29 only in leap years", "[datetime]") {
  CHECK(DateTime::parse("2024-02-29T00:00:00Z"));
  CHECK(DateTime::parse("2000-02-29T00:00:00Z"));  // Divisible by 400.
  CHECK_FALSE(DateTime::parse("2023-02-29T00:00:00Z"));
  CHECK_FALSE(DateTime::parse("1900-02-29T00:00:00Z"));  // Divisible by 100 only.
  CHECK_FALSE(DateTime::parse("2100-02-29T00:00:00Z"));
  CHECK(DateTime::parse("2024-02-29T12:00:00Z")->to_string() == "2024-02-29T12:00:00Z");
  CHECK(DateTime::parse("2024-02-28T23:59:59+00:00"));
}

TEST_CASE("DateTime folds a leap second into the next second", "[datetime]") {
  CHECK(DateTime::parse("2016-12-31T23:59:60Z")->to_string() == "2017-01-01T00:00:00Z");
  CHECK(DateTime::parse("2016-12-31T23:59:60.5Z")->to_string() == "2017-01-01T00:00:00.500Z");
  // 23:59:60 UTC expressed in another offset.
  CHECK(DateTime::parse("2017-01-01T00:59:60+01:00")->to_string() == "2017-01-01T00:00:00Z");
}

TEST_CASE("DateTime rejects :60 outside the last minute of a UTC day", "[datetime]") {
  CHECK_FALSE(DateTime::parse("2016-12-31T12:00:60Z"));
  CHECK_FALSE(DateTime::parse("2016-12-31T23:59:60+01:00"));
}

TEST_CASE("DateTime formats milliseconds, microseconds or no fraction", "[datetime]") {
  CHECK(DateTime::from_unix_micros(kBase).to_string() == "2024-01-15T10:30:00Z");
  CHECK(DateTime::from_unix_micros(kBase + 123'000).to_string() == "2024-01-15T10:30:00.123Z");
  CHECK(DateTime::from_unix_micros(kBase + 1'000).to_string() == "2024-01-15T10:30:00.001Z");
  CHECK(DateTime::from_unix_micros(kBase + 123'456).to_string() == "2024-01-15T10:30:00.123456Z");
  CHECK(DateTime::from_unix_micros(kBase + 1).to_string() == "2024-01-15T10:30:00.000001Z");
  CHECK(DateTime().to_string() == "1970-01-01T00:00:00Z");
}

TEST_CASE("DateTime formats instants before the epoch", "[datetime]") {
  CHECK(DateTime::from_unix_micros(-1).to_string() == "1969-12-31T23:59:59.999999Z");
  CHECK(DateTime::from_unix_micros(-kSec).to_string() == "1969-12-31T23:59:59Z");
  CHECK(micros_of("1969-12-31T23:59:59.999999Z") == -1);
  CHECK(DateTime::parse("0001-01-01T00:00:00Z")->to_string() == "0001-01-01T00:00:00Z");
  CHECK(DateTime::parse("9999-12-31T23:59:59.999999Z")->to_string() ==
        "9999-12-31T23:59:59.999999Z");
}

TEST_CASE("DateTime round-trips through to_string and parse", "[datetime]") {
  const char* const kCanonical[] = {
      "2024-01-15T10:30:00Z",     "2024-01-15T10:30:00.123Z",    "2024-01-15T10:30:00.123456Z",
      "2000-02-29T23:59:59.999Z", "1999-12-31T00:00:00.000001Z", "2038-01-19T03:14:08Z",
      "2100-03-01T00:00:00.010Z",
  };
  for (const char* text : kCanonical) {
    INFO(text);
    const auto parsed = DateTime::parse(text);
    REQUIRE(parsed);
    CHECK(parsed->to_string() == text);
    CHECK(DateTime::parse(parsed->to_string()) == parsed);
  }
  // Every day boundary across several years, including leap days.
  for (std::int64_t day = -800; day < 800; day += 1) {
    const auto dt = DateTime::from_unix_micros((day * 86'400 + 86'399) * kSec + 7'000);
    const auto back = DateTime::parse(dt.to_string());
    REQUIRE(back);
    CHECK(*back == dt);
  }
}

TEST_CASE("DateTime::now is within a plausible range and microsecond-precise", "[datetime]") {
  const auto now = DateTime::now();
  CHECK(now.unix_micros() > micros_of("2020-01-01T00:00:00Z"));
  CHECK(DateTime::parse(now.to_string()) == now);
}
