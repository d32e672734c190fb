// The precompiled header of the targets that include Boost.Asio/Beast (most of
// csms/src reaches it through server/context.hpp): parsing these headers is
// most of the build's time (cmake/Pch.cmake). Only third-party and standard
// headers, plus ocpp/common/json.hpp so that RapidJSON is always seen with our
// settings (json_fwd.hpp defines RAPIDJSON_ASSERT before it is included).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "ocpp/common/json.hpp"
