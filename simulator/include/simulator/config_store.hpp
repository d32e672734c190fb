#pragma once
// A charger's configuration keys: string values with write rules, checked the
// way a charger checks a CSMS's change request.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simulator {

/// The outcome of a change request (OCPP's ConfigurationStatus, version-neutral).
enum class ConfigResult { Accepted, Rejected, RebootRequired, NotSupported };

/// What a key's value must look like.
enum class ValueKind { Text, Integer, Boolean, List };

/// One key: its value, rules and whether the CSMS may change it.
struct ConfigKey {
  std::string name;
  std::string value;
  bool readonly = false;
  ValueKind kind = ValueKind::Text;
  std::int64_t min = 0;  ///< Integer bounds.
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  /// List: the items a value may contain; Text: the values allowed (empty: any).
  std::vector<std::string> allowed;
  bool reboot_required = false;  ///< Accepted changes answer RebootRequired.
};

/// Configuration keys in definition order. Key names match case-insensitively
/// (OCPP's CiString).
class ConfigStore {
 public:
  /// Adds (or replaces) a key; its initial value is not checked.
  void define(ConfigKey key);
  /// A CSMS change: unknown → NotSupported, readonly or invalid value → Rejected,
  /// else stored (normalized: booleans lower-case) and Accepted/RebootRequired.
  ConfigResult set(std::string_view name, std::string_view value);
  /// A local change (command line, the station itself): ignores readonly, still
  /// validated. False (and no change) when unknown or invalid.
  bool force(std::string_view name, std::string_view value);

  const ConfigKey* find(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  std::int64_t get_int(std::string_view name, std::int64_t fallback) const;
  bool get_bool(std::string_view name, bool fallback) const;
  /// A comma-separated list split and trimmed; empty items dropped.
  std::vector<std::string> get_list(std::string_view name) const;
  const std::vector<ConfigKey>& keys() const { return keys_; }

  /// Whether `value` is acceptable for `key`; writes the normalized form.
  static bool validate(const ConfigKey& key, std::string_view value, std::string& normalized);

 private:
  ConfigKey* find_mutable(std::string_view name);
  std::vector<ConfigKey> keys_;
};

/// ASCII case-insensitive equality (OCPP's CiString comparisons).
bool iequals(std::string_view a, std::string_view b);

/// Splits "a, b ,c" into {"a","b","c"}.
std::vector<std::string> split_list(std::string_view text);

}  // namespace simulator
