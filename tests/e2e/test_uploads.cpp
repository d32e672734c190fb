// Uploads end to end: GetDiagnostics (1.6) and GetLog (both versions) make
// ocpp-sim upload a file to the CSMS's upload endpoint; `csmsctl files list`
// shows it and `files get` returns the same bytes. The endpoint refuses
// unknown and used tokens and oversized bodies.
#include <openssl/evp.h>

#include <array>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "support/harness.hpp"

using namespace e2e;

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::string sha256_hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// One HTTP request to a http://127.0.0.1:PORT/... URL, every step bounded.
HttpAnswer http_send(const std::string& url, http::verb method, const std::string& body,
                     const std::string& content_type = "text/plain") {
  const std::string prefix = "http://127.0.0.1:";
  REQUIRE(url.rfind(prefix, 0) == 0);
  const auto slash = url.find('/', prefix.size());
  const std::string port = url.substr(prefix.size(), slash - prefix.size());
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(10s);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", port));
  http::request<http::string_body> req{method, url.substr(slash), 11};
  req.set(http::field::host, "127.0.0.1:" + port);
  req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  http::write(stream, req, ec);  // A refusal may come before the whole body went.
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  HttpAnswer a;
  if (!ec) {
    a.status = res.result_int();
    a.body = res.body();
  }
  return a;
}

// The statuses of `topic` in the station's history, newest first.
std::vector<std::string> statuses(const Csms& csms, const std::string& id,
                                  const std::string& topic) {
  auto doc = csms.ctl_json({"station", "firmware", id, "--topic", topic});
  std::vector<std::string> out;
  for (const auto& r : doc["history"].GetArray()) out.push_back(str(r["status"]));
  return out;
}

// Downloads file `id` with csmsctl files get --out and returns its bytes.
std::string download(const Csms& csms, const TempDir& dir, std::int64_t id) {
  const std::string out = dir.file("download-" + std::to_string(id));
  auto r = csms.ctl({"files", "get", std::to_string(id), "--out", out});
  REQUIRE(r.code == 0);
  return read_file(out);
}

}  // namespace

TEST_CASE("1.6 diagnostics are uploaded by the station and downloaded byte for byte",
          "[e2e][uploads]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  Sim sim(csms, "CP1");
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  auto answer = csms.ctl_json(
      {"cmd", "CP1", "diagnostics", "--start", "2024-01-01T00:00:00Z", "--retries", "1"});
  CHECK(str(answer["action"]) == "GetDiagnostics");
  const std::string name = str(answer["response"]["fileName"]);
  CHECK(name.rfind("diagnostics-CP1-", 0) == 0);
  CHECK(str(answer["response"]["location"]).find("/uploads/") != std::string::npos);

  REQUIRE(eventually([&] { return csms.ctl_json({"files", "list"}).Size() == 1; }));
  auto files = csms.ctl_json({"files", "list", "--station", "CP1"});
  REQUIRE(files.Size() == 1);
  const auto& f = files[0];
  CHECK(str(f["stationId"]) == "CP1");
  CHECK(str(f["action"]) == "GetDiagnostics");
  CHECK(str(f["name"]) == name);
  const std::string bytes = download(csms, dir, f["id"].GetInt64());
  CHECK(bytes.rfind("ocpp-sim diagnostics of CP1", 0) == 0);
  CHECK(static_cast<std::int64_t>(bytes.size()) == f["size"].GetInt64());
  CHECK(sha256_hex(bytes) == str(f["sha256"]));
  // To stdout as well, unchanged.
  auto raw = csms.ctl({"files", "get", std::to_string(f["id"].GetInt64())});
  CHECK(raw.code == 0);
  CHECK(raw.out == bytes);

  REQUIRE(eventually([&] { return statuses(csms, "CP1", "diagnostics").size() == 2; }));
  CHECK(statuses(csms, "CP1", "diagnostics") == std::vector<std::string>{"Uploaded", "Uploading"});
  CHECK(csms.ctl({"files", "list"}).out.find(name) != std::string::npos);
  CHECK(csms.ctl({"files", "get", "999"}).code != 0);
}

TEST_CASE("get-log makes 1.6 and 2.0.1 stations upload their log under the request's id",
          "[e2e][uploads]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"station", "add", "CP2"}).code == 0);
  REQUIRE(csms.ctl({"station", "add", "CS2"}).code == 0);
  Sim sim16(csms, "CP2");
  Sim sim201(csms, "CS2", {"--ocpp", "2.0.1"});
  REQUIRE(sim16.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  REQUIRE(sim201.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  for (const std::string id : {"CP2", "CS2"}) {
    INFO(id);
    auto answer = csms.ctl_json({"cmd", id, "get-log", "--type", "SecurityLog", "--oldest",
                                 "2024-01-01T00:00:00Z", "--latest", "2030-01-01T00:00:00Z"});
    CHECK(str(answer["action"]) == "GetLog");
    CHECK(str(answer["response"]["status"]) == "Accepted");
    const auto request_id = answer["response"]["requestId"].GetInt64();
    const std::string name = str(answer["response"]["filename"]);
    CHECK(name == "security-log-" + std::to_string(request_id) + ".txt");

    REQUIRE(eventually([&] {
      return csms.ctl_json({"files", "list", "--station", id}).Size() == 1;
    }));
    auto files = csms.ctl_json({"files", "list", "--station", id});
    CHECK(str(files[0]["action"]) == "GetLog");
    CHECK(files[0]["requestId"].GetInt64() == request_id);
    CHECK(str(files[0]["name"]) == name);
    const std::string bytes = download(csms, dir, files[0]["id"].GetInt64());
    CHECK(bytes.find("security log of " + id) != std::string::npos);
    CHECK(sha256_hex(bytes) == str(files[0]["sha256"]));

    REQUIRE(eventually([&] { return statuses(csms, id, "log").size() == 2; }));
    auto fw = csms.ctl_json({"station", "firmware", id, "--topic", "log"});
    CHECK(str(fw["history"][0]["status"]) == "Uploaded");
    CHECK(str(fw["history"][1]["status"]) == "Uploading");
    CHECK(fw["history"][0]["requestId"].GetInt64() == request_id);
    CHECK(str(fw["history"][0]["action"]) == "LogStatusNotification");
  }
  CHECK(csms.ctl_json({"files", "list"}).Size() == 2);

  // Asked for its log status when idle: Idle.
  csms.ctl_json({"cmd", "CS2", "trigger", "LogStatusNotification"});
  REQUIRE(eventually([&] { return statuses(csms, "CS2", "log").size() == 3; }));
  CHECK(statuses(csms, "CS2", "log").front() == "Idle");
}

TEST_CASE(
    "the upload endpoint takes a file once per token and refuses unknown tokens and "
    "oversized bodies",
    "[e2e][uploads]") {
  TempDir dir;
  // So small that the station's own diagnostics file does not fit.
  Csms csms(dir, {"--uploads-max-bytes", "512"});
  REQUIRE(csms.ctl({"station", "add", "CP3"}).code == 0);
  Sim sim(csms, "CP3");
  REQUIRE(sim.wait_event("boot", 20s, {{"status", "\"Accepted\""}}));

  // The station's upload is refused (413): it reports UploadFailed, the token stays unused.
  auto first = csms.ctl_json({"cmd", "CP3", "diagnostics"});
  const std::string location = str(first["response"]["location"]);
  REQUIRE(location.find("/uploads/") != std::string::npos);
  REQUIRE(eventually([&] {
    auto s = statuses(csms, "CP3", "diagnostics");
    return !s.empty() && s.front() == "UploadFailed";
  }));
  CHECK(csms.ctl_json({"files", "list"}).Size() == 0);

  // An oversized body is refused before it is stored.
  CHECK(http_send(location + "big.txt", http::verb::put, std::string(1000, 'x')).status == 413);
  // The same URL with a small file: taken, once.
  const std::string small = "diagnostics: all good\n";
  auto taken = http_send(location + "small.txt", http::verb::put, small);
  CHECK(taken.status == 201);
  CHECK(taken.body.find(sha256_hex(small)) != std::string::npos);
  CHECK(http_send(location + "again.txt", http::verb::put, small).status == 403);
  CHECK(http_send(location, http::verb::post, small).status == 403);
  // Unknown tokens and other paths.
  const std::string base = location.substr(0, location.find("/uploads/"));
  CHECK(http_send(base + "/uploads/0123456789abcdef0123456789abcdef/x.txt", http::verb::put, small)
            .status == 404);
  CHECK(http_send(base + "/elsewhere", http::verb::put, small).status == 404);
  CHECK(http_send(location, http::verb::get, "").status == 405);

  auto files = csms.ctl_json({"files", "list"});
  REQUIRE(files.Size() == 1);
  CHECK(str(files[0]["name"]) == "small.txt");
  CHECK(download(csms, dir, files[0]["id"].GetInt64()) == small);

  // multipart/form-data, as many 1.6 chargers POST: the file part is stored.
  auto second = csms.ctl_json({"cmd", "CP3", "diagnostics"});
  const std::string second_location = str(second["response"]["location"]);
  REQUIRE(eventually([&] { return statuses(csms, "CP3", "diagnostics").size() >= 4; }));
  const std::string part = "line 1\r\nline 2\r\n";
  const std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
      "hello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"cp3 diag.log\"\r\nContent-Type: text/plain\r\n\r\n" +
      part + "\r\n--XyZ--\r\n";
  CHECK(http_send(second_location, http::verb::post, multipart, "multipart/form-data; boundary=XyZ")
            .status == 201);
  files = csms.ctl_json({"files", "list"});
  REQUIRE(files.Size() == 2);
  CHECK(str(files[0]["name"]) == "cp3_diag.log");
  CHECK(download(csms, dir, files[0]["id"].GetInt64()) == part);
}
