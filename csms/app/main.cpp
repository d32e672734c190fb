// csms: the central system. The server itself arrives with the OCPP 1.6J issue;
// this build only ships the protocol library, so the executable says so plainly.
#include <cstring>
#include <iostream>

#include "csms/build_info.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << csms::build_info() << "\n";
      return 0;
    }
  }
  std::cerr << csms::build_info() << "\n"
            << "csms: the WebSocket server is not implemented yet (it comes with the OCPP 1.6J\n"
               "issue); this build provides the OCPP protocol library and its tests.\n";
  return 2;
}
