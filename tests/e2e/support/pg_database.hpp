#pragma once
// A database of its own on the ctest fixture's PostgreSQL server
// (tests/pg/cluster.sh) for an end-to-end test, dropped when it ends.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "postgres/statement.hpp"

namespace e2e {

/// The fixture's server URL; a missing one fails the test (never skipped).
inline std::string pg_server_url() {
  const char* file = std::getenv("CSMS_TEST_PG_URL_FILE");
  REQUIRE(file != nullptr);
  std::ifstream in(file);
  std::string url;
  REQUIRE(std::getline(in, url));
  REQUIRE(!url.empty());
  return url;
}

/// The database `prefix` + this process id, created empty and dropped at the end.
class PgTestDatabase {
 public:
  explicit PgTestDatabase(const std::string& prefix)
      : admin_url_(pg_server_url()), name_(prefix + std::to_string(::getpid())) {
    storage::pg::PgConnection admin(admin_url_);
    admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    admin.exec("CREATE DATABASE " + name_);
  }
  ~PgTestDatabase() {
    try {
      storage::pg::PgConnection admin(admin_url_);
      admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // The cluster goes away with the fixture anyway.
    }
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  /// The server's URL naming this database.
  std::string url() const {
    const auto slash = admin_url_.find('/', admin_url_.find("://") + 3);
    const auto query = admin_url_.find('?', slash);
    return admin_url_.substr(0, slash + 1) + name_ +
           (query == std::string::npos ? "" : admin_url_.substr(query));
  }

 private:
  std::string admin_url_;
  std::string name_;
};

}  // namespace e2e
