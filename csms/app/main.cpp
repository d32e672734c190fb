// csms: the central system. The server itself arrives with the OCPP 1.6J issue;
// this build only ships the protocol library, so the executable says so plainly.
#include <cstring>
#include <iostream>

#include "csms/version.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "csms " << csms::kVersion << "\n";
      return 0;
    }
  }
  std::cerr << "csms " << csms::kVersion << "\n"
            << "csms: the WebSocket server is not implemented yet (it comes with the OCPP 1.6J\n"
               "issue); this build provides the OCPP protocol library and its tests.\n";
  return 2;
}
