#pragma once
// A plain TCP connection for tests that speak bytes, not WebSocket frames
// (half-sent requests, idle sockets, hand-written HTTP).

#include <chrono>
#include <cstdint>
#include <string>

namespace e2e {

/// A TCP connection to 127.0.0.1:port with bounded reads (the test fails if
/// it cannot connect).
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  /// Sends all of `text`; false if the peer is gone.
  bool send(const std::string& text);
  /// Reads until `until` appears in what was read, the peer closes, or the
  /// timeout passes; returns everything read so far.
  std::string read(std::chrono::milliseconds timeout, const std::string& until = "");
  /// The peer closed the connection (seen by read()).
  bool closed() const { return closed_; }

 private:
  int fd_;
  std::string got_;
  bool closed_ = false;
};

}  // namespace e2e
