#pragma once
// The Boost.Beast implementation of the transport seam.

#include <memory>

#include <boost/asio/io_context.hpp>

#include "transport/io_pool.hpp"
#include "transport/transport.hpp"

namespace csms::transport {

/// A Boost.Beast WebSocket server: it accepts on `io` and calls `handler` there
/// (the service thread); each connection's own work (TLS, framing, sending,
/// Handler::prepare) runs on one of `pool`'s threads, or on `io` when `pool` is
/// null or empty.
std::unique_ptr<Server> make_beast_server(boost::asio::io_context& io, const ServerOptions& options,
                                          Handler& handler, IoPool* pool = nullptr);

}  // namespace csms::transport
