#include "rpc/secrets.hpp"

#include "ocpp/common/json.hpp"

namespace csms {

namespace {

bool string_is(const rapidjson::Value& obj, const char* name, std::string_view want) {
  if (!obj.IsObject()) return false;
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() &&
         std::string_view(it->value.GetString(), it->value.GetStringLength()) == want;
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

void mask(rapidjson::Value& v, rapidjson::Document::AllocatorType& a) {
  v.SetString(kRedacted.data(), static_cast<rapidjson::SizeType>(kRedacted.size()), a);
}

}  // namespace

bool is_secret_variable(std::string_view component, std::string_view variable) {
  return component == "SecurityCtrlr" && variable == "BasicAuthPassword";
}

std::optional<std::string> redact_secrets(std::string_view action,
                                          const std::string& payload_json) {
  if (action != "ChangeConfiguration" && action != "SetVariables") return std::nullopt;
  rapidjson::Document doc;
  if (ocpp::parse_json(payload_json, doc).IsError() || !doc.IsObject()) return std::nullopt;
  bool masked = false;
  if (action == "ChangeConfiguration") {
    if (string_is(doc, "key", "AuthorizationKey") && doc.HasMember("value")) {
      mask(doc["value"], doc.GetAllocator());
      masked = true;
    }
  } else if (auto* items = member(doc, "setVariableData"); items && items->IsArray()) {
    for (auto& item : doc["setVariableData"].GetArray()) {
      const auto* component = member(item, "component");
      const auto* variable = member(item, "variable");
      if (!component || !variable || !item.HasMember("attributeValue")) continue;
      const auto* c = member(*component, "name");
      const auto* v = member(*variable, "name");
      if (!c || !v || !c->IsString() || !v->IsString() ||
          !is_secret_variable(c->GetString(), v->GetString()))
        continue;
      mask(item["attributeValue"], doc.GetAllocator());
      masked = true;
    }
  }
  if (!masked) return std::nullopt;
  return ocpp::to_compact_json(doc);
}

}  // namespace csms
