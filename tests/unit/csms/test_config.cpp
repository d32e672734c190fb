// Configuration: defaults, the JSON file, flags overriding it, clear errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "csms/config.hpp"
#include "csms/password.hpp"

namespace {

std::string temp_file(const std::string& text) {
  char name[] = "/tmp/csms-config-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

csms::Config parse(std::vector<std::string> args) {
  bool help = false;
  return csms::parse_config(args, help);
}

}  // namespace

TEST_CASE("flags override the config file, which overrides the defaults", "[config]") {
  auto file = temp_file(R"({"_comment":"x","ocpp":{"port":9000,"path_prefix":"/cs/"},
                           "database":{"path":"/tmp/x.db"},"log_level":"warn"})");
  auto c = parse({"--config", file, "--ocpp-port", "9100", "--accept-unknown"});
  CHECK(c.ocpp_port == 9100);
  CHECK(c.path_prefix == "/cs/");
  CHECK(c.db_path == "/tmp/x.db");
  CHECK(c.log_level == "warn");
  CHECK(c.accept_unknown);
  CHECK(c.admin_port == 8181);
  std::remove(file.c_str());
}

TEST_CASE("the shipped config/csms.json is valid", "[config]") {
  auto c = parse({"--config", std::string(CSMS_SOURCE_DIR) + "/config/csms.json"});
  CHECK(c.ocpp_port == 8180);
}

TEST_CASE("bad keys, values and flags are refused with a message naming them", "[config]") {
  auto file = temp_file(R"({"ocpp":{"prot":1}})");
  CHECK_THROWS_WITH(parse({"--config", file}), Catch::Contains("ocpp.prot"));
  std::remove(file.c_str());
  CHECK_THROWS_WITH(parse({"--ocpp-port", "70000"}), Catch::Contains("--ocpp-port"));
  CHECK_THROWS_WITH(parse({"--log-level", "loud"}), Catch::Contains("--log-level"));
  CHECK_THROWS_WITH(parse({"--frobnicate", "1"}), Catch::Contains("--frobnicate"));
  CHECK_THROWS_WITH(parse({"--db"}), Catch::Contains("needs a value"));
}

TEST_CASE("lists come as JSON arrays in the file or comma-separated flags", "[config]") {
  auto file = temp_file(R"({"network":{"trusted_proxies":[]},"ocpp":{"tls_port":8443},
                           "_tls":"a TLS port needs a certificate; the files are read at start",
                           "tls":{"cert_file":"/etc/csms/server.pem","key_file":"/etc/csms/server.key",
                                  "crl_files":["/etc/a.crl","/etc/b.crl"]}})");
  auto c = parse({"--config", file});
  CHECK(c.tls_crl_files == std::vector<std::string>{"/etc/a.crl", "/etc/b.crl"});
  CHECK(c.trusted_proxies.empty());
  CHECK(c.ocpp_tls_port == 8443);
  c = parse({"--config", file, "--trusted-proxies", "10.0.0.0/8,::1"});
  CHECK(c.trusted_proxies == std::vector<std::string>{"10.0.0.0/8", "::1"});
  std::remove(file.c_str());
  CHECK(parse({}).ocpp_tls_port == -1);
  CHECK_THROWS_WITH(parse({"--trusted-proxies", "10.0.0.1,,10.0.0.2"}),
                    Catch::Contains("empty entry"));
  auto bad_list = temp_file(R"({"tls":{"crl_files":[1]}})");
  CHECK_THROWS_WITH(parse({"--config", bad_list}), Catch::Contains("tls.crl_files"));
  std::remove(bad_list.c_str());
  auto list_for_string = temp_file(R"({"tls":{"cert_file":["a","b"]}})");
  CHECK_THROWS_WITH(parse({"--config", list_for_string}), Catch::Contains("not a list"));
  std::remove(list_for_string.c_str());
}

TEST_CASE("--help is reported, not an error", "[config]") {
  bool help = false;
  csms::parse_config({"--help"}, help);
  CHECK(help);
  CHECK(csms::config_help().find("--admin-token") != std::string::npos);
}

TEST_CASE("passwords are stored as salted PBKDF2 hashes and verified", "[password]") {
  auto h1 = csms::hash_password("0123456789abcdef");
  auto h2 = csms::hash_password("0123456789abcdef");
  CHECK(h1 != h2);  // salted
  CHECK(h1.rfind("pbkdf2-sha256$", 0) == 0);
  CHECK(h1.find("0123456789abcdef") == std::string::npos);
  CHECK(csms::verify_password("0123456789abcdef", h1));
  CHECK_FALSE(csms::verify_password("0123456789abcdeg", h1));
  CHECK_FALSE(csms::verify_password("x", "garbage"));
  CHECK(csms::check_password_rules("short") != "");
  CHECK(csms::check_password_rules("0123456789abcdef") == "");
  CHECK(csms::check_password_rules("0123456789abcde f") != "");
}

TEST_CASE("the database is a SQLite path or a postgresql URL, by --db or database.url",
          "[config]") {
  auto plain = parse({});
  CHECK(plain.db_path == "data/csms.db");
  CHECK(plain.db_url.empty());
  auto sqlite = parse({"--db-url", "sqlite:/var/lib/csms/csms.db"});
  CHECK(sqlite.db_path == "/var/lib/csms/csms.db");
  CHECK(sqlite.db_url.empty());
  // --db takes a URL too; the local files stay beside the default path.
  auto pg = parse({"--db", "postgresql://csms:pw@db/csms"});
  CHECK(pg.db_url == "postgresql://csms:pw@db/csms");
  CHECK(pg.db_path == "data/csms.db");
  auto both = parse({"--db", "/srv/csms.db", "--db-url", "postgres://db/csms"});
  CHECK(both.db_url == "postgres://db/csms");
  CHECK(both.db_path == "/srv/csms.db");
  try {
    parse({"--db-url", "mysql://root:pw@db/csms"});
    FAIL("an unknown scheme was accepted");
  } catch (const std::exception& e) {
    const std::string what = e.what();
    CHECK(what.find("'mysql:'") != std::string::npos);
    CHECK(what.find("postgresql://") != std::string::npos);
    CHECK(what.find("pw") == std::string::npos);
  }
}

TEST_CASE(
    "cluster keys are checked: a node id of valid characters and a heartbeat within the "
    "timeout",
    "[config]") {
  auto c = parse({"--node-id", "node-1.example:8180", "--cluster-heartbeat", "3",
                  "--cluster-node-timeout", "6"});
  CHECK(c.cluster_node_id == "node-1.example:8180");
  CHECK(c.cluster_heartbeat_s == 3);
  CHECK(c.cluster_node_timeout_s == 6);
  CHECK(parse({}).cluster_node_id.empty());  // hostname:port, chosen at start
  CHECK_THROWS_WITH(parse({"--node-id", "a b"}), Catch::Contains("--node-id"));
  CHECK_THROWS_WITH(parse({"--node-id", std::string(49, 'n')}), Catch::Contains("48"));
  CHECK_THROWS_WITH(parse({"--cluster-heartbeat", "6"}),
                    Catch::Contains("cluster.heartbeat_s") && Catch::Contains("half"));
}
