#pragma once
// Machine-readable events: one flat JSON object per line (`{"event":"boot",...}`),
// the simulator's contract with the tests that drive it.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simulator {

/// One event under construction: a name and ordered fields holding JSON text.
class Event {
 public:
  explicit Event(std::string name) : name_(std::move(name)) {}

  Event& add(std::string_view key, std::string_view value);
  Event& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  Event& add(std::string_view key, const std::string& value) {
    return add(key, std::string_view(value));
  }
  Event& add(std::string_view key, std::int64_t value);
  Event& add(std::string_view key, int value) { return add(key, std::int64_t{value}); }
  Event& add(std::string_view key, std::size_t value);
  Event& add(std::string_view key, double value);
  Event& add(std::string_view key, bool value);
  /// `json` must be one serialized JSON value (a payload, say); it is embedded as is.
  Event& add_raw(std::string_view key, std::string json);

  const std::string& name() const { return name_; }
  /// The JSON text of field `key`, or nullptr.
  const std::string* raw(std::string_view key) const;
  /// Field `key` when it is a JSON string, unquoted.
  std::optional<std::string> string(std::string_view key) const;
  /// `{"event":"<name>",<fields...>}` on one line.
  std::string to_json() const;

 private:
  std::string name_;
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// Where events go.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const Event& event) = 0;
};

/// Writes each event as one line and flushes at once (readers wait on it).
class StreamEventSink : public EventSink {
 public:
  explicit StreamEventSink(std::ostream& out) : out_(out) {}
  void emit(const Event& event) override;

 private:
  std::ostream& out_;
};

/// Fans events out to any number of listeners (the stdout writer, the scenario
/// runner's wait_for, tests).
class EventHub : public EventSink {
 public:
  using Listener = std::function<void(const Event&)>;
  void emit(const Event& event) override;
  /// Listeners added while an event is being delivered see the next event.
  void listen(Listener listener) { listeners_.push_back(std::move(listener)); }

 private:
  std::deque<Listener> listeners_;  // deque: adding never moves a running listener
};

/// Keeps every event (for tests and diagnostics).
class RecordingEventSink : public EventSink {
 public:
  void emit(const Event& event) override { events_.push_back(event); }
  const std::vector<Event>& events() const { return events_; }
  /// How many events are called `name`.
  std::size_t count(std::string_view name) const;
  /// The last event called `name`, or nullptr.
  const Event* last(std::string_view name) const;
  void clear() { events_.clear(); }

 private:
  std::vector<Event> events_;
};

}  // namespace simulator
