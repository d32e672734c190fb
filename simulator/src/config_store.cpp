#include "simulator/config_store.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace simulator {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool ConfigStore::validate(const ConfigKey& key, std::string_view value, std::string& normalized) {
  switch (key.kind) {
    case ValueKind::Integer: {
      auto v = parse_int(value);
      if (!v || *v < key.min || *v > key.max) return false;
      normalized = std::to_string(*v);
      return true;
    }
    case ValueKind::Boolean: {
      auto v = trim(value);
      if (iequals(v, "true")) {
        normalized = "true";
      } else if (iequals(v, "false")) {
        normalized = "false";
      } else {
        return false;
      }
      return true;
    }
    case ValueKind::List: {
      auto items = split_list(value);
      normalized.clear();
      for (const auto& item : items) {
        if (!key.allowed.empty() &&
            std::find(key.allowed.begin(), key.allowed.end(), item) == key.allowed.end()) {
          return false;
        }
        if (!normalized.empty()) normalized += ',';
        normalized += item;
      }
      return true;
    }
    case ValueKind::Text:
      if (!key.allowed.empty() &&
          std::find(key.allowed.begin(), key.allowed.end(), value) == key.allowed.end()) {
        return false;
      }
      normalized = std::string(value);
      return true;
  }
  return false;
}

void ConfigStore::define(ConfigKey key) {
  if (ConfigKey* existing = find_mutable(key.name)) {
    *existing = std::move(key);
  } else {
    keys_.push_back(std::move(key));
  }
}

ConfigResult ConfigStore::set(std::string_view name, std::string_view value) {
  ConfigKey* key = find_mutable(name);
  if (key == nullptr) return ConfigResult::NotSupported;
  if (key->readonly) return ConfigResult::Rejected;
  std::string normalized;
  if (!validate(*key, value, normalized)) return ConfigResult::Rejected;
  key->value = std::move(normalized);
  return key->reboot_required ? ConfigResult::RebootRequired : ConfigResult::Accepted;
}

bool ConfigStore::force(std::string_view name, std::string_view value) {
  ConfigKey* key = find_mutable(name);
  std::string normalized;
  if (key == nullptr || !validate(*key, value, normalized)) return false;
  key->value = std::move(normalized);
  return true;
}

ConfigKey* ConfigStore::find_mutable(std::string_view name) {
  for (auto& key : keys_) {
    if (iequals(key.name, name)) return &key;
  }
  return nullptr;
}

const ConfigKey* ConfigStore::find(std::string_view name) const {
  return const_cast<ConfigStore*>(this)->find_mutable(name);
}

std::optional<std::string> ConfigStore::get(std::string_view name) const {
  const ConfigKey* key = find(name);
  if (key == nullptr) return std::nullopt;
  return key->value;
}

std::int64_t ConfigStore::get_int(std::string_view name, std::int64_t fallback) const {
  const ConfigKey* key = find(name);
  if (key == nullptr) return fallback;
  return parse_int(key->value).value_or(fallback);
}

bool ConfigStore::get_bool(std::string_view name, bool fallback) const {
  const ConfigKey* key = find(name);
  if (key == nullptr) return fallback;
  if (iequals(trim(key->value), "true")) return true;
  if (iequals(trim(key->value), "false")) return false;
  return fallback;
}

std::vector<std::string> ConfigStore::get_list(std::string_view name) const {
  const ConfigKey* key = find(name);
  if (key == nullptr) return {};
  return split_list(key->value);
}

}  // namespace simulator
