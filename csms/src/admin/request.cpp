#include "admin/request.hpp"

#include <cctype>
#include <cmath>

#include "admin/json_out.hpp"
#include "csms/log.hpp"
#include "ocpp/common/utf8.hpp"

namespace csms::admin {

ApiResponse json_response(unsigned status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ApiResponse no_content() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::string quoted(std::string_view s) {
  return "\"" + ocpp::sanitize_utf8(s) + "\"";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

void no_query(const ApiRequest& request) {
  static_cast<void>(Query(request, {}));
}

// ---------------------------------------------------------------------------
// JSON input

rapidjson::Document parse_body(const std::string& body, bool empty_is_object) {
  rapidjson::Document doc;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (!empty_is_object) throw ApiError(400, "a JSON body is required");
    doc.SetObject();
    return doc;
  }
  if (const auto parsed = ocpp::parse_json(body, doc); parsed.IsError())
    throw ApiError(400, fmt::format("the body is not valid JSON: {} (at offset {})",
                                    rapidjson::GetParseError_En(parsed.Code()), parsed.Offset()));
  return doc;
}

const char* json_type_name(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

void expect_object(const rapidjson::Value& v, const std::string& where,
                   std::initializer_list<std::string_view> allowed) {
  if (!v.IsObject())
    throw ApiError(400, where + "expected a JSON object, got " + json_type_name(v));
  for (const auto& m : v.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      throw ApiError(400, where + "unknown field " + quoted(name) + " (expected " + names + ")");
    }
  }
}

std::optional<std::string> optional_string(const rapidjson::Value& obj, const char* name,
                                           const std::string& where) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString())
    throw ApiError(400, where + name + " must be a string, got " + json_type_name(it->value));
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<bool> optional_bool(const rapidjson::Value& obj, const char* name,
                                  const std::string& where) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsBool())
    throw ApiError(400, where + name + " must be true or false, got " + json_type_name(it->value));
  return it->value.GetBool();
}

std::string required_string(const rapidjson::Value& obj, const char* name,
                            const std::string& where) {
  auto v = optional_string(obj, name, where);
  if (!v) throw ApiError(400, where + name + " is required");
  return *v;
}

std::vector<storage::Transaction> find_transactions(storage::Session& s, const std::string& key,
                                                    const std::optional<std::string>& station) {
  std::vector<storage::Transaction> matches;
  if (const auto number = parse_int(key)) {
    auto tx = s.transactions.get(*number);
    if (tx && (!station || tx->station_id == *station)) matches.push_back(*tx);
  }
  if (!matches.empty()) return matches;
  if (station) {
    if (auto tx = s.transactions.find_by_station_tx_id(*station, key)) matches.push_back(*tx);
  } else {
    for (const auto& st : s.stations.list()) {
      if (auto tx = s.transactions.find_by_station_tx_id(st.id, key)) matches.push_back(*tx);
    }
  }
  return matches;
}

const storage::Transaction& one_transaction(const std::vector<storage::Transaction>& matches,
                                            const std::string& key) {
  if (matches.empty()) throw ApiError(404, "transaction " + quoted(key) + " is not known");
  if (matches.size() > 1) {
    std::string stations;
    for (const auto& tx : matches) stations += (stations.empty() ? "" : ", ") + tx.station_id;
    throw ApiError(400, "transaction id " + quoted(key) + " exists at stations " + stations +
                            "; add ?stationId= to choose");
  }
  return matches.front();
}

std::optional<double> optional_number(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsNumber() || !std::isfinite(it->value.GetDouble()))
    throw ApiError(400, std::string(name) + " must be a number, got " + json_type_name(it->value));
  return it->value.GetDouble();
}

ApiResponse response_for(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    return error_response(e.status(), e.what(), e.code());
  } catch (const std::exception& e) {
    // Storage and programming errors: log the cause (never request bodies,
    // which may hold passwords) and name it in the answer.
    log::error("admin api: internal error: {}", e.what());
    return error_response(500, std::string("internal error: ") + e.what());
  } catch (...) {
    log::error("admin api: internal error: unknown exception");
    return error_response(500, "internal error");
  }
}

}  // namespace csms::admin
