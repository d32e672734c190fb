// The precompiled header of the test binaries: core.hpp plus Catch2's single
// header (cmake/Pch.cmake).
#pragma once

#include "core.hpp"

#include <catch2/catch.hpp>
