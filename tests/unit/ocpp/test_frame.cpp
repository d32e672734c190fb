// OCPP-J framing: parse_frame classification of every malformed shape for both
// versions, and the make_* serializers.

#include <catch2/catch.hpp>

#include <string>

#include "ocpp/common/frame.hpp"
#include "ocpp/common/json.hpp"

using ocpp::ErrorCode;
using ocpp::Frame;
using ocpp::FrameError;
using ocpp::MessageType;
using ocpp::Version;

namespace {

Frame expect_frame(std::string_view text, Version version = Version::v201) {
  auto result = ocpp::parse_frame(text, version);
  INFO("input: " << text);
  if (auto* error = std::get_if<FrameError>(&result)) {
    FAIL("unexpected FrameError: " << error->description);
  }
  return std::get<Frame>(std::move(result));
}

FrameError expect_error(std::string_view text, Version version) {
  auto result = ocpp::parse_frame(text, version);
  INFO("input: " << text);
  REQUIRE(std::holds_alternative<FrameError>(result));
  return std::get<FrameError>(std::move(result));
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  ocpp::JsonWriter writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool is_valid_json(const std::string& text) {
  rapidjson::Document doc;
  return !ocpp::parse_json(text, doc).IsError();
}

const std::optional<std::string> kNoReply = std::nullopt;

}  // namespace

// ---------------------------------------------------------------------------
// Valid frames

TEST_CASE("parse_frame reads a CALL", "[frame]") {
  for (const Version version : {Version::v16, Version::v201}) {
    const Frame frame = expect_frame(R"([2,"19223201","BootNotification",{"a":1}])", version);
    CHECK(frame.type() == MessageType::Call);
    CHECK(frame.id() == "19223201");
    CHECK(frame.action() == "BootNotification");
    CHECK(serialize(frame.payload()) == R"({"a":1})");
  }
}

TEST_CASE("parse_frame tolerates whitespace between elements", "[frame]") {
  const Frame frame = expect_frame(" [ 2 , \"id\" ,\n\"Heartbeat\" , { } ] ");
  CHECK(frame.action() == "Heartbeat");
  CHECK(frame.payload().IsObject());
}

TEST_CASE("parse_frame leaves a non-object CALL payload to the typed decoder", "[frame]") {
  const Frame frame = expect_frame(R"([2,"id","Heartbeat",[1,2]])");
  CHECK(frame.payload().IsArray());
  CHECK(expect_frame(R"([2,"id","Heartbeat",null])").payload().IsNull());
}

TEST_CASE("parse_frame reads a CALLRESULT", "[frame]") {
  const Frame frame = expect_frame(R"([3,"abc",{"status":"Accepted"}])", Version::v16);
  CHECK(frame.type() == MessageType::CallResult);
  CHECK(frame.id() == "abc");
  CHECK(frame.action().empty());
  CHECK(serialize(frame.payload()) == R"({"status":"Accepted"})");
}

TEST_CASE("parse_frame reads a CALLERROR with its code, description and details", "[frame]") {
  const Frame frame =
      expect_frame(R"([4,"abc","NotImplemented","No such action",{"x":true}])", Version::v201);
  CHECK(frame.type() == MessageType::CallError);
  CHECK(frame.id() == "abc");
  CHECK(frame.error_code() == "NotImplemented");
  CHECK(frame.error_description() == "No such action");
  CHECK(serialize(frame.payload()) == R"({"x":true})");
}

TEST_CASE("parse_frame keeps an unknown CALLERROR code as sent and any details value", "[frame]") {
  const Frame frame = expect_frame(R"([4,"abc","Bogus","",null])");
  CHECK(frame.error_code() == "Bogus");
  CHECK(frame.error_description().empty());
  CHECK(frame.payload().IsNull());
}

TEST_CASE("parse_frame accepts ids of 1 and 36 characters, counting UTF-8 characters", "[frame]") {
  CHECK(expect_frame(R"([3,"x",{}])").id() == "x");
  const std::string id36(36, 'a');
  CHECK(expect_frame("[3,\"" + id36 + "\",{}]").id() == id36);
  std::string id36_multibyte;
  for (int i = 0; i < 36; ++i) id36_multibyte += "\xC3\xA9";  // é
  CHECK(expect_frame("[3,\"" + id36_multibyte + "\",{}]").id() == id36_multibyte);
  CHECK(expect_frame(R"([3,"\u00e9\"",{}])").id() == "\xC3\xA9\"");
}

TEST_CASE("a parsed frame keeps its document alive after copies and moves", "[frame]") {
  std::optional<Frame> copy;
  {
    const Frame frame = expect_frame(R"([2,"id","DataTransfer",{"data":"kept"}])");
    copy = frame;
  }
  CHECK(copy->payload()["data"].GetString() == std::string("kept"));
}

TEST_CASE("Frame::payload of a hand-built frame with no document is null", "[frame]") {
  const Frame frame(MessageType::Call, nullptr);
  CHECK(frame.payload().IsNull());
  const Frame short_frame(MessageType::CallError, std::make_shared<rapidjson::Document>());
  CHECK(short_frame.payload().IsNull());
}

// ---------------------------------------------------------------------------
// Not JSON / not an array / bad message type number

TEST_CASE("parse_frame answers invalid JSON with RpcFrameworkError and -1 in 2.0.1", "[frame]") {
  for (const char* text : {"", "   ", "not json", "[2,'id','A',{}]", "{\"a\":1",
                           "[2,\"id\xFF\",\"A\",{}]", "[2,\"a\nb\",\"A\",{}]"}) {
    const FrameError error = expect_error(text, Version::v201);
    CHECK(error.code == ErrorCode::RpcFrameworkError);
    CHECK(error.reply_id == "-1");
  }
}

TEST_CASE("parse_frame answers invalid JSON with the id when the id itself was readable",
          "[frame]") {
  for (const char* text :
       {"[2,\"id\"", "[2,\"id\",]", "[2,\"id\",\"B\",{}] trailing", "[2,\"id\",\"A\",{}]]"}) {
    const FrameError v201 = expect_error(text, Version::v201);
    CHECK(v201.code == ErrorCode::RpcFrameworkError);
    CHECK(v201.reply_id == "id");
    const FrameError v16 = expect_error(text, Version::v16);
    CHECK(v16.code == ErrorCode::FormatViolation);
    CHECK(v16.reply_id == "id");
  }
}

TEST_CASE("parse_frame answers invalid JSON with FormationViolation and no reply in 1.6",
          "[frame]") {
  for (const char* text : {"", "not json", "[2,'id','A',{}]", "{\"a\":1", "[1e999]"}) {
    const FrameError error = expect_error(text, Version::v16);
    CHECK(error.code == ErrorCode::FormatViolation);
    CHECK(error.reply_id == kNoReply);
  }
}

TEST_CASE("parse_frame answers a truncated CALL with its id when the id was readable", "[frame]") {
  const char* text = R"([2,"abc","Heartbeat",{"x":)";
  CHECK(expect_error(text, Version::v201).reply_id == "abc");
  CHECK(expect_error(text, Version::v201).code == ErrorCode::RpcFrameworkError);
  CHECK(expect_error(text, Version::v16).reply_id == "abc");
  CHECK(expect_error(text, Version::v16).code == ErrorCode::FormatViolation);
  // An id cut in half is not readable.
  CHECK(expect_error(R"([2,"ab)", Version::v201).reply_id == "-1");
  CHECK(expect_error(R"([2,"ab)", Version::v16).reply_id == kNoReply);
  // Nested values before the id are skipped correctly.
  CHECK(expect_error(R"([[1,[2]],"abc",{)", Version::v201).reply_id == "abc");
}

TEST_CASE("parse_frame never answers invalid JSON that starts like a CALLRESULT or CALLERROR",
          "[frame]") {
  for (const Version version : {Version::v16, Version::v201}) {
    CHECK(expect_error(R"([3,"abc",{"x":)", version).reply_id == kNoReply);
    CHECK(expect_error(R"([4,"abc","GenericError",)", version).reply_id == kNoReply);
    CHECK(expect_error(R"([3,)", version).reply_id == kNoReply);
  }
}

TEST_CASE("parse_frame answers a non-array message with -1 in 2.0.1 and not at all in 1.6",
          "[frame]") {
  for (const char* text : {"{}", R"({"0":2,"1":"id"})", "2", "\"id\"", "null", "true"}) {
    const FrameError v201 = expect_error(text, Version::v201);
    CHECK(v201.code == ErrorCode::RpcFrameworkError);
    CHECK(v201.reply_id == "-1");
    const FrameError v16 = expect_error(text, Version::v16);
    CHECK(v16.code == ErrorCode::FormatViolation);
    CHECK(v16.reply_id == kNoReply);
  }
}

TEST_CASE("parse_frame answers an empty array with -1 in 2.0.1 and not at all in 1.6", "[frame]") {
  CHECK(expect_error("[]", Version::v201).code == ErrorCode::RpcFrameworkError);
  CHECK(expect_error("[]", Version::v201).reply_id == "-1");
  CHECK(expect_error("[]", Version::v16).code == ErrorCode::FormatViolation);
  CHECK(expect_error("[]", Version::v16).reply_id == kNoReply);
}

TEST_CASE("parse_frame answers a non-integer message type with the id if readable", "[frame]") {
  for (const char* text : {R"(["2","abc","Heartbeat",{}])", R"([2.0,"abc","Heartbeat",{}])",
                           R"([null,"abc"])", R"([{},"abc"])"}) {
    const FrameError v201 = expect_error(text, Version::v201);
    CHECK(v201.code == ErrorCode::RpcFrameworkError);
    CHECK(v201.reply_id == "abc");
    const FrameError v16 = expect_error(text, Version::v16);
    CHECK(v16.code == ErrorCode::FormatViolation);
    CHECK(v16.reply_id == "abc");
  }
  CHECK(expect_error(R"(["2"])", Version::v201).reply_id == "-1");
  CHECK(expect_error(R"(["2",5])", Version::v201).reply_id == "-1");
  CHECK(expect_error(R"(["2"])", Version::v16).reply_id == kNoReply);
}

TEST_CASE("parse_frame answers an unknown message type with MessageTypeNotSupported in 2.0.1",
          "[frame]") {
  for (const char* text : {R"([5,"abc",{}])", R"([1,"abc","Heartbeat",{}])", R"([-2,"abc"])",
                           R"([18446744073709551615,"abc"])"}) {
    const FrameError error = expect_error(text, Version::v201);
    CHECK(error.code == ErrorCode::MessageTypeNotSupported);
    CHECK(error.reply_id == "abc");
  }
  const FrameError no_id = expect_error(R"([5])", Version::v201);
  CHECK(no_id.code == ErrorCode::MessageTypeNotSupported);
  CHECK(no_id.reply_id == "-1");
  CHECK(expect_error(R"([5,42])", Version::v201).reply_id == "-1");
}

TEST_CASE("parse_frame answers an unknown message type with FormationViolation in 1.6", "[frame]") {
  const FrameError error = expect_error(R"([5,"abc",{}])", Version::v16);
  CHECK(error.code == ErrorCode::FormatViolation);
  CHECK(error.reply_id == "abc");
  CHECK(expect_error(R"([5])", Version::v16).reply_id == kNoReply);
}

// ---------------------------------------------------------------------------
// Message ids

TEST_CASE("parse_frame answers an unreadable id with -1 in 2.0.1", "[frame]") {
  const std::string id37(37, 'a');
  for (const std::string& text :
       {std::string(R"([2])"), std::string(R"([2,123,"Heartbeat",{}])"),
        std::string(R"([2,"","Heartbeat",{}])"), std::string(R"([2,null,"Heartbeat",{}])"),
        std::string(R"([2,{"id":"x"},"Heartbeat",{}])"), "[2,\"" + id37 + "\",\"Heartbeat\",{}]"}) {
    const FrameError error = expect_error(text, Version::v201);
    CHECK(error.code == ErrorCode::RpcFrameworkError);
    CHECK(error.reply_id == "-1");
  }
}

TEST_CASE("parse_frame does not answer an unreadable id in 1.6", "[frame]") {
  const std::string id37(37, 'a');
  for (const std::string& text :
       {std::string(R"([2])"), std::string(R"([2,123,"Heartbeat",{}])"),
        std::string(R"([2,"","Heartbeat",{}])"), "[2,\"" + id37 + "\",\"Heartbeat\",{}]"}) {
    const FrameError error = expect_error(text, Version::v16);
    CHECK(error.code == ErrorCode::FormatViolation);
    CHECK(error.reply_id == kNoReply);
  }
}

// ---------------------------------------------------------------------------
// CALL shape

TEST_CASE("parse_frame answers a CALL with the wrong element count using its id", "[frame]") {
  for (const char* text :
       {R"([2,"abc"])", R"([2,"abc","Heartbeat"])", R"([2,"abc","Heartbeat",{},{}])"}) {
    const FrameError v201 = expect_error(text, Version::v201);
    CHECK(v201.code == ErrorCode::RpcFrameworkError);
    CHECK(v201.reply_id == "abc");
    const FrameError v16 = expect_error(text, Version::v16);
    CHECK(v16.code == ErrorCode::FormatViolation);
    CHECK(v16.reply_id == "abc");
  }
}

TEST_CASE("parse_frame answers a CALL whose action is not a non-empty string", "[frame]") {
  for (const char* text : {R"([2,"abc",7,{}])", R"([2,"abc","",{}])", R"([2,"abc",null,{}])",
                           R"([2,"abc",["Heartbeat"],{}])"}) {
    const FrameError v201 = expect_error(text, Version::v201);
    CHECK(v201.code == ErrorCode::RpcFrameworkError);
    CHECK(v201.reply_id == "abc");
    const FrameError v16 = expect_error(text, Version::v16);
    CHECK(v16.code == ErrorCode::FormatViolation);
    CHECK(v16.reply_id == "abc");
  }
}

// ---------------------------------------------------------------------------
// CALLRESULT / CALLERROR shape: never answered

TEST_CASE("parse_frame never answers a malformed CALLRESULT", "[frame]") {
  for (const Version version : {Version::v16, Version::v201}) {
    for (const char* text :
         {R"([3])", R"([3,"abc"])", R"([3,"abc",{},{}])", R"([3,5,{}])", R"([3,"",{}])"}) {
      const FrameError error = expect_error(text, version);
      CHECK(error.code ==
            (version == Version::v201 ? ErrorCode::RpcFrameworkError : ErrorCode::FormatViolation));
      CHECK(error.reply_id == kNoReply);
      CHECK_FALSE(error.description.empty());
    }
  }
}

TEST_CASE("parse_frame never answers a malformed CALLERROR", "[frame]") {
  for (const Version version : {Version::v16, Version::v201}) {
    for (const char* text :
         {R"([4,"abc","GenericError","desc"])", R"([4,"abc","GenericError","desc",{},1])",
          R"([4,"abc",5,"desc",{}])", R"([4,"abc","GenericError",null,{}])",
          R"([4,7,"GenericError","desc",{}])"}) {
      const FrameError error = expect_error(text, version);
      CHECK(error.code ==
            (version == Version::v201 ? ErrorCode::RpcFrameworkError : ErrorCode::FormatViolation));
      CHECK(error.reply_id == kNoReply);
      CHECK_FALSE(error.description.empty());
    }
  }
}

// ---------------------------------------------------------------------------
// Robustness

TEST_CASE("parse_frame descriptions never echo the raw input", "[frame]") {
  const std::string secret = "SECRETxyz";
  for (const std::string& text :
       {"[2,\"" + secret + "\"]", "[\"" + secret + "\",\"abc\"]", "[2,\"abc\",\"" + secret + "\"]",
        "{\"" + secret + "\":1}", "[2,\"abc\",\"Heartbeat\",{\"" + secret + "\":",
        "[4,\"abc\",\"" + secret + "\",5,{}]", "[9,\"abc\",\"" + secret + "\"]"}) {
    const FrameError error = expect_error(text, Version::v201);
    CHECK(error.description.find(secret) == std::string::npos);
    CHECK_FALSE(error.description.empty());
  }
}

TEST_CASE("parse_frame survives deeply nested input without recursion", "[frame]") {
  const std::size_t depth = 200'000;
  const std::string open(depth, '[');
  const std::string close(depth, ']');
  const FrameError unterminated = expect_error(open, Version::v201);
  CHECK(unterminated.code == ErrorCode::RpcFrameworkError);
  CHECK(unterminated.reply_id == "-1");
  const Frame frame = expect_frame("[2,\"abc\",\"DataTransfer\"," + open + close + "]");
  CHECK(frame.payload().IsArray());
}

TEST_CASE("parse_frame handles embedded NUL characters by length, not terminator", "[frame]") {
  const std::string text("[2,\"a\\u0000b\",\"Heartbeat\",{}]");
  CHECK(expect_frame(text).id() == std::string("a\0b", 3));
  const std::string raw_nul("[2,\"abc\",\"Heartbeat\",{}]\0", 26);
  CHECK(expect_error(raw_nul, Version::v201).reply_id == "abc");
}

// ---------------------------------------------------------------------------
// Serialization

TEST_CASE("make_call writes a compact CALL", "[frame]") {
  CHECK(ocpp::make_call("19223201", "BootNotification", R"({"reason":"PowerUp"})") ==
        R"([2,"19223201","BootNotification",{"reason":"PowerUp"}])");
}

TEST_CASE("make_call_result writes a compact CALLRESULT", "[frame]") {
  CHECK(ocpp::make_call_result("abc", R"({"currentTime":"2024-01-15T10:30:00Z"})") ==
        R"([3,"abc",{"currentTime":"2024-01-15T10:30:00Z"}])");
  CHECK(ocpp::make_call_result("abc", "{}") == R"([3,"abc",{}])");
}

TEST_CASE("make_call_error writes the version's code spelling and defaults details to {}",
          "[frame]") {
  CHECK(ocpp::make_call_error("abc", ErrorCode::FormatViolation, Version::v16, "Bad") ==
        R"([4,"abc","FormationViolation","Bad",{}])");
  CHECK(ocpp::make_call_error("abc", ErrorCode::FormatViolation, Version::v201, "Bad") ==
        R"([4,"abc","FormatViolation","Bad",{}])");
  CHECK(ocpp::make_call_error("-1", ErrorCode::RpcFrameworkError, Version::v201, "",
                              R"({"k":1})") == R"([4,"-1","RpcFrameworkError","",{"k":1}])");
}

TEST_CASE("make_* JSON-escape ids, actions and descriptions", "[frame]") {
  const std::string call = ocpp::make_call("a\"b\\c", "Act\nion", "{}");
  CHECK(call == R"([2,"a\"b\\c","Act\nion",{}])");
  CHECK(is_valid_json(call));
  const std::string result = ocpp::make_call_result(std::string("x\0y\x01", 4), "{}");
  CHECK(result == R"([3,"x\u0000y\u0001",{}])");
  const std::string error =
      ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, "say \"hi\"\t\xC3\xA9");
  CHECK(error == "[4,\"id\",\"GenericError\",\"say \\\"hi\\\"\\t\xC3\xA9\",{}]");
  CHECK(is_valid_json(error));
}

TEST_CASE("make_* replace invalid UTF-8 so the output is always valid JSON", "[frame]") {
  const std::string error =
      ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, "bad\xFF\xC3");
  CHECK(error == "[4,\"id\",\"GenericError\",\"bad\xEF\xBF\xBD\xEF\xBF\xBD\",{}]");
  CHECK(is_valid_json(error));
  CHECK(is_valid_json(ocpp::make_call("\xED\xA0\x80", "A", "{}")));  // Encoded surrogate.
}

TEST_CASE("make_call_error truncates the description to 255 bytes", "[frame]") {
  const std::string long_ascii(300, 'a');
  const std::string error =
      ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, long_ascii);
  CHECK(error == "[4,\"id\",\"GenericError\",\"" + std::string(255, 'a') + "\",{}]");
  const std::string exact(255, 'b');
  CHECK(ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, exact) ==
        "[4,\"id\",\"GenericError\",\"" + exact + "\",{}]");
}

TEST_CASE("make_call_error never cuts a description inside a UTF-8 character", "[frame]") {
  // 254 ASCII bytes then a 2-byte character that would straddle the limit.
  const std::string straddle = std::string(254, 'a') + "\xC3\xA9" + "tail";
  const Frame two =
      expect_frame(ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, straddle));
  CHECK(two.error_description() == std::string(254, 'a'));

  // 4-byte characters: 63 fit in 252 bytes, the 64th would need 256.
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += "\xF0\x9F\x94\x8C";
  const Frame four =
      expect_frame(ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, emoji));
  CHECK(four.error_description() == emoji.substr(0, 252));

  // A 3-byte character ending exactly at byte 255 is kept.
  const std::string fits = std::string(252, 'a') + "\xE2\x82\xAC" + "more";
  const Frame three =
      expect_frame(ocpp::make_call_error("id", ErrorCode::GenericError, Version::v201, fits));
  CHECK(three.error_description() == std::string(252, 'a') + "\xE2\x82\xAC");
}

TEST_CASE("make_* output parses back to the same frame", "[frame]") {
  const Frame call = expect_frame(ocpp::make_call("id\"1", "Heartbeat", "{}"));
  CHECK(call.type() == MessageType::Call);
  CHECK(call.id() == "id\"1");
  CHECK(call.action() == "Heartbeat");
  const Frame result = expect_frame(ocpp::make_call_result("r", R"({"a":[1,2]})"));
  CHECK(serialize(result.payload()) == R"({"a":[1,2]})");
  const Frame error = expect_frame(ocpp::make_call_error(
      "e", ErrorCode::OccurrenceConstraintViolation, Version::v16, "missing idTag"));
  CHECK(error.error_code() == "OccurenceConstraintViolation");
  CHECK(ocpp::error_code_from_string(error.error_code()) ==
        ErrorCode::OccurrenceConstraintViolation);
  CHECK(error.error_description() == "missing idTag");
}
