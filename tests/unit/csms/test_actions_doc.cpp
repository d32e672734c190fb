// Nothing silent: docs/ocpp-actions.md lists every action of both versions,
// and what it says is true: who sends it, that a station's message has a
// handler, that the CSMS's has a csmsctl command, and that the tests it names
// exist.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "handlers/v16/handlers.hpp"
#include "handlers/v201/handlers.hpp"
#include "ocpp/v16/actions.hpp"
#include "ocpp/v201/actions.hpp"
#include "unit/csms/session_rig.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Row {
  std::string sent_by;
  std::vector<std::string> commands;
  std::vector<std::string> tests;
};

// The `quoted` items of a table cell.
std::vector<std::string> code_spans(const std::string& cell) {
  std::vector<std::string> out;
  static const std::regex span("`([^`]+)`");
  for (std::sregex_iterator it(cell.begin(), cell.end(), span), end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  const auto b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// "## OCPP 1.6" / "## OCPP 2.0.1" sections: | Action | Sent by | Handling | csmsctl | Proven by |
std::map<std::string, Row, std::less<>> rows_of(const std::string& doc,
                                                const std::string& section) {
  std::map<std::string, Row, std::less<>> rows;
  std::istringstream in(doc);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inside = line == "## " + section;
    if (!inside || line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|' && line[i - 1] != '\\') {
        cells.push_back(trim(cell));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    if (cells.size() != 5 || cells[0] == "Action") continue;
    rows[cells[0]] = Row{cells[1], code_spans(cells[3]), code_spans(cells[4])};
  }
  return rows;
}

// Every test case name in the tree; adjacent string literals (a long name
// split by clang-format) are joined and a name on its own line is pulled up.
std::string all_test_sources() {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(CSMS_SOURCE_DIR) / "tests")) {
    if (entry.path().extension() == ".cpp") all += read_file(entry.path());
  }
  static const std::regex joined("\"\\s*\n\\s*\"");
  static const std::regex opened("TEST_CASE\\(\\s+\"");
  return std::regex_replace(std::regex_replace(all, joined, ""), opened, "TEST_CASE(\"");
}

void check_version(const std::string& section, const std::vector<ocpp::ActionInfo>& actions,
                   ocpp::Version version, const std::vector<std::string>& command_names) {
  static const std::string doc = read_file(fs::path(CSMS_SOURCE_DIR) / "docs/ocpp-actions.md");
  static const std::string tests = all_test_sources();
  const auto rows = rows_of(doc, section);
  csms_test::Rig rig(version);
  for (const auto& info : actions) {
    INFO(section << " " << info.name);
    auto it = rows.find(std::string(info.name));
    REQUIRE(it != rows.end());
    const Row& row = it->second;
    const bool from_station = info.initiator != ocpp::Initiator::Csms;
    const bool from_csms = info.initiator != ocpp::Initiator::Station;
    CHECK(row.sent_by == (from_station && from_csms ? "both" : from_station ? "station" : "CSMS"));
    if (from_station) CHECK(rig.router.find(std::string(info.name)) != nullptr);
    if (from_csms) {
      CHECK_FALSE(row.commands.empty());
      for (const auto& command : row.commands) {
        INFO("csmsctl command " << command);
        CHECK(std::find(command_names.begin(), command_names.end(), command) !=
              command_names.end());
      }
    }
    CHECK_FALSE(row.tests.empty());
    for (const auto& test : row.tests) {
      INFO("test " << test);
      CHECK(tests.find("TEST_CASE(\"" + test + "\"") != std::string::npos);
    }
  }
  CHECK(rows.size() == actions.size());  // No row for an action that does not exist.
}

}  // namespace

TEST_CASE("docs/ocpp-actions.md tells the truth about every OCPP 1.6 action", "[routes]") {
  check_version("OCPP 1.6", ocpp::v16::all_actions(), ocpp::Version::v16,
                csms::v16::command_names());
}

TEST_CASE("docs/ocpp-actions.md tells the truth about every OCPP 2.0.1 action", "[routes]") {
  check_version("OCPP 2.0.1", ocpp::v201::all_actions(), ocpp::Version::v201,
                csms::v201::command_names());
}

// catch_discover_tests hands names to CMake as a list, and a ';' in a name
// splits it into two tests that each run nothing of the original.
TEST_CASE("no test case name contains a semicolon", "[routes]") {
  static const std::regex name("TEST_CASE\\(\"([^\"]*)\"");
  const std::string tests = all_test_sources();
  for (std::sregex_iterator it(tests.begin(), tests.end(), name), end; it != end; ++it) {
    INFO((*it)[1]);
    CHECK((*it)[1].str().find(';') == std::string::npos);
  }
}
