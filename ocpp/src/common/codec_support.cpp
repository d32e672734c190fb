#include "common/codec_support.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

#include "ocpp/common/utf8.hpp"

namespace ocpp::codec {

namespace {

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// RFC 3986 URI: a scheme, ':', then only characters a URI may hold, with
// percent signs followed by two hex digits.
bool is_uri(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (std::size_t i = 1; i < colon; ++i)
    if (!is_scheme_char(s[i])) return false;
  static constexpr std::string_view kAllowed =
      "-._~:/?#[]@!$&'()*+,;=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (kAllowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string fmt_number(double v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  if (!w.Double(v)) return "non-finite";
  return buf.GetString();
}

bool is_multiple(double v, double m) {
  // Same tolerance as ocpp-rpc's validator: decimals like 0.1 are not exact.
  double q = v / m;
  return std::fabs(std::round(q) - q) < 1e-6;
}

std::string length_problem(std::size_t max) {
  return "longer than " + std::to_string(max) + " characters";
}

}  // namespace

const Value* find_member(const Value& obj, std::string_view name) {
  auto it = obj.FindMember(
      Value(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

bool begin_object(const Value& v, const std::string_view* names, std::size_t count, bool closed,
                  DecodeContext& ctx) {
  if (!v.IsObject()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be an object");
  if (!closed) return true;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    bool known = false;
    for (std::size_t i = 0; i < count && !known; ++i) known = names[i] == key;
    if (!known)
      return ctx.fail(ErrorCode::FormatViolation,
                      "unknown property " + quote_for_error(key) + " (not in the schema)");
  }
  return true;
}

bool read_extensions(const Value& v, const std::string_view* names, std::size_t count,
                     Extensions& out, DecodeContext& ctx) {
  out.clear();
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    bool known = false;
    for (std::size_t i = 0; i < count && !known; ++i) known = names[i] == key;
    if (known) continue;
    if (!read(it->value, out[key], ctx)) return false;
  }
  return true;
}

bool check_array_bounds(const Value& v, Arr arr, DecodeContext& ctx) {
  if (!v.IsArray()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be an array");
  std::size_t n = v.Size();
  if (n < arr.min_items)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    "has " + std::to_string(n) + " items, at least " +
                        std::to_string(arr.min_items) + " required");
  if (arr.max_items != 0 && n > arr.max_items)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    "has " + std::to_string(n) + " items, at most " +
                        std::to_string(arr.max_items) + " allowed");
  return true;
}

bool read(const Value& v, std::string& out, DecodeContext& ctx, Str rule) {
  if (!v.IsString()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be a string");
  out.assign(v.GetString(), v.GetStringLength());
  if (rule.max_length != 0 && utf8_length(out) > rule.max_length)
    return ctx.fail(ErrorCode::PropertyConstraintViolation, length_problem(rule.max_length));
  return true;
}

bool read(const Value& v, std::string& out, DecodeContext& ctx, Uri rule) {
  if (!read(v, out, ctx, Str{rule.max_length})) return false;
  if (!is_uri(out)) return ctx.fail(ErrorCode::FormatViolation, "not a URI (RFC 3986)");
  return true;
}

bool read(const Value& v, std::int64_t& out, DecodeContext& ctx, Int rule) {
  if (v.IsInt64()) {
    out = v.GetInt64();
  } else if (!v.IsNumber()) {
    return ctx.fail(ErrorCode::TypeConstraintViolation, "must be an integer");
  } else if (v.IsUint64()) {
    return ctx.fail(ErrorCode::PropertyConstraintViolation, "integer out of range");
  } else {
    // A double: JSON Schema counts 2.0 as an integer, 2.5 not.
    double d = v.GetDouble();
    if (std::floor(d) != d)
      return ctx.fail(ErrorCode::PropertyConstraintViolation, fmt_number(d) + " is not an integer");
    if (d < -9.2e18 || d > 9.2e18)
      return ctx.fail(ErrorCode::PropertyConstraintViolation, "integer out of range");
    out = static_cast<std::int64_t>(d);
  }
  // OCPP's integer is 32-bit in both versions (1.6 and 2.0.1 Part 2, primitive
  // datatypes): a larger one is refused, never truncated by whoever stores it.
  if (out < std::numeric_limits<std::int32_t>::min() ||
      out > std::numeric_limits<std::int32_t>::max())
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    std::to_string(out) + " is out of range (OCPP integers are 32-bit)");
  if (rule.has_min && out < rule.min)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    std::to_string(out) + " is below the minimum " + std::to_string(rule.min));
  if (rule.has_max && out > rule.max)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    std::to_string(out) + " is above the maximum " + std::to_string(rule.max));
  return true;
}

bool read(const Value& v, double& out, DecodeContext& ctx, Num rule) {
  if (!v.IsNumber()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be a number");
  out = v.GetDouble();
  if (rule.has_min && out < rule.min)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    fmt_number(out) + " is below the minimum " + fmt_number(rule.min));
  if (rule.has_max && out > rule.max)
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    fmt_number(out) + " is above the maximum " + fmt_number(rule.max));
  if (rule.multiple_of != 0 && !is_multiple(out, rule.multiple_of))
    return ctx.fail(ErrorCode::PropertyConstraintViolation,
                    fmt_number(out) + " is not a multiple of " + fmt_number(rule.multiple_of));
  return true;
}

bool read(const Value& v, bool& out, DecodeContext& ctx) {
  if (!v.IsBool()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be a boolean");
  out = v.GetBool();
  return true;
}

bool read(const Value& v, DateTime& out, DecodeContext& ctx) {
  if (!v.IsString()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be a string");
  auto parsed = DateTime::parse(std::string_view(v.GetString(), v.GetStringLength()));
  if (!parsed) return ctx.fail(ErrorCode::FormatViolation, "not an RFC 3339 date-time");
  out = *parsed;
  return true;
}

bool read(const Value& v, RawJson& out, DecodeContext& ctx) {
  std::string text = to_compact_json(v);
  if (text.empty()) return ctx.fail(ErrorCode::FormatViolation, "not representable as JSON");
  out.text = std::move(text);
  return true;
}

// ---- writers ---------------------------------------------------------------

void write(JsonWriter& w, const std::string& v, Str rule) {
  if (rule.max_length != 0 && utf8_length(v) > rule.max_length)
    throw EncodeError("", length_problem(rule.max_length));
  if (!w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())))
    throw EncodeError("", "not valid UTF-8");
}

void write(JsonWriter& w, const std::string& v, Uri rule) {
  if (!is_uri(v)) throw EncodeError("", "not a URI (RFC 3986)");
  write(w, v, Str{rule.max_length});
}

void write(JsonWriter& w, std::int64_t v, Int rule) {
  if (rule.has_min && v < rule.min)
    throw EncodeError("", std::to_string(v) + " is below the minimum " + std::to_string(rule.min));
  if (rule.has_max && v > rule.max)
    throw EncodeError("", std::to_string(v) + " is above the maximum " + std::to_string(rule.max));
  w.Int64(v);
}

void write(JsonWriter& w, double v, Num rule) {
  if (!std::isfinite(v)) throw EncodeError("", "not a finite number");
  if (rule.has_min && v < rule.min)
    throw EncodeError("", fmt_number(v) + " is below the minimum " + fmt_number(rule.min));
  if (rule.has_max && v > rule.max)
    throw EncodeError("", fmt_number(v) + " is above the maximum " + fmt_number(rule.max));
  if (rule.multiple_of != 0 && !is_multiple(v, rule.multiple_of))
    throw EncodeError("", fmt_number(v) + " is not a multiple of " + fmt_number(rule.multiple_of));
  w.Double(v);
}

void write(JsonWriter& w, bool v) {
  w.Bool(v);
}

void write(JsonWriter& w, const DateTime& v) {
  std::string s = v.to_string();
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write(JsonWriter& w, const RawJson& v) {
  // Re-parse so a caller's malformed text can never reach the wire.
  rapidjson::Document doc;
  if (parse_json(v.text, doc).IsError()) throw EncodeError("", "RawJson does not hold valid JSON");
  doc.Accept(w);
}

void write_string(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_extensions(JsonWriter& w, const Extensions& ext) {
  for (const auto& [key, value] : ext) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    try {
      write(w, value);
    } catch (const EncodeError& e) {
      e.rethrow_within(key);
    }
  }
}

void check_array_bounds(std::size_t size, Arr arr) {
  if (size < arr.min_items)
    throw EncodeError("", "has " + std::to_string(size) + " items, at least " +
                              std::to_string(arr.min_items) + " required");
  if (arr.max_items != 0 && size > arr.max_items)
    throw EncodeError("", "has " + std::to_string(size) + " items, at most " +
                              std::to_string(arr.max_items) + " allowed");
}

}  // namespace ocpp::codec
