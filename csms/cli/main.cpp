// csmsctl: the admin CLI. It is a client of the admin API, which arrives with the
// server; until then it only reports its version.
#include <iostream>

#include "csms/version.hpp"

int main() {
  std::cerr << "csms " << csms::kVersion << "\n"
            << "csmsctl: the admin API it talks to is not implemented yet.\n";
  return 2;
}
