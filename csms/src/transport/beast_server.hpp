#pragma once
// The Boost.Beast implementation of the transport seam.

#include <memory>

#include <boost/asio/io_context.hpp>

#include "transport/transport.hpp"

namespace csms::transport {

/// A Boost.Beast WebSocket server running on `io` (the one network thread).
std::unique_ptr<Server> make_beast_server(boost::asio::io_context& io, const ServerOptions& options,
                                          Handler& handler);

}  // namespace csms::transport
