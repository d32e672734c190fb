#include "simulator/events.hpp"

#include <cmath>

#include "ocpp/common/json.hpp"

namespace simulator {
namespace {

std::string quote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  // Not ocpp::JsonWriter: its encoding validation would reject a peer's invalid
  // UTF-8 in an error message; we want to print that escaped, not throw.
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return buffer.GetString();
}

}  // namespace

Event& Event::add(std::string_view key, std::string_view value) {
  fields_.emplace_back(std::string(key), quote(value));
  return *this;
}

Event& Event::add(std::string_view key, std::int64_t value) {
  fields_.emplace_back(std::string(key), std::to_string(value));
  return *this;
}

Event& Event::add(std::string_view key, std::size_t value) {
  fields_.emplace_back(std::string(key), std::to_string(value));
  return *this;
}

Event& Event::add(std::string_view key, double value) {
  if (!std::isfinite(value)) return add_raw(key, "null");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.Double(value);
  fields_.emplace_back(std::string(key), buffer.GetString());
  return *this;
}

Event& Event::add(std::string_view key, bool value) {
  fields_.emplace_back(std::string(key), value ? "true" : "false");
  return *this;
}

Event& Event::add_raw(std::string_view key, std::string json) {
  fields_.emplace_back(std::string(key), std::move(json));
  return *this;
}

const std::string* Event::raw(std::string_view key) const {
  for (const auto& [k, v] : fields_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::string> Event::string(std::string_view key) const {
  const std::string* json = raw(key);
  if (json == nullptr) return std::nullopt;
  rapidjson::Document doc;
  if (ocpp::parse_json(*json, doc).IsError() || !doc.IsString()) return std::nullopt;
  return std::string(doc.GetString(), doc.GetStringLength());
}

std::string Event::to_json() const {
  std::string out = "{\"event\":" + quote(name_);
  for (const auto& [k, v] : fields_) {
    out += ',';
    out += quote(k);
    out += ':';
    out += v;
  }
  out += '}';
  return out;
}

void StreamEventSink::emit(const Event& event) {
  std::string line = event.to_json();
  line += '\n';
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

void EventHub::emit(const Event& event) {
  // Index loop over a size taken first: a listener may add listeners meanwhile.
  const std::size_t n = listeners_.size();
  for (std::size_t i = 0; i < n; ++i) listeners_[i](event);
}

std::size_t RecordingEventSink::count(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& e : events_) n += e.name() == name ? 1 : 0;
  return n;
}

const Event* RecordingEventSink::last(std::string_view name) const {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if (it->name() == name) return &*it;
  }
  return nullptr;
}

}  // namespace simulator
