// Which role an operator command needs (commands.hpp): the fail-safe list of
// security commands and the security settings reachable through generic ones.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "csms/commands.hpp"
#include "ocpp/common/json.hpp"

namespace csms {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// 1.6 configuration keys of the security whitepaper: the station's password,
// its security profile and its certificate handling.
bool is_security_config_key(std::string_view key) {
  static const std::array<std::string_view, 6> keys = {"authorizationkey",
                                                       "securityprofile",
                                                       "cponame",
                                                       "additionalrootcertificatecheck",
                                                       "certificatesignedmaxchainsize",
                                                       "certificatestoremaxlength"};
  const std::string k = lower(key.substr(0, key.find('=')));
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// 2.0.1 variables given as "Component[.Variable]=value" words: the security
// controller (password, profile, organisation) and the network profiles that
// decide how (and how securely) the station connects.
bool is_security_variable_word(std::string_view word) {
  const std::string w = lower(word);
  return w.find("securityctrlr") != std::string::npos ||
         w.find("networkconfigurationpriority") != std::string::npos ||
         w.find("networkconnectionprofiles") != std::string::npos;
}

template <class Check>
bool any_string(const rapidjson::Value& v, Check check) {
  if (v.IsString()) return check(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsArray()) {
    for (const auto& item : v.GetArray())
      if (any_string(item, check)) return true;
  }
  return false;
}

}  // namespace

Role default_command_role(const std::string& name) {
  static const std::array<std::string_view, 10> admin = {
      "rotate-password",      "upgrade-security", "revoke-certificate", "security-profile",
      "set-security-profile", "network-profile",  "cert-install",       "cert-delete",
      "cert-signed",          "sign-certificate"};
  return std::find(admin.begin(), admin.end(), name) != admin.end() ? Role::Admin : Role::Operator;
}

Role command_params_role(const std::string& name, const std::string& params_json) {
  if (name != "set-config" && name != "set-variables") return Role::Viewer;
  rapidjson::Document doc;
  // Unparsable parameters are refused by the command itself; be strict anyway.
  if (ocpp::parse_json(params_json, doc).IsError() || !doc.IsObject()) return Role::Admin;
  if (name == "set-config") {
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      if (any_string(it->value, is_security_config_key)) return Role::Admin;
    }
    return Role::Viewer;
  }
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    if (any_string(it->value, is_security_variable_word)) return Role::Admin;
  }
  return Role::Viewer;
}

}  // namespace csms
