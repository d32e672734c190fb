#pragma once
// Whole-string number parsing with bounds, for the command-line readers.

#include <charconv>
#include <cmath>
#include <exception>
#include <string>

namespace simulator {

/// `text` as an int in [min, max], all of it; false (out untouched) otherwise.
inline bool to_int(const std::string& text, int min, int max, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return false;
  out = v;
  return true;
}

/// `text` as a finite double in [min, max], all of it; false otherwise.
inline bool to_double(const std::string& text, double min, double max, double& out) {
  try {
    std::size_t used = 0;
    double v = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(v) || v < min || v > max) return false;
    out = v;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace simulator
