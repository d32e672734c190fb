// storage::sqlite_backup (the online backup behind csmsctl backup) and the
// migration log told to the operator at open.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::Session;

TEST_CASE("a backup of an open database is a complete owner-only copy",
          "[sqlite][database][backup]") {
  TempDir dir;
  const std::string path = dir.file("live.db");
  auto db = open(path);
  storage::write_and_wait(*db, [](Session& s) {
    s.stations.put(station("CP1"));
    s.stations.put(station("CP2"));
  });
  const std::string copy = dir.file("copy.db");
  storage::sqlite_backup(path, copy);
  struct stat st {};
  REQUIRE(::stat(copy.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // The live database keeps working; the copy opens as a database of its own.
  storage::write_and_wait(*db, [](Session& s) { s.stations.put(station("CP3")); });
  auto restored = open(copy);
  std::size_t count = 0;
  storage::read_and_wait(*restored, [&count](Session& s) { count = s.stations.list().size(); });
  CHECK(count == 2);
  CHECK(storage::sqlite_schema_version(copy) == storage::sqlite_schema_version(path));
}

TEST_CASE("a backup never overwrites a file and leaves nothing behind when it fails",
          "[sqlite][database][backup]") {
  TempDir dir;
  const std::string path = dir.file("live.db");
  auto db = open(path);
  const std::string existing = dir.file("existing.db");
  { std::ofstream(existing) << "keep me"; }
  CHECK_THROWS_WITH(storage::sqlite_backup(path, existing), Catch::Contains("cannot create"));
  std::ifstream in(existing);
  std::string text;
  std::getline(in, text);
  CHECK(text == "keep me");
  CHECK_THROWS_WITH(storage::sqlite_backup(dir.file("missing.db"), dir.file("out.db")),
                    Catch::Contains("no database at"));
  CHECK_FALSE(std::filesystem::exists(dir.file("out.db")));
}

TEST_CASE("opening a database tells the schema version and each migration applied",
          "[sqlite][database][migrations]") {
  TempDir dir;
  std::vector<std::string> lines;
  storage::SqliteOptions options;
  options.path = dir.file("m.db");
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  { auto db = storage::open_sqlite(options); }
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0].find("schema version 0, migrating to") != std::string::npos);
  CHECK(lines[1].find("database migration 0001_") != std::string::npos);
  lines.clear();
  { auto db = storage::open_sqlite(options); }
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("is current") != std::string::npos);
}
