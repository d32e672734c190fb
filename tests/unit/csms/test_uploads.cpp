// The upload endpoint's pieces: its settings, the listen address, multipart
// bodies as chargers POST them, safe file names, hashes and tokens.
#include <catch2/catch.hpp>

#include <set>

#include "csms/config.hpp"
#include "uploads/upload_server.hpp"

using namespace csms::uploads;

namespace {

csms::Config parse(const std::vector<std::string>& args) {
  bool help = false;
  return csms::parse_config(args, help);
}

}  // namespace

TEST_CASE("upload settings have defaults, take flags, and refuse bad values by name") {
  auto c = parse({});
  CHECK(c.uploads_listen == "0.0.0.0:8182");
  CHECK(c.uploads_public_url.empty());
  CHECK(c.uploads_max_bytes == 64 * 1024 * 1024);
  CHECK(c.uploads_token_ttl_s == 3600);
  c = parse({"--uploads-listen", "127.0.0.1:0", "--uploads-public-url", "https://csms.example/",
             "--uploads-max-bytes", "1000", "--uploads-dir", "/var/csms", "--uploads-token-ttl",
             "60"});
  CHECK(c.uploads_listen == "127.0.0.1:0");
  CHECK(c.uploads_public_url == "https://csms.example");  // no trailing slash
  CHECK(c.uploads_max_bytes == 1000);
  CHECK(c.uploads_dir == "/var/csms");
  CHECK(c.uploads_token_ttl_s == 60);
  CHECK_THROWS_WITH(parse({"--uploads-listen", "8182"}), Catch::Contains("host:port"));
  CHECK_THROWS_WITH(parse({"--uploads-listen", "h:99999"}), Catch::Contains("port"));
  CHECK_THROWS_WITH(parse({"--uploads-public-url", "ftp://x"}), Catch::Contains("http://"));
  CHECK_THROWS_WITH(parse({"--uploads-max-bytes", "0"}), Catch::Contains("uploads-max-bytes"));
}

TEST_CASE("the listen setting splits into host and port, IPv6 brackets removed") {
  std::string host;
  std::uint16_t port = 0;
  REQUIRE(split_listen("0.0.0.0:8182", host, port));
  CHECK(host == "0.0.0.0");
  CHECK(port == 8182);
  REQUIRE(split_listen("[::1]:0", host, port));
  CHECK(host == "::1");
  CHECK(port == 0);
  CHECK_FALSE(split_listen("8182", host, port));
  CHECK_FALSE(split_listen("h:", host, port));
  CHECK_FALSE(split_listen("h:70000", host, port));
  CHECK_FALSE(split_listen("h:8x", host, port));
}

TEST_CASE("a multipart upload yields its file part with name, type and exact bytes") {
  const std::string body =
      "--b0undary\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhi\r\n"
      "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"diag.tar.gz\"\r\n"
      "Content-Type: application/gzip\r\n\r\n\x1f\x8b\r\n--not-the-end\r\n"
      "\r\n--b0undary--\r\n";
  auto part = multipart_file("multipart/form-data; boundary=\"b0undary\"", body);
  REQUIRE(part);
  CHECK(part->name == "diag.tar.gz");
  CHECK(part->content_type == "application/gzip");
  CHECK(part->data == "\x1f\x8b\r\n--not-the-end\r\n");

  // Without a filename: the first part.
  auto first =
      multipart_file("multipart/form-data; boundary=X",
                     "--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--X--");
  REQUIRE(first);
  CHECK(first->data == "A");
  CHECK(first->name.empty());
  CHECK_FALSE(multipart_file("multipart/form-data", body));  // no boundary
  CHECK_FALSE(multipart_file("multipart/form-data; boundary=X", "garbage"));
}

TEST_CASE("file names from stations are made safe") {
  CHECK(safe_file_name("diag-1.txt") == "diag-1.txt");
  CHECK(safe_file_name("../../etc/passwd") == "passwd");
  CHECK(safe_file_name("C:\\logs\\a b.log") == "a_b.log");
  CHECK(safe_file_name("..") == "upload.bin");
  CHECK(safe_file_name(".hidden") == "hidden");
  CHECK(safe_file_name("") == "upload.bin");
  CHECK(safe_file_name(std::string(300, 'a')).size() == 100);
}

TEST_CASE("hashes are lowercase hex SHA-256 and tokens fresh random hex") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::set<std::string> tokens;
  for (int i = 0; i < 100; ++i) {
    auto t = new_token();
    CHECK(t.size() == 32);
    CHECK(t.find_first_not_of("0123456789abcdef") == std::string::npos);
    tokens.insert(t);
  }
  CHECK(tokens.size() == 100);
}
