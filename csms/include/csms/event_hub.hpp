#pragma once
// Live events for the console (GET /api/stream): what changed, as small JSON
// objects, fanned out to subscribers with a bounded queue each. No Boost here:
// services publish, the admin server's stream writer consumes.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace csms {

/// One event: a sequence number, a type ("station", "connector", ...) and a JSON object.
struct LiveEvent {
  std::uint64_t id = 0;
  std::string type;
  std::string data;  ///< A JSON object.
};

/// One field of an event's JSON object: a string, an integer, a number or a flag.
struct EventField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;
};

/// A subscriber's queue. When it would hold more than its capacity it is marked
/// overflowed and takes no more: its reader drops the client, which reconnects
/// and reloads, instead of the server buffering without bound for a slow reader.
class EventSubscription {
 public:
  explicit EventSubscription(std::size_t capacity) : capacity_(capacity) {}
  /// Removes and returns the queued events, oldest first.
  std::vector<LiveEvent> take();
  bool overflowed() const;
  /// Called after an event is queued into an empty queue (on the publisher's
  /// thread); the reader should then take(). Set before events can arrive.
  void on_ready(std::function<void()> ready);

 private:
  friend class EventHub;
  void push(const LiveEvent& event);

  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::deque<LiveEvent> queue_;
  bool overflowed_ = false;
  std::function<void()> ready_;
};

/// Fans events out to subscribers. Thread-safe; cheap when nobody listens.
class EventHub {
 public:
  explicit EventHub(std::size_t queue_capacity = 1024) : queue_capacity_(queue_capacity) {}
  /// A new subscriber, which gets the events published from now on. Dropping
  /// the returned pointer unsubscribes.
  std::shared_ptr<EventSubscription> subscribe();
  /// Sends `{fields...}` as an event of `type` to every subscriber.
  void publish(std::string_view type, std::initializer_list<EventField> fields);
  /// Subscribers still listening.
  std::size_t subscribers() const;
  std::uint64_t published() const;

 private:
  mutable std::mutex mutex_;
  std::size_t queue_capacity_;
  std::uint64_t next_id_ = 1;
  std::vector<std::weak_ptr<EventSubscription>> subscribers_;
};

/// `text` as a JSON string literal (quotes included, control characters escaped).
std::string json_quote(std::string_view text);

}  // namespace csms
