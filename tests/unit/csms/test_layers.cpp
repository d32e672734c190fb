// The layer rules, checked on the source tree: handlers and services see the
// server only through the light core contract (no Boost, no server/ internals,
// no storage internals), ocpp/ knows no event loop or database, the simulator
// knows nothing of the server. A broken rule names the file and the include.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = CSMS_SOURCE_DIR;

/// One `#include` line: the name and whether it was <...>.
struct Include {
  std::string name;
  bool angled = false;
};

std::vector<Include> includes_of(const fs::path& file) {
  std::vector<Include> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto p = line.find_first_not_of(" \t");
    if (p == std::string::npos || line[p] != '#') continue;
    p = line.find_first_not_of(" \t", p + 1);
    if (p == std::string::npos || line.compare(p, 7, "include") != 0) continue;
    p = line.find_first_of("<\"", p + 7);
    if (p == std::string::npos) continue;
    const char close = line[p] == '<' ? '>' : '"';
    const auto end = line.find(close, p + 1);
    if (end == std::string::npos) continue;
    out.push_back({line.substr(p + 1, end - p - 1), close == '>'});
  }
  return out;
}

bool is_source(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc";
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && is_source(e.path())) out.push_back(e.path());
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string repo_path(const fs::path& p) {
  return fs::relative(p, kRoot).generic_string();
}

/// Where the server's quoted includes are looked up, in order.
const std::vector<fs::path>& server_include_dirs() {
  static const std::vector<fs::path> dirs = {kRoot / "csms/src", kRoot / "csms/include",
                                             kRoot / "storage/include", kRoot / "ocpp/include"};
  return dirs;
}

/// The file a quoted include of `from` names, if it is one of ours.
std::optional<fs::path> resolve(const fs::path& from, const std::string& name) {
  if (fs::exists(from.parent_path() / name)) return from.parent_path() / name;
  for (const auto& dir : server_include_dirs())
    if (fs::exists(dir / name)) return dir / name;
  return std::nullopt;
}

/// The server/ headers handlers and services may include: the core contract.
const std::set<std::string> kLightServerHeaders = {"server/context.hpp", "server/admission.hpp"};

/// Why a handler or service may not include `inc` directly (empty: it may).
std::string direct_problem(const Include& inc) {
  if (starts_with(inc.name, "boost/")) return "Boost (use core/executor.hpp and core/clock.hpp)";
  if (inc.name == "sqlite3.h" || inc.name == "libpq-fe.h") return "a database driver";
  if (inc.angled) return "";
  if (starts_with(inc.name, "server/") && !kLightServerHeaders.count(inc.name))
    return "a server/ internal (only server/context.hpp and server/admission.hpp)";
  if (starts_with(inc.name, "sqlite/") || starts_with(inc.name, "postgres/") ||
      fs::exists(kRoot / "storage/src" / inc.name))
    return "a storage internal (use the storage/*.hpp interfaces)";
  if (starts_with(inc.name, "transport/beast") || starts_with(inc.name, "core/asio_"))
    return "an Asio implementation";
  return "";
}

/// Every rule broken under csms/src/handlers and csms/src/services, as
/// "file: include (why)"; the Boost rule also follows our own headers.
std::vector<std::string> core_violations() {
  std::vector<std::string> problems;
  std::map<fs::path, std::string> boost_via;  // header -> first Boost include it reaches
  std::function<std::string(const fs::path&, std::set<fs::path>&)> reaches_boost =
      [&](const fs::path& file, std::set<fs::path>& seen) -> std::string {
    const auto key = fs::weakly_canonical(file);
    if (auto it = boost_via.find(key); it != boost_via.end()) return it->second;
    if (!seen.insert(key).second) return "";
    std::string found;
    for (const auto& inc : includes_of(file)) {
      if (starts_with(inc.name, "boost/")) {
        found = repo_path(file) + " includes <" + inc.name + ">";
        break;
      }
      if (inc.angled) continue;
      if (auto target = resolve(file, inc.name)) {
        found = reaches_boost(*target, seen);
        if (!found.empty()) break;
      }
    }
    boost_via[key] = found;
    return found;
  };
  for (const char* dir : {"csms/src/handlers", "csms/src/services"}) {
    for (const auto& file : sources_under(kRoot / dir)) {
      for (const auto& inc : includes_of(file)) {
        const auto why = direct_problem(inc);
        if (!why.empty()) {
          problems.push_back(repo_path(file) + ": #include " + inc.name + " (" + why + ")");
          continue;
        }
        if (inc.angled) continue;
        if (auto target = resolve(file, inc.name)) {
          std::set<fs::path> seen;
          const auto via = reaches_boost(*target, seen);
          if (!via.empty())
            problems.push_back(repo_path(file) + ": #include " + inc.name + " pulls in Boost (" +
                               via + ")");
        }
      }
    }
  }
  return problems;
}

std::vector<std::string> violations_under(
    const char* dir, const std::function<std::string(const Include&)>& problem) {
  std::vector<std::string> out;
  for (const auto& file : sources_under(kRoot / dir))
    for (const auto& inc : includes_of(file)) {
      const auto why = problem(inc);
      if (!why.empty())
        out.push_back(repo_path(file) + ": #include " + inc.name + " (" + why + ")");
    }
  return out;
}

void require_none(const std::vector<std::string>& problems) {
  for (const auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

}  // namespace

TEST_CASE("handlers and services include no Boost, no server internals and no storage internals",
          "[layers]") {
  require_none(core_violations());
}

TEST_CASE("ocpp/ includes no event loop and no database", "[layers]") {
  require_none(violations_under("ocpp", [](const Include& inc) -> std::string {
    if (starts_with(inc.name, "boost/asio") || starts_with(inc.name, "boost/beast"))
      return "Boost.Asio: ocpp/ knows no sockets";
    if (inc.name == "sqlite3.h" || inc.name == "libpq-fe.h") return "a database: ocpp/ knows none";
    if (!inc.angled && (starts_with(inc.name, "csms/") || starts_with(inc.name, "storage/")))
      return "a layer above ocpp/";
    return "";
  }));
}

TEST_CASE("the simulator includes nothing of the server or its storage", "[layers]") {
  require_none(violations_under("simulator", [](const Include& inc) -> std::string {
    if (inc.angled) return inc.name == "sqlite3.h" || inc.name == "libpq-fe.h" ? "a database" : "";
    if (starts_with(inc.name, "csms/") || starts_with(inc.name, "storage/"))
      return "the server's or storage's code: the simulator depends on ocpp/ only";
    if (fs::exists(kRoot / "csms/src" / inc.name)) return "the server's internals";
    return "";
  }));
}

TEST_CASE("the layer check names the file and the include it refuses", "[layers]") {
  CHECK(direct_problem({"boost/asio/post.hpp", true}).find("Boost") == 0);
  CHECK(direct_problem({"server/handshake.hpp", false}).find("server/ internal") !=
        std::string::npos);
  CHECK(direct_problem({"server/context.hpp", false}).empty());
  CHECK(direct_problem({"group_commit.hpp", false}).find("storage internal") != std::string::npos);
  CHECK(direct_problem({"storage/database.hpp", false}).empty());
  const auto found = includes_of(kRoot / "csms/src/server/server.cpp");
  CHECK(std::any_of(found.begin(), found.end(),
                    [](const Include& i) { return i.name == "boost/asio/io_context.hpp"; }));
}
