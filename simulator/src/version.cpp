#include "simulator/version.hpp"

namespace simulator {

std::string describe() {
  return "ocpp-sim 0.1.0: station behaviour arrives with the OCPP 1.6J issue";
}

}  // namespace simulator
