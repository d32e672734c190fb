#pragma once
// A JSON value kept as serialized text, for schema fields of any type.

#include <string>

namespace ocpp {

/// Serialized JSON for values the schemas leave untyped (2.0.1 DataTransfer
/// `data`, CustomData extensions). Always holds one valid JSON value.
struct RawJson {
  std::string text{"null"};
  friend bool operator==(const RawJson& a, const RawJson& b) { return a.text == b.text; }
  friend bool operator!=(const RawJson& a, const RawJson& b) { return !(a == b); }
};

}  // namespace ocpp
