// OCPP-J RPC framing. Parsing classifies every malformed message into the
// CALLERROR it must be answered with (if any), per OCPP-J 1.6 §4 and 2.0.1
// Part 4 §4.

#include "ocpp/common/frame.hpp"

#include <cstdint>
#include <exception>
#include <utility>

#include "ocpp/common/json.hpp"
#include "ocpp/common/utf8.hpp"

namespace ocpp {

Frame::Frame(MessageType type, std::shared_ptr<rapidjson::Document> doc)
    : type_(type), doc_(std::move(doc)) {}

const rapidjson::Value& Frame::payload() const {
  // A null value instead of an assertion when the frame was built by hand with a
  // document of the wrong shape, so payload() can never throw.
  static const rapidjson::Value kNull;
  const rapidjson::SizeType index = type_ == MessageType::Call         ? 3
                                    : type_ == MessageType::CallResult ? 2
                                                                       : 4;
  if (!doc_ || !doc_->IsArray() || doc_->Size() <= index) return kNull;
  return (*doc_)[index];
}

/// Fills a Frame's private fields; only parse_frame creates complete frames.
struct FrameParser {
  static Frame make(MessageType type, std::shared_ptr<rapidjson::Document> doc, std::string id) {
    Frame frame(type, std::move(doc));
    frame.id_ = std::move(id);
    return frame;
  }
  static void set_action(Frame& frame, std::string action) { frame.action_ = std::move(action); }
  static void set_error(Frame& frame, std::string code, std::string description) {
    frame.error_code_ = std::move(code);
    frame.error_description_ = std::move(description);
  }
};

namespace {

// ---------------------------------------------------------------------------
// Parsing

// A message id must be a string of 1..36 characters; anything else is treated
// as unreadable. The parser has already validated the UTF-8.
std::optional<std::string> read_id(const char* s, std::size_t size) {
  const std::size_t chars = utf8_length(std::string_view(s, size));
  if (chars < 1 || chars > kMaxMessageIdLength) return std::nullopt;
  return std::string(s, size);
}

std::optional<std::string> read_id(const rapidjson::Value& v) {
  if (!v.IsString()) return std::nullopt;
  return read_id(v.GetString(), v.GetStringLength());
}

// What is known about the first two array elements, which decide how (and
// whether) a broken frame is answered.
enum class Head { Unknown, Call, ResultOrError, OtherInteger, NotInteger };

struct Prefix {
  Head head = Head::Unknown;
  std::optional<std::string> id;
};

Head classify_type(std::int64_t n) {
  if (n == static_cast<int>(MessageType::Call)) return Head::Call;
  if (n == static_cast<int>(MessageType::CallResult) ||
      n == static_cast<int>(MessageType::CallError)) {
    return Head::ResultOrError;
  }
  return Head::OtherInteger;
}

Head classify_type(const rapidjson::Value& v) {
  if (v.IsInt64()) return classify_type(v.GetInt64());
  if (v.IsUint64()) return Head::OtherInteger;  // Above INT64_MAX.
  return Head::NotInteger;
}

// SAX handler that reads the first two elements of a top-level array and stops,
// to recover the message type and id from a message that is not valid JSON as a
// whole (e.g. truncated after the id). Every token it sees has been fully
// lexed and validated, so a recovered id is exactly what the peer sent.
class PrefixScanner : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PrefixScanner> {
 public:
  explicit PrefixScanner(Prefix& prefix) : prefix_(prefix) {}

  bool Default() { return element(Head::NotInteger); }
  bool Int(int n) { return element(classify_type(n)); }
  bool Uint(unsigned n) { return element(classify_type(n)); }
  bool Int64(std::int64_t n) { return element(classify_type(n)); }
  bool Uint64(std::uint64_t) { return element(Head::OtherInteger); }
  bool String(const char* s, rapidjson::SizeType size, bool) {
    if (depth_ == 1 && index_ == 1) {
      prefix_.id = read_id(s, size);
      return false;  // Everything needed is known.
    }
    return element(Head::NotInteger);
  }
  bool StartArray() {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return start_container();
  }
  bool StartObject() { return depth_ == 0 ? false : start_container(); }
  bool EndArray(rapidjson::SizeType) { return end_container(); }
  bool EndObject(rapidjson::SizeType) { return end_container(); }

 private:
  // A scalar at any depth; only the first two at depth 1 matter.
  bool element(Head head) {
    if (depth_ == 0) return false;  // Top level is not an array.
    if (depth_ > 1) return true;
    if (index_ == 0) prefix_.head = head;
    return ++index_ < 2;  // A non-string second element means no id.
  }
  bool start_container() {
    if (depth_ == 1) {
      if (index_ == 0) prefix_.head = Head::NotInteger;
      if (++index_ >= 2) return false;
    }
    ++depth_;
    return true;
  }
  bool end_container() {
    if (depth_ <= 1) return false;  // The top-level array ended: nothing more.
    --depth_;
    return true;
  }

  Prefix& prefix_;
  unsigned depth_ = 0;
  unsigned index_ = 0;
};

Prefix scan_prefix(std::string_view text) {
  Prefix prefix;
  PrefixScanner scanner(prefix);
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  rapidjson::Reader reader;
  reader.Parse<kJsonParseFlags>(is, scanner);  // Stops early; the result is irrelevant.
  return prefix;
}

// The code for a broken frame: 1.6 has only FormationViolation for this.
ErrorCode framework_error(Version version) {
  return version == Version::v201 ? ErrorCode::RpcFrameworkError : ErrorCode::FormatViolation;
}

// Who to answer when a frame is broken. A CALLRESULT/CALLERROR is never
// answered; otherwise 2.0.1 answers an unreadable id with "-1" (Part 4 §4.2.3)
// while 1.6 has no such convention and cannot answer at all.
std::optional<std::string> reply_to(const Prefix& prefix, Version version) {
  if (prefix.head == Head::ResultOrError) return std::nullopt;
  if (prefix.id) return prefix.id;
  if (version == Version::v201) return std::string("-1");
  return std::nullopt;
}

FrameError broken(const Prefix& prefix, Version version, ErrorCode code, std::string description) {
  return FrameError{code, std::move(description), reply_to(prefix, version)};
}

const char* type_name(MessageType type) {
  switch (type) {
    case MessageType::Call:
      return "CALL";
    case MessageType::CallResult:
      return "CALLRESULT";
    case MessageType::CallError:
      return "CALLERROR";
  }
  return "frame";
}

ParseResult parse_frame_impl(std::string_view text, Version version, Prefix& prefix) {
  // RapidJSON treats a NUL byte as end of input and would ignore whatever
  // follows; a raw NUL is never valid JSON, so reject it up front.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    prefix = scan_prefix(text);
    return broken(prefix, version, framework_error(version),
                  "Message is not valid JSON: NUL byte at offset " + std::to_string(nul));
  }
  auto doc = std::make_shared<rapidjson::Document>();
  if (const auto parsed = parse_json(text, *doc); parsed.IsError()) {
    prefix = scan_prefix(text);
    return broken(prefix, version, framework_error(version),
                  std::string("Message is not valid JSON: ") +
                      rapidjson::GetParseError_En(parsed.Code()) + " (at offset " +
                      std::to_string(parsed.Offset()) + ")");
  }
  if (!doc->IsArray()) {
    return broken(prefix, version, framework_error(version), "Message is not a JSON array");
  }
  const rapidjson::SizeType size = doc->Size();
  if (size == 0) {
    return broken(prefix, version, framework_error(version), "Message is an empty array");
  }
  const rapidjson::Value& arr = *doc;
  prefix.head = classify_type(arr[0]);
  if (size >= 2) prefix.id = read_id(arr[1]);

  if (prefix.head == Head::NotInteger) {
    return broken(prefix, version, framework_error(version),
                  "Message type number is not an integer");
  }
  if (prefix.head == Head::OtherInteger) {
    const ErrorCode code =
        version == Version::v201 ? ErrorCode::MessageTypeNotSupported : ErrorCode::FormatViolation;
    return broken(prefix, version, code, "Message type number is not 2, 3 or 4");
  }

  const auto type = static_cast<MessageType>(arr[0].GetInt64());
  if (!prefix.id) {
    return broken(prefix, version, framework_error(version),
                  size < 2 ? "Message has no message id"
                           : "Message id is not a string of 1 to 36 characters");
  }

  const rapidjson::SizeType expected = type == MessageType::Call         ? 4
                                       : type == MessageType::CallResult ? 3
                                                                         : 5;
  if (size != expected) {
    return broken(prefix, version, framework_error(version),
                  std::string(type_name(type)) + " must have " + std::to_string(expected) +
                      " elements, got " + std::to_string(size));
  }

  switch (type) {
    case MessageType::Call: {
      const rapidjson::Value& action = arr[2];
      if (!action.IsString() || action.GetStringLength() == 0) {
        return broken(prefix, version, framework_error(version),
                      "CALL action is not a non-empty string");
      }
      std::string action_name(action.GetString(), action.GetStringLength());
      Frame frame = FrameParser::make(type, std::move(doc), std::move(*prefix.id));
      FrameParser::set_action(frame, std::move(action_name));
      return frame;
    }
    case MessageType::CallResult:
      return FrameParser::make(type, std::move(doc), std::move(*prefix.id));
    case MessageType::CallError: {
      const rapidjson::Value& code = arr[2];
      const rapidjson::Value& description = arr[3];
      if (!code.IsString()) {
        return broken(prefix, version, framework_error(version),
                      "CALLERROR error code is not a string");
      }
      if (!description.IsString()) {
        return broken(prefix, version, framework_error(version),
                      "CALLERROR error description is not a string");
      }
      std::string code_text(code.GetString(), code.GetStringLength());
      std::string description_text(description.GetString(), description.GetStringLength());
      Frame frame = FrameParser::make(type, std::move(doc), std::move(*prefix.id));
      FrameParser::set_error(frame, std::move(code_text), std::move(description_text));
      return frame;
    }
  }
  return broken(prefix, version, ErrorCode::InternalError, "Unhandled message type");
}

// ---------------------------------------------------------------------------
// Serialization

void write_string(JsonWriter& writer, std::string_view s) {
  const std::string clean = sanitize_utf8(s);
  writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void write_raw(JsonWriter& writer, std::string_view json) {
  writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

std::string finish(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

ParseResult parse_frame(std::string_view text, Version version) {
  Prefix prefix;
  try {
    return parse_frame_impl(text, version, prefix);
  } catch (...) {
    // Only reachable through a bug (a RapidJSON assertion turned exception) or
    // bad_alloc; answer as well as what was learned so far allows.
    return FrameError{ErrorCode::InternalError, "Internal error while parsing the message",
                      reply_to(prefix, version)};
  }
}

std::string make_call(std::string_view id, std::string_view action, std::string_view payload_json) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  writer.Int(static_cast<int>(MessageType::Call));
  write_string(writer, id);
  write_string(writer, action);
  write_raw(writer, payload_json);
  writer.EndArray();
  return finish(buffer);
}

std::string make_call_result(std::string_view id, std::string_view payload_json) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  writer.Int(static_cast<int>(MessageType::CallResult));
  write_string(writer, id);
  write_raw(writer, payload_json);
  writer.EndArray();
  return finish(buffer);
}

std::string make_call_error(std::string_view id, ErrorCode code, Version version,
                            std::string_view description, std::string_view details_json) {
  // 255 bytes rather than characters: it satisfies the 2.0.1 limit however a peer
  // counts, and never splits a character.
  constexpr std::size_t kMaxDescription = 255;
  const std::string clean_description = sanitize_utf8(description);
  const std::string_view short_description = truncate_utf8(clean_description, kMaxDescription);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  writer.Int(static_cast<int>(MessageType::CallError));
  write_string(writer, id);
  write_string(writer, to_string(code, version));
  write_string(writer, short_description);
  write_raw(writer, details_json.empty() ? std::string_view("{}") : details_json);
  writer.EndArray();
  return finish(buffer);
}

}  // namespace ocpp
