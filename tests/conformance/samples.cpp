#include "conformance/samples.hpp"

namespace conformance {

std::string sample_string(std::size_t max_length, bool full) {
  if (!full) return "a";
  std::size_t n = max_length == 0 ? 24 : max_length;
  // "é" is two bytes but one character: a byte-counting check would reject it.
  std::string s = n >= 2 ? "\xc3\xa9" : "";
  while (s.size() < n + (n >= 2 ? 1 : 0)) s += static_cast<char>('a' + s.size() % 26);
  return s;
}

std::string sample_uri(std::size_t max_length, bool full) {
  std::string s = "https://example.com/f";
  if (!full) return s;
  std::size_t n = max_length == 0 ? 64 : max_length;
  while (s.size() < n) s += 'x';
  s.resize(n);
  return s;
}

ocpp::DateTime sample_datetime(bool full) {
  // 2026-01-02T03:04:05.678Z, and a whole second for the minimal variant.
  return ocpp::DateTime::from_unix_micros(full ? 1767323045678000 : 1767323045000000);
}

ocpp::RawJson sample_raw() {
  return ocpp::RawJson{R"({"a":[1,"b",null,2.5],"c":{"d":true}})"};
}

}  // namespace conformance
