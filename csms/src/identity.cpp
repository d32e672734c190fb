#include "csms/identity.hpp"

namespace csms {

std::string check_identity(std::string_view id) {
  if (id.empty()) return "a station id must not be empty";
  if (id.size() > 48) return "a station id is at most 48 characters";
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("*-_=+|@.").find(c) != std::string_view::npos;
    if (!ok)
      return std::string("a station id may hold letters, digits and * - _ = + | @ . only, not '") +
             (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f ? std::string(1, c)
                                                                 : std::string("\\x..")) +
             "'";
  }
  return "";
}

}  // namespace csms
