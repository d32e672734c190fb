#include "csms/event_hub.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace csms {

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::vector<LiveEvent> EventSubscription::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<LiveEvent> out(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

bool EventSubscription::overflowed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

void EventSubscription::on_ready(std::function<void()> ready) {
  std::lock_guard<std::mutex> lock(mutex_);
  ready_ = std::move(ready);
}

void EventSubscription::push(const LiveEvent& event) {
  std::function<void()> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (overflowed_) return;
    if (queue_.size() >= capacity_) {
      overflowed_ = true;
      queue_.clear();  // The reader drops the client; nothing more is worth keeping.
    } else {
      queue_.push_back(event);
      if (queue_.size() > 1) return;  // The reader was told already.
    }
    ready = ready_;
  }
  if (ready) ready();
}

std::shared_ptr<EventSubscription> EventHub::subscribe() {
  auto sub = std::make_shared<EventSubscription>(queue_capacity_);
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [](const auto& w) { return w.expired(); }),
                     subscribers_.end());
  subscribers_.push_back(sub);
  return sub;
}

void EventHub::publish(std::string_view type, std::initializer_list<EventField> fields) {
  std::vector<std::shared_ptr<EventSubscription>> targets;
  LiveEvent event;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    event.id = next_id_++;
    for (const auto& w : subscribers_)
      if (auto s = w.lock()) targets.push_back(std::move(s));
  }
  if (targets.empty()) return;
  event.type = std::string(type);
  std::string& d = event.data;
  d.push_back('{');
  bool first = true;
  for (const auto& f : fields) {
    if (!first) d.push_back(',');
    first = false;
    d += json_quote(f.key);
    d.push_back(':');
    if (auto s = std::get_if<std::string_view>(&f.value)) {
      d += json_quote(*s);
    } else if (auto i = std::get_if<std::int64_t>(&f.value)) {
      d += std::to_string(*i);
    } else if (auto r = std::get_if<double>(&f.value)) {
      if (std::isfinite(*r)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", *r);
        d += buf;
      } else {
        d += "null";
      }
    } else {
      d += std::get<bool>(f.value) ? "true" : "false";
    }
  }
  d.push_back('}');
  for (auto& s : targets) s->push(event);
}

std::size_t EventHub::subscribers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(std::count_if(subscribers_.begin(), subscribers_.end(),
                                                [](const auto& w) { return !w.expired(); }));
}

std::uint64_t EventHub::published() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return next_id_ - 1;
}

}  // namespace csms
