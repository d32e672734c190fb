// The precompiled header of the test binaries without Boost (ocpp, storage):
// Catch2's single header and RapidJSON with our settings (cmake/Pch.cmake).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "ocpp/common/json.hpp"
