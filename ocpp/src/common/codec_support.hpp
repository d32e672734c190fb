#pragma once
// The building blocks the generated codecs are made of: one reader and one
// writer per schema type, each taking the schema's constraints as a small rule
// value. Readers record the first violation in the DecodeContext and return
// false; writers throw EncodeError, so encoding never emits schema-invalid JSON.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpp/common/datetime.hpp"
#include "ocpp/common/decode.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/common/raw_json.hpp"

namespace ocpp::codec {

using Value = rapidjson::Value;

/// `type: string` with maxLength (0: unbounded). Lengths count code points.
struct Str {
  std::size_t max_length;
};
/// `type: string, format: uri` with maxLength.
struct Uri {
  std::size_t max_length;
};
/// `type: integer` with optional inclusive bounds.
struct Int {
  bool has_min;
  std::int64_t min;
  bool has_max;
  std::int64_t max;
};
/// `type: number` with optional inclusive bounds and multipleOf (0: none).
struct Num {
  bool has_min;
  double min;
  bool has_max;
  double max;
  double multiple_of;
};
/// `type: array` with minItems and maxItems (0: unbounded).
struct Arr {
  std::size_t min_items;
  std::size_t max_items;
};

/// Extra members of objects whose schema allows additional properties.
using Extensions = std::map<std::string, RawJson>;

// ---- readers ---------------------------------------------------------------

bool read(const Value& v, std::string& out, DecodeContext& ctx, Str rule);
bool read(const Value& v, std::string& out, DecodeContext& ctx, Uri rule);
bool read(const Value& v, std::int64_t& out, DecodeContext& ctx, Int rule);
bool read(const Value& v, double& out, DecodeContext& ctx, Num rule);
bool read(const Value& v, bool& out, DecodeContext& ctx);
bool read(const Value& v, DateTime& out, DecodeContext& ctx);
bool read(const Value& v, RawJson& out, DecodeContext& ctx);

/// An enum: a string that the generated from_string() knows.
template <class E>
bool read_enum(const Value& v, E& out, std::string_view type_name, DecodeContext& ctx) {
  if (!v.IsString()) return ctx.fail(ErrorCode::TypeConstraintViolation, "must be a string");
  std::string_view s(v.GetString(), v.GetStringLength());
  if (from_string(s, out)) return true;
  return ctx.fail(ErrorCode::PropertyConstraintViolation,
                  quote_for_error(s) + " is not a valid " + std::string(type_name));
}

template <class T, class... Rule>
bool read(const Value& v, std::vector<T>& out, DecodeContext& ctx, Arr arr, const Rule&... rule);

/// Checks `v` is an object; when `closed` (additionalProperties: false) every
/// member must be one of `names`.
bool begin_object(const Value& v, const std::string_view* names, std::size_t count, bool closed,
                  DecodeContext& ctx);
/// Keeps the members not in `names` (for open objects such as CustomDataType).
bool read_extensions(const Value& v, const std::string_view* names, std::size_t count,
                     Extensions& out, DecodeContext& ctx);
const Value* find_member(const Value& obj, std::string_view name);

/// A required property.
template <class T, class... Rule>
bool field(const Value& obj, std::string_view name, T& out, DecodeContext& ctx,
           const Rule&... rule) {
  const Value* m = find_member(obj, name);
  ctx.enter(name);
  if (m == nullptr) return ctx.fail(ErrorCode::OccurrenceConstraintViolation, "required, missing");
  if (!read(*m, out, ctx, rule...)) return false;
  ctx.leave();
  return true;
}

/// An optional property.
template <class T, class... Rule>
bool field(const Value& obj, std::string_view name, std::optional<T>& out, DecodeContext& ctx,
           const Rule&... rule) {
  const Value* m = find_member(obj, name);
  if (m == nullptr) {
    out.reset();
    return true;
  }
  ctx.enter(name);
  if (!read(*m, out.emplace(), ctx, rule...)) return false;
  ctx.leave();
  return true;
}

bool check_array_bounds(const Value& v, Arr arr, DecodeContext& ctx);

template <class T, class... Rule>
bool read(const Value& v, std::vector<T>& out, DecodeContext& ctx, Arr arr, const Rule&... rule) {
  if (!check_array_bounds(v, arr, ctx)) return false;
  out.clear();
  out.resize(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    ctx.enter(static_cast<std::size_t>(i));
    if (!read(v[i], out[i], ctx, rule...)) return false;
    ctx.leave();
  }
  return true;
}

// ---- writers ---------------------------------------------------------------

void write(JsonWriter& w, const std::string& v, Str rule);
void write(JsonWriter& w, const std::string& v, Uri rule);
void write(JsonWriter& w, std::int64_t v, Int rule);
void write(JsonWriter& w, double v, Num rule);
void write(JsonWriter& w, bool v);
void write(JsonWriter& w, const DateTime& v);
void write(JsonWriter& w, const RawJson& v);
void write_string(JsonWriter& w, std::string_view s);

template <class E>
void write_enum(JsonWriter& w, E v, std::string_view type_name) {
  std::string_view s = to_string(v);
  if (s.empty()) throw EncodeError("", "not a valid " + std::string(type_name));
  write_string(w, s);
}
void write_extensions(JsonWriter& w, const Extensions& ext);
void check_array_bounds(std::size_t size, Arr arr);

template <class T, class... Rule>
void write(JsonWriter& w, const std::vector<T>& v, Arr arr, const Rule&... rule) {
  check_array_bounds(v.size(), arr);
  w.StartArray();
  for (std::size_t i = 0; i < v.size(); ++i) {
    try {
      write(w, v[i], rule...);
    } catch (const EncodeError& e) {
      e.rethrow_within(i);
    }
  }
  w.EndArray();
}

template <class T, class... Rule>
void put(JsonWriter& w, std::string_view name, const T& v, const Rule&... rule) {
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  try {
    write(w, v, rule...);
  } catch (const EncodeError& e) {
    e.rethrow_within(name);
  }
}

template <class T, class... Rule>
void put(JsonWriter& w, std::string_view name, const std::optional<T>& v, const Rule&... rule) {
  if (v) put(w, name, *v, rule...);
}

/// Serializes one message with `write` into a string.
template <class T>
std::string to_json_text(const T& v) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write(w, v);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace ocpp::codec
