// open_database's scheme rules and the masking of database URLs.

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "storage/database.hpp"

using storage::Backend;
using storage::mask_database_url;
using storage::parse_database_url;

TEST_CASE("postgresql and postgres URLs select PostgreSQL and keep the URL as given",
          "[database][url]") {
  auto a = parse_database_url("postgresql://csms:secret@db.example/csms?sslmode=require");
  CHECK(a.backend == Backend::Postgres);
  CHECK(a.target == "postgresql://csms:secret@db.example/csms?sslmode=require");
  CHECK(parse_database_url("postgres://db/csms").backend == Backend::Postgres);
}

TEST_CASE("sqlite URLs and plain paths select SQLite with the file path", "[database][url]") {
  CHECK(parse_database_url("data/csms.db").backend == Backend::Sqlite);
  CHECK(parse_database_url("data/csms.db").target == "data/csms.db");
  CHECK(parse_database_url("sqlite:data/csms.db").target == "data/csms.db");
  CHECK(parse_database_url("sqlite:///var/lib/csms.db").target == "/var/lib/csms.db");
  CHECK(parse_database_url("/abs/csms.db").target == "/abs/csms.db");
  // No scheme: a Windows-like drive, a relative path with a colon later on.
  CHECK(parse_database_url("C:\\csms\\data.db").backend == Backend::Sqlite);
  CHECK(parse_database_url("./a:b.db").target == "./a:b.db");
  CHECK(parse_database_url("data/x:y.db").target == "data/x:y.db");
}

TEST_CASE("an unknown scheme is refused naming the accepted ones", "[database][url]") {
  CHECK_THROWS_WITH(parse_database_url("mysql://root:pw@host/db"),
                    Catch::Contains("'mysql:'") && Catch::Contains("postgresql://") &&
                        Catch::Contains("sqlite:PATH") && !Catch::Contains("pw"));
  CHECK_THROWS_AS(parse_database_url("mongodb+srv://x"), std::runtime_error);
  CHECK_THROWS_AS(parse_database_url(""), std::runtime_error);
  CHECK_THROWS_AS(parse_database_url("sqlite:"), std::runtime_error);
}

TEST_CASE("a database URL's password never survives masking", "[database][url]") {
  CHECK(mask_database_url("postgresql://csms:s3cret@db:5432/csms") ==
        "postgresql://csms:***@db:5432/csms");
  // An unencoded @ in the password does not leak its tail.
  CHECK(mask_database_url("postgresql://u:p@ss@db/csms") == "postgresql://u:***@db/csms");
  CHECK(mask_database_url("postgresql://db/csms?user=u&password=s3cret&sslmode=require") ==
        "postgresql://db/csms?user=u&password=***&sslmode=require");
  CHECK(mask_database_url("host=db user=u password=s3cret dbname=csms") ==
        "host=db user=u password=*** dbname=csms");
  CHECK(mask_database_url("host=db password='a b' dbname=csms") ==
        "host=db password=*** dbname=csms");
  // Nothing to hide: unchanged.
  CHECK(mask_database_url("postgresql://u@db/csms") == "postgresql://u@db/csms");
  CHECK(mask_database_url("data/csms.db") == "data/csms.db");
}

TEST_CASE("a PostgreSQL server that cannot be reached is an error without the password",
          "[database][url]") {
  storage::DatabaseOptions options;
  // Port 1 on a socket directory that does not exist: refused at once.
  const std::string url = "postgresql://csms:topsecret@/csms?host=/nonexistent-csms-dir&port=1";
  try {
    storage::open_database(url, options);
    FAIL("open_database connected to nothing");
  } catch (const std::exception& e) {
    const std::string what = e.what();
    CHECK(what.find("topsecret") == std::string::npos);
    CHECK(what.find("csms:***@") != std::string::npos);
  }
}

TEST_CASE("max_bytes is refused with PostgreSQL as SQLite-only", "[database][url]") {
  storage::DatabaseOptions options;
  options.max_bytes = 1 << 20;
  CHECK_THROWS_WITH(storage::open_database("postgresql://u:pw@/db?host=/nonexistent", options),
                    Catch::Contains("SQLite-only"));
}
