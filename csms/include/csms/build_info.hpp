#pragma once
// Version and build facts shared by the executables.

#include <string>

namespace csms {

/// "csms 0.1.0 (OCPP 1.6: 39 actions, OCPP 2.0.1: 64 actions)".
std::string build_info();

}  // namespace csms
