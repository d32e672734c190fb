// JSON parsing with correctly rounded number conversion (see json.hpp).

// RapidJSON copies a string's unescaped run 16 bytes at a time with SSE2
// (x86-64 has it always), but only from a StringStream: parse_json reads one.
// Defined here alone, before any RapidJSON header: the only instantiations it
// changes are this file's own (its flags and handler are used nowhere else).
// Its aligned 16-byte loads read past a string's end within the block (never
// across a page, so harmless), which ASan and TSan report as a heap overflow or
// use-after-free: sanitized builds keep the byte-wise scan.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CSMS_JSON_SANITIZED
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CSMS_JSON_SANITIZED
#endif
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(RAPIDJSON_SSE2) && \
    !defined(CSMS_JSON_SANITIZED)
#define RAPIDJSON_SSE2
#endif

#include "ocpp/common/json.hpp"

#include "ocpp/common/utf8.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/stream.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

namespace ocpp {

namespace {

// True when a decimal number text (already valid JSON) is below the smallest
// double rather than above the largest: its first significant digit sits far
// below the decimal point.
bool underflows(std::string_view n) {
  long point = 0;  // Digits before the decimal point, after leading zeros.
  bool significant = false;
  long leading_fraction_zeros = 0;
  bool in_fraction = false;
  std::size_t i = n[0] == '-' ? 1 : 0;
  for (; i < n.size() && n[i] != 'e' && n[i] != 'E'; ++i) {
    const char c = n[i];
    if (c == '.') {
      in_fraction = true;
    } else if (!significant && c == '0') {
      if (in_fraction) ++leading_fraction_zeros;
    } else {
      significant = true;
      if (!in_fraction) ++point;
    }
  }
  long exponent = 0;
  if (i < n.size()) {
    std::string_view e = n.substr(i + 1);
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    // A huge exponent cannot fit in a long: its sign is all that matters then.
    if (std::from_chars(e.data(), e.data() + e.size(), exponent).ec != std::errc())
      exponent = e[0] == '-' ? -1000000 : 1000000;
  }
  return (point > 0 ? point : -leading_fraction_zeros) + exponent < 0;
}

// Forwards every SAX event to the document, converting RapidJSON's raw number
// text (kParseNumbersAsStringsFlag) itself.
struct NumberConverter {
  explicit NumberConverter(rapidjson::Document& d) : doc(d) {}

  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned u) { return doc.Uint(u); }
  bool Int64(std::int64_t i) { return doc.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc.Uint64(u); }
  bool Double(double d) { return doc.Double(d); }
  // kParseValidateEncodingFlag checks the input bytes, not what a \u escape
  // decodes to: a lone surrogate (\uDC40) would become invalid UTF-8 that no
  // encoder may write back (found by the fuzzer).
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return valid(s, n) && doc.String(s, n, copy);
  }
  bool StartObject() { return doc.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return valid(s, n) && doc.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) { return doc.EndObject(n); }
  bool StartArray() { return doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc.EndArray(n); }

  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const char* end = s + n;
    const std::string_view text(s, n);
    if (text.find_first_of(".eE") == std::string_view::npos) {
      // On overflow from_chars still consumes every digit: check ec.
      std::int64_t i = 0;
      if (std::from_chars(s, end, i).ec == std::errc()) return doc.Int64(i);
      std::uint64_t u = 0;
      if (s[0] != '-' && std::from_chars(s, end, u).ec == std::errc()) return doc.Uint64(u);
    }
    double d = 0;
    const auto r = std::from_chars(s, end, d);
    if (r.ec == std::errc::result_out_of_range) {
      if (!underflows(text)) {
        too_big = true;
        return false;
      }
      d = s[0] == '-' ? -0.0 : 0.0;
    } else if (r.ec != std::errc() || r.ptr != end) {
      return false;  // Cannot happen: the reader has validated the syntax.
    }
    return doc.Double(d);
  }

  bool valid(const char* s, rapidjson::SizeType n) {
    if (is_valid_utf8(std::string_view(s, n))) return true;
    bad_string = true;
    return false;
  }

  rapidjson::Document& doc;
  bool too_big = false;
  bool bad_string = false;
};

template <unsigned Flags>
rapidjson::ParseResult parse_with(std::string_view text, rapidjson::Document& doc) {
  rapidjson::ParseResult result;
  // A StringStream needs a terminating NUL (parse_json has refused any NUL
  // inside the text): a copy per thread, reused from frame to frame.
  thread_local std::string terminated;
  terminated.assign(text.data(), text.size());
  auto generate = [&](rapidjson::Document& target) {
    rapidjson::StringStream is(terminated.c_str());
    NumberConverter handler(target);
    rapidjson::Reader reader;
    // The handler checks every string and key it is given (valid()), which
    // covers every input byte inside a string: RapidJSON's own per-character
    // encoding check would only do the same work twice (it was the largest
    // single cost of a MeterValues on the network thread).
    result = reader.Parse<(Flags & ~rapidjson::kParseValidateEncodingFlag) |
                          rapidjson::kParseNumbersAsStringsFlag>(is, handler);
    if (handler.too_big) result.Set(rapidjson::kParseErrorNumberTooBig, result.Offset());
    if (handler.bad_string)
      result.Set(rapidjson::kParseErrorStringInvalidEncoding, result.Offset());
    return !result.IsError();
  };
  doc.Populate(generate);
  return result;
}

}  // namespace

rapidjson::ParseResult parse_json(std::string_view text, rapidjson::Document& doc,
                                  JsonComments comments) {
  // The reader would take a NUL byte for the end of the input and ignore the rest.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    return rapidjson::ParseResult(rapidjson::kParseErrorValueInvalid, nul);
  if (comments == JsonComments::Allowed)
    return parse_with<kJsonParseFlags | rapidjson::kParseCommentsFlag>(text, doc);
  return parse_with<kJsonParseFlags>(text, doc);
}

}  // namespace ocpp
