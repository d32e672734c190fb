#pragma once
// Whole-string number parsing with bounds, and option splitting, for the
// command-line readers.

#include <charconv>
#include <cmath>
#include <exception>
#include <optional>
#include <string>
#include <vector>

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

/// One command-line argument: `--name=value` split at the '=', else the whole
/// argument as the name with no value yet.
struct ArgOption {
  std::string name;
  std::optional<std::string> value;
};

inline ArgOption split_option(const std::string& arg) {
  if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
    return {arg.substr(0, eq), arg.substr(eq + 1)};
  }
  return {arg, std::nullopt};
}

/// Gives `option` the next argument as its value (advancing `i`) unless it had
/// one after '='; false when the command line ends first.
inline bool take_value(ArgOption& option, const std::vector<std::string>& args, std::size_t& i) {
  if (option.value) return true;
  if (i + 1 >= args.size()) return false;
  option.value = args[++i];
  return true;
}

}  // namespace simulator
