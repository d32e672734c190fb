#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ocpp/common/json.hpp"

namespace {

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document doc;
  REQUIRE_FALSE(ocpp::parse_json(text, doc).IsError());
  return doc;
}

}  // namespace

TEST_CASE("parse_json rounds decimals correctly, so encoding what it read reads back the same",
          "[json]") {
  // RapidJSON 1.1's own conversion reads this one ulp off (found by the fuzzer).
  auto doc = parsed("[0.30000000000000004, 0.1, 2.2250738585072014e-308, 1.7976931348623157e308]");
  CHECK(doc[0].GetDouble() == 0.1 + 0.2);
  CHECK(doc[1].GetDouble() == 0.1);
  CHECK(doc[2].GetDouble() == std::numeric_limits<double>::min());
  CHECK(doc[3].GetDouble() == std::numeric_limits<double>::max());
  const std::string text = ocpp::to_compact_json(doc);
  CHECK(ocpp::to_compact_json(parsed(text)) == text);
}

TEST_CASE("parse_json keeps integers integral up to uint64 and makes larger ones doubles",
          "[json]") {
  auto doc =
      parsed("[0, -0, 42, -9223372036854775808, 18446744073709551615, 18446744073709551616]");
  CHECK(doc[0].IsInt());
  CHECK(doc[1].IsInt());
  CHECK(doc[2].GetInt() == 42);
  CHECK(doc[3].GetInt64() == std::numeric_limits<std::int64_t>::min());
  CHECK(doc[4].GetUint64() == std::numeric_limits<std::uint64_t>::max());
  CHECK(doc[5].IsDouble());
  CHECK(doc[5].GetDouble() == 18446744073709551616.0);
}

TEST_CASE("parse_json reads exponents with leading zeros and underflow as zero", "[json]") {
  auto doc = parsed("[0E-0066, 1e-400, -1e-400, 0.0000000000000000000001e-320, 1.5E+2]");
  CHECK(doc[0].GetDouble() == 0.0);
  CHECK(doc[1].GetDouble() == 0.0);
  CHECK(std::signbit(doc[2].GetDouble()));
  CHECK(doc[3].GetDouble() == 0.0);
  CHECK(doc[4].GetDouble() == 150.0);
}

TEST_CASE("parse_json rejects numbers beyond a double, NUL bytes and (by default) comments",
          "[json]") {
  rapidjson::Document doc;
  auto big = ocpp::parse_json("[1, 1e400]", doc);
  CHECK(big.Code() == rapidjson::kParseErrorNumberTooBig);
  CHECK(ocpp::parse_json("[-1000000000000000000000e300]", doc).Code() ==
        rapidjson::kParseErrorNumberTooBig);
  CHECK(ocpp::parse_json(std::string("{}\0{}", 5), doc).IsError());
  CHECK(ocpp::parse_json("[1.]", doc).IsError());
  CHECK(ocpp::parse_json("{} // note", doc).IsError());
  CHECK_FALSE(ocpp::parse_json("{} // note", doc, ocpp::JsonComments::Allowed).IsError());
}

TEST_CASE("parse_json rejects escapes that decode to a lone UTF-16 surrogate", "[json]") {
  rapidjson::Document doc;
  CHECK(ocpp::parse_json(R"(["\uDC40"])", doc).Code() ==
        rapidjson::kParseErrorStringInvalidEncoding);
  CHECK(ocpp::parse_json(R"({"\uD800x":1})", doc).IsError());
  // A proper pair is one code point, U+1F600.
  REQUIRE_FALSE(ocpp::parse_json(R"(["\uD83D\uDE00"])", doc).IsError());
  CHECK(std::string(doc[0].GetString()) == "\xF0\x9F\x98\x80");
}
