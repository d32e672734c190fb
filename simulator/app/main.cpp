// ocpp-sim: the charge-point simulator (station behaviour comes with the 1.6J issue).
#include <iostream>

#include "simulator/version.hpp"

int main() {
  std::cerr << simulator::describe() << "\n";
  return 2;
}
