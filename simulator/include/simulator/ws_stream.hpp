#pragma once
// A WebSocket over plain TCP or over TLS, chosen per connection at run time
// (ws:// or wss://), for the station link and the fleet.

#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace simulator {

/// One WebSocket stream over `Next` (a socket or tcp_stream), with TLS when
/// constructed with a context. Exactly one of `plain` and `secure` is set.
template <class Next>
struct WsStream {
  /// `tls` must outlive the stream.
  WsStream(boost::asio::io_context& io, boost::asio::ssl::context* tls) {
    if (tls) {
      secure.emplace(io, *tls);
    } else {
      plain.emplace(io);
    }
  }
  /// Keeps `tls` alive as long as the stream.
  WsStream(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls)
      : WsStream(io, tls.get()) {
    context = std::move(tls);
  }
  /// Runs `f` on whichever WebSocket stream this connection has.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    if (secure) return std::forward<F>(f)(*secure);
    return std::forward<F>(f)(*plain);
  }
  /// The TCP layer under it all.
  Next& lowest() {
    return with_ws([](auto& ws) -> Next& { return boost::beast::get_lowest_layer(ws); });
  }
  std::shared_ptr<boost::asio::ssl::context> context;  ///< Declared first: outlives `secure`.
  std::optional<boost::beast::websocket::stream<Next>> plain;
  std::optional<boost::beast::websocket::stream<boost::beast::ssl_stream<Next>>> secure;
};

}  // namespace simulator
