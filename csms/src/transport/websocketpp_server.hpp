#pragma once
// The websocketpp implementation of the transport seam.

#include <memory>

#include <boost/asio/io_context.hpp>

#include "transport/transport.hpp"

namespace csms::transport {

/// A websocketpp (0.8, Boost.Asio) server running on `io`.
std::unique_ptr<Server> make_websocketpp_server(boost::asio::io_context& io,
                                                const ServerOptions& options, Handler& handler);

}  // namespace csms::transport
