// The shared UTF-8 helpers (ocpp/common/utf8.hpp) and the compact JSON
// serializer of ocpp/common/json.hpp.

#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <string_view>

#include "ocpp/common/json.hpp"
#include "ocpp/common/utf8.hpp"

using namespace std::string_literals;

TEST_CASE("utf8_sequence_length accepts well-formed sequences of 1 to 4 bytes", "[utf8]") {
  CHECK(ocpp::utf8_sequence_length("a", 0) == 1);
  CHECK(ocpp::utf8_sequence_length("\xC3\xA9", 0) == 2);          // é
  CHECK(ocpp::utf8_sequence_length("\xE2\x82\xAC", 0) == 3);      // €
  CHECK(ocpp::utf8_sequence_length("\xF0\x9F\x94\x8C", 0) == 4);  // 🔌
  CHECK(ocpp::utf8_sequence_length("x\xC3\xA9", 1) == 2);
  CHECK(ocpp::utf8_sequence_length("\xF4\x8F\xBF\xBF", 0) == 4);  // U+10FFFF
  CHECK(ocpp::utf8_sequence_length("\x00"s, 0) == 1);
}

TEST_CASE("utf8_sequence_length rejects what RFC 3629 forbids", "[utf8]") {
  CHECK(ocpp::utf8_sequence_length("\x80", 0) == 0);              // Lone continuation byte.
  CHECK(ocpp::utf8_sequence_length("\xC0\xAF", 0) == 0);          // Overlong '/'.
  CHECK(ocpp::utf8_sequence_length("\xC1\xBF", 0) == 0);          // Overlong.
  CHECK(ocpp::utf8_sequence_length("\xE0\x80\xAF", 0) == 0);      // Overlong, 3 bytes.
  CHECK(ocpp::utf8_sequence_length("\xF0\x80\x80\xAF", 0) == 0);  // Overlong, 4 bytes.
  CHECK(ocpp::utf8_sequence_length("\xED\xA0\x80", 0) == 0);      // Surrogate U+D800.
  CHECK(ocpp::utf8_sequence_length("\xF4\x90\x80\x80", 0) == 0);  // Above U+10FFFF.
  CHECK(ocpp::utf8_sequence_length("\xF5\x80\x80\x80", 0) == 0);
  CHECK(ocpp::utf8_sequence_length("\xFF", 0) == 0);
  CHECK(ocpp::utf8_sequence_length("\xC3", 0) == 0);       // Truncated.
  CHECK(ocpp::utf8_sequence_length("\xE2\x82", 0) == 0);   // Truncated.
  CHECK(ocpp::utf8_sequence_length("\xC3z", 0) == 0);      // Bad continuation.
  CHECK(ocpp::utf8_sequence_length("\xE2\x82z", 0) == 0);  // Bad continuation.
}

TEST_CASE("is_valid_utf8 checks the whole string", "[utf8]") {
  CHECK(ocpp::is_valid_utf8(""));
  CHECK(ocpp::is_valid_utf8("plain ASCII"));
  CHECK(ocpp::is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x8C"));
  CHECK_FALSE(ocpp::is_valid_utf8("caf\xC3"));
  CHECK_FALSE(ocpp::is_valid_utf8("\xFFxyz"));
  CHECK_FALSE(ocpp::is_valid_utf8("a\xED\xA0\x80z"));
}

TEST_CASE("sanitize_utf8 replaces each invalid byte with U+FFFD and keeps the rest", "[utf8]") {
  CHECK(ocpp::sanitize_utf8("") == "");
  CHECK(ocpp::sanitize_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(ocpp::sanitize_utf8("bad\xFF\xC3") == "bad\xEF\xBF\xBD\xEF\xBF\xBD");
  // A truncated 3-byte sequence: each of its bytes is replaced on its own.
  CHECK(ocpp::sanitize_utf8("\xE2\x82x") == "\xEF\xBF\xBD\xEF\xBF\xBDx");
  // Surrogate: three bytes, three replacements.
  CHECK(ocpp::sanitize_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(ocpp::sanitize_utf8("a\x00z"s) == "a\x00z"s);
  CHECK(ocpp::is_valid_utf8(ocpp::sanitize_utf8("\x80\xBF\xC0\xC1\xF5\xFE\xFF")));
}

TEST_CASE("truncate_utf8 keeps at most N bytes and never cuts a character", "[utf8]") {
  CHECK(ocpp::truncate_utf8("abc", 5) == "abc");
  CHECK(ocpp::truncate_utf8("abc", 3) == "abc");
  CHECK(ocpp::truncate_utf8("abc", 2) == "ab");
  CHECK(ocpp::truncate_utf8("abc", 0) == "");
  CHECK(ocpp::truncate_utf8("a\xC3\xA9", 2) == "a");
  CHECK(ocpp::truncate_utf8("a\xC3\xA9z", 3) == "a\xC3\xA9");
  CHECK(ocpp::truncate_utf8("a\xE2\x82\xAC", 3) == "a");
  CHECK(ocpp::truncate_utf8("\xF0\x9F\x94\x8C\xF0\x9F\x94\x8C", 7) == "\xF0\x9F\x94\x8C");
  CHECK(ocpp::truncate_utf8("\xF0\x9F\x94\x8C", 3) == "");
}

TEST_CASE("utf8_length counts code points", "[utf8]") {
  CHECK(ocpp::utf8_length("") == 0);
  CHECK(ocpp::utf8_length("abc") == 3);
  CHECK(ocpp::utf8_length("caf\xC3\xA9") == 4);
  CHECK(ocpp::utf8_length("\xE2\x82\xAC\xF0\x9F\x94\x8C") == 2);
  // Not validated: every byte that is not a continuation byte counts.
  CHECK(ocpp::utf8_length("\xC3") == 1);
  CHECK(ocpp::utf8_length("\x80\x80") == 0);
}

TEST_CASE("to_compact_json writes a value as compact JSON text", "[json]") {
  rapidjson::Document doc;
  REQUIRE_FALSE(
      ocpp::parse_json(R"( { "a" : [ 1, 2.5, true, null ], "b" : "x\u00e9\"" } )", doc).IsError());
  CHECK(ocpp::to_compact_json(doc) == "{\"a\":[1,2.5,true,null],\"b\":\"x\xC3\xA9\\\"\"}");
  CHECK(ocpp::to_compact_json(doc["a"]) == "[1,2.5,true,null]");
  CHECK(ocpp::to_compact_json(rapidjson::Value("a\0b", 3)) == "\"a\\u0000b\"");
  // JSON has no NaN: nothing is written.
  CHECK(ocpp::to_compact_json(rapidjson::Value(std::numeric_limits<double>::quiet_NaN())) == "");
}
