#pragma once
// Which OCPP versions the simulator can play.

#include <string>

namespace simulator {

/// A one-line description of the simulator build.
std::string describe();

}  // namespace simulator
