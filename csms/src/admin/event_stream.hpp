#pragma once
// Writes a subscription's events to an HTTP client as server-sent events
// (text/event-stream), for any Asio stream (plain TCP or TLS): the transport
// hands over its stream once GET /api/stream is authorized. The network thread
// never waits: events queue in the subscription (bounded) and go out one write
// at a time; a client that reads too slowly overflows its queue and is dropped.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "csms/event_hub.hpp"
#include "csms/version.hpp"

namespace csms::admin {

/// A comment line goes out after this long without events, so a dead client is
/// noticed and proxies keep the connection.
constexpr std::chrono::seconds kStreamKeepAlive{15};

/// The response head of an event stream. The body ends when the connection
/// does (no length, no chunking), so it works the same for HTTP/1.0 clients.
inline std::string event_stream_head() {
  return std::string("HTTP/1.1 200 OK\r\n") + "Server: csms/" + kVersion +
         "\r\n"
         "Content-Type: text/event-stream; charset=utf-8\r\n"
         "Cache-Control: no-store\r\n"
         "X-Accel-Buffering: no\r\n"
         "Connection: close\r\n\r\n"
         "retry: 2000\n: connected\n\n";
}

/// `event` in the text/event-stream format (its data is one line of JSON).
inline std::string event_stream_frame(const LiveEvent& event) {
  return "id: " + std::to_string(event.id) + "\nevent: " + event.type + "\ndata: " + event.data +
         "\n\n";
}

/// Pumps one subscription into one stream. `Stream` must outlive it: `owner`
/// (the connection) is held until the stream ends, then `finish` closes it.
template <class Stream>
class EventStreamWriter : public std::enable_shared_from_this<EventStreamWriter<Stream>> {
 public:
  EventStreamWriter(Stream& stream, std::shared_ptr<EventSubscription> subscription,
                    std::shared_ptr<void> owner, std::function<void()> finish)
      : stream_(stream),
        subscription_(std::move(subscription)),
        owner_(std::move(owner)),
        finish_(std::move(finish)),
        timer_(stream.get_executor()) {}

  void start() {
    auto self = this->shared_from_this();
    std::weak_ptr<EventStreamWriter> weak = self;
    auto executor = stream_.get_executor();
    // Publishers may be on any thread: the writer runs on the stream's.
    subscription_->on_ready([weak, executor] {
      boost::asio::post(executor, [weak] {
        if (auto w = weak.lock()) w->pump();
      });
    });
    pending_ = event_stream_head();
    write_pending();
    watch_reads();
    arm_keep_alive();
  }

 private:
  void pump() {
    if (done_ || writing_) return;
    if (subscription_->overflowed()) return end();
    for (const auto& e : subscription_->take()) pending_ += event_stream_frame(e);
    if (!pending_.empty()) write_pending();
  }

  void write_pending() {
    writing_ = true;
    sending_ = std::move(pending_);
    pending_.clear();
    boost::asio::async_write(stream_, boost::asio::buffer(sending_),
                             [self = this->shared_from_this()](auto ec, std::size_t) {
                               self->writing_ = false;
                               if (ec) return self->end();
                               self->pump();
                             });
  }

  // The client sends nothing after its request: a read completes only when it
  // goes away (or misbehaves), and then the stream ends.
  void watch_reads() {
    stream_.async_read_some(boost::asio::buffer(scratch_),
                            [self = this->shared_from_this()](auto ec, std::size_t) {
                              if (ec || self->done_) return self->end();
                              self->watch_reads();
                            });
  }

  void arm_keep_alive() {
    timer_.expires_after(kStreamKeepAlive);
    timer_.async_wait([self = this->shared_from_this()](auto ec) {
      if (ec || self->done_) return;
      if (!self->writing_ && self->pending_.empty()) {
        self->pending_ = ": keep-alive\n\n";
        self->write_pending();
      }
      self->arm_keep_alive();
    });
  }

  void end() {
    if (done_) return;
    done_ = true;
    subscription_->on_ready(nullptr);
    subscription_.reset();
    timer_.cancel();
    auto finish = std::move(finish_);
    if (finish) finish();  // Closes the stream: the pending read and write complete.
    // owner_ goes with the last handler holding this writer.
  }

  Stream& stream_;
  std::shared_ptr<EventSubscription> subscription_;
  std::shared_ptr<void> owner_;
  std::function<void()> finish_;
  boost::asio::steady_timer timer_;
  std::string pending_;
  std::string sending_;
  char scratch_[512];
  bool writing_ = false;
  bool done_ = false;
};

/// Starts streaming `subscription` to `stream` (see EventStreamWriter).
template <class Stream>
void start_event_stream(Stream& stream, std::shared_ptr<EventSubscription> subscription,
                        std::shared_ptr<void> owner, std::function<void()> finish) {
  std::make_shared<EventStreamWriter<Stream>>(stream, std::move(subscription), std::move(owner),
                                              std::move(finish))
      ->start();
}

}  // namespace csms::admin
