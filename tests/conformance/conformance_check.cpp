// The C++ half of the schema conformance test (tests/conformance/run.sh drives it).
//   conformance_check samples OUT.jsonl   encode every sample, check each decodes and
//                                         re-encodes to the same text, write them out
//   conformance_check mutations IN.jsonl VALID_COUNT
//                                         every mutation must be rejected by our decoder
//                                         with the expected code at the expected path
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "conformance/samples.hpp"
#include "ocpp/common/json.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"

namespace {

const ocpp::ActionInfo* find(const std::string& version, const std::string& action) {
  return version == "1.6" ? ocpp::v16::find_action(action) : ocpp::v201::find_action(action);
}

ocpp::Version version_of(const std::string& version) {
  return version == "1.6" ? ocpp::Version::v16 : ocpp::Version::v201;
}

std::string str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// Decodes `json` as the payload of `action`/`kind`; fills ctx, and `reencoded`.
bool decode(const std::string& version, const std::string& action, const std::string& kind,
            const std::string& json, ocpp::DecodeContext& ctx, std::string* reencoded) {
  const ocpp::ActionInfo* info = find(version, action);
  if (info == nullptr) {
    ctx.fail(ocpp::ErrorCode::NotImplemented, "unknown action " + action);
    return false;
  }
  rapidjson::Document doc;
  if (ocpp::parse_json(json, doc).IsError()) {
    ctx.fail(ocpp::ErrorCode::FormatViolation, "invalid JSON");
    return false;
  }
  auto check = kind == "req" ? info->check_request : info->check_response;
  return check(doc, ctx, reencoded);
}

int write_samples(const char* out_path) {
  std::vector<conformance::Sample> all = conformance::samples_v16();
  for (auto& s : conformance::samples_v201()) all.push_back(std::move(s));
  std::ofstream out(out_path);
  int failures = 0;
  for (const auto& s : all) {
    ocpp::DecodeContext ctx;
    std::string again;
    const std::string label = s.version + " " + s.action + "." + s.kind;
    if (!decode(s.version, s.action, s.kind, s.json, ctx, &again)) {
      std::cerr << "FAIL " << label << ": our decoder rejects our encoding: " << ctx.description()
                << "\n";
      ++failures;
    } else if (again != s.json) {
      std::cerr << "FAIL " << label << ": round trip changed the message\n  " << s.json << "\n  "
                << again << "\n";
      ++failures;
    }
    rapidjson::StringBuffer buf;
    ocpp::JsonWriter w(buf);
    w.StartObject();
    w.Key("version");
    w.String(s.version);
    w.Key("action");
    w.String(s.action);
    w.Key("kind");
    w.String(s.kind);
    w.Key("full");
    w.Bool(s.full);
    w.Key("json");
    w.String(s.json);
    w.EndObject();
    out << buf.GetString() << "\n";
  }
  std::cout << "samples: " << all.size() << " messages encoded, decoded and re-encoded identically"
            << (failures != 0 ? " (with failures)" : "") << "\n";
  return failures == 0 ? 0 : 1;
}

int check_mutations(const char* in_path, const char* valid_count) {
  std::ifstream in(in_path);
  std::string line;
  int rejected = 0;
  int failures = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    rapidjson::Document m;
    m.Parse(line.data(), line.size());
    if (m.HasParseError() || !m.IsObject()) {
      std::cerr << "FAIL unreadable mutation line\n";
      ++failures;
      continue;
    }
    const std::string version = str(m, "version"), action = str(m, "action"), kind = str(m, "kind"),
                      category = str(m, "category"), path = str(m, "path"),
                      expected = str(m, "expected"), json = str(m, "json");
    ocpp::DecodeContext ctx;
    const std::string label =
        version + " " + action + "." + kind + " " + category + " at '" + path + "'";
    if (decode(version, action, kind, json, ctx, nullptr)) {
      if (++failures <= 30) std::cerr << "FAIL " << label << ": accepted\n";
      continue;
    }
    const auto got = std::string(ocpp::to_string(ctx.code(), version_of(version)));
    if (got != expected || ctx.failed_path() != path) {
      if (++failures <= 30)
        std::cerr << "FAIL " << label << ": expected " << expected << ", got " << got << " ("
                  << ctx.description() << ")\n";
      continue;
    }
    ++rejected;
  }
  if (failures != 0) {
    std::cerr << failures << " mutations not rejected as expected\n";
    return 1;
  }
  std::cout << "conformance: " << valid_count << " messages valid, " << rejected
            << " mutations rejected\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "samples" && argc == 3) return write_samples(argv[2]);
  if (mode == "mutations" && argc == 4) return check_mutations(argv[2], argv[3]);
  std::cerr << "usage: conformance_check samples OUT | mutations IN VALID_COUNT\n";
  return 2;
}
