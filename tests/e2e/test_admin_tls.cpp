// HTTPS for the admin API and the upload endpoint (admin.tls, uploads.tls),
// and csmsctl over https:// verifying the server.
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>

#include "support/harness.hpp"
#include "support/tls_client.hpp"

using namespace e2e;

namespace {

std::vector<std::string> https_args(const TestPki& pki) {
  return {"--tls-cert",  pki.server_pem, "--tls-key",     pki.server_key,
          "--admin-tls", "true",         "--uploads-tls", "true"};
}

// curl, found on the PATH (run() takes a path; install-deps.sh installs curl).
std::string curl_bin() {
  for (const char* d : {"/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"}) {
    if (std::filesystem::exists(d)) return d;
  }
  return "curl";
}

// The port in a banner line "... https://127.0.0.1:PORT/...".
std::uint16_t https_port(const std::string& line) {
  const std::string prefix = "https://127.0.0.1:";
  const auto at = line.find(prefix);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(line.substr(at + prefix.size())));
}

}  // namespace

TEST_CASE("csmsctl lists stations over https with the CA file", "[e2e][tls][admin]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, https_args(pki));
  CHECK(csms.admin_url().rfind("https://", 0) == 0);
  csms.set_ca_file(pki.ca_pem);
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  auto list = csms.ctl_json({"station", "list"});
  REQUIRE(list.IsArray());
  REQUIRE(list.Size() == 1);
  CHECK(std::string(list[0]["id"].GetString()) == "CP1");
  // --ca-file does the same as CSMS_CA_FILE.
  auto flag = run({CSMSCTL_BIN, "--ca-file", pki.ca_pem, "station", "list"},
                  {{"CSMS_URL", csms.admin_url()}, {"CSMS_TOKEN", csms.token()}});
  INFO(flag.err);
  CHECK(flag.code == 0);
  CHECK(flag.out.find("CP1") != std::string::npos);
  // The host name is checked too: the certificate names localhost and 127.0.0.1.
  auto by_name = run({CSMSCTL_BIN, "station", "list"},
                     {{"CSMS_URL", "https://localhost:" + std::to_string(csms.admin_port())},
                      {"CSMS_TOKEN", csms.token()},
                      {"CSMS_CA_FILE", pki.ca_pem}});
  INFO(by_name.err);
  CHECK(by_name.code == 0);
}

TEST_CASE("plain http to the https admin API fails", "[e2e][tls][admin]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, https_args(pki));
  auto plain = run({CSMSCTL_BIN, "station", "list"},
                   {{"CSMS_URL", "http://127.0.0.1:" + std::to_string(csms.admin_port())},
                    {"CSMS_TOKEN", csms.token()}},
                   20s);
  CHECK(plain.code == 1);
  CHECK(plain.err.find("cannot reach csms") != std::string::npos);
  // The server is still there for a proper client.
  csms.set_ca_file(pki.ca_pem);
  CHECK(csms.ctl({"station", "list"}).code == 0);
}

TEST_CASE("csmsctl refuses an https server its CA file does not vouch for", "[e2e][tls][admin]") {
  TempDir dir;
  TestPki pki(dir);
  TempDir other_dir;
  TestPki other(other_dir);
  Csms csms(dir, https_args(pki));
  csms.set_ca_file(other.ca_pem);
  auto r = csms.ctl({"station", "list"});
  CHECK(r.code == 1);
  INFO(r.err);
  CHECK(r.err.find("the server's certificate is not trusted") != std::string::npos);
  CHECK(r.err.find(other.ca_pem) != std::string::npos);
  // A CA file that cannot be read is named as such.
  csms.set_ca_file((other_dir.path() / "missing.pem").string());
  auto missing = csms.ctl({"station", "list"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("missing.pem") != std::string::npos);
}

TEST_CASE("the upload endpoint and the console stream work over https", "[e2e][tls][uploads]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, https_args(pki));
  auto line = csms.process().wait_for_output("file uploads", 5s);
  REQUIRE(line);
  const auto port = https_port(*line);
  REQUIRE(port != 0);
  const std::string base = "https://127.0.0.1:" + std::to_string(port);
  // An unknown token is refused by the endpoint itself: TLS and HTTP work.
  auto put =
      run({curl_bin(), "-sS", "--cacert", pki.ca_pem, "-o", "/dev/null", "-w", "%{http_code}\n",
           "-X", "PUT", "--data-binary", "x", base + "/uploads/0123456789abcdef/log.txt"},
          {}, 20s);
  INFO(put.err);
  CHECK(put.out.rfind("404", 0) == 0);
  // The console's event stream over TLS: the head and the first comment arrive.
  auto stream = run({curl_bin(), "-sS", "-N", "--max-time", "2", "--cacert", pki.ca_pem, "-H",
                     "Authorization: Bearer " + csms.token(), csms.admin_url() + "/api/stream"},
                    {}, 20s);
  CHECK(stream.out.find(": connected") != std::string::npos);
}

TEST_CASE("a TLS reload gives the admin API and the upload endpoint the new certificate",
          "[e2e][tls][admin][uploads]") {
  TempDir dir;
  TestPki pki(dir);
  const std::string cert = pki.dir + "/live.pem", key = pki.dir + "/live.key";
  pki.sh("cp server.pem live.pem && cp server.key live.key");
  Csms csms(dir,
            {"--tls-cert", cert, "--tls-key", key, "--admin-tls", "true", "--uploads-tls", "true"});
  auto line = csms.process().wait_for_output("file uploads", 5s);
  REQUIRE(line);
  const auto port = https_port(*line);
  REQUIRE(port != 0);
  const std::string upload =
      "https://127.0.0.1:" + std::to_string(port) + "/uploads/0123456789abcdef/log.txt";
  // The HTTP status of a PUT to the upload endpoint trusting `ca`; "000" when
  // TLS failed (curl's code for no answer).
  auto upload_status = [&](const std::string& ca) {
    auto r = run({curl_bin(), "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}\n",
                  "-X", "PUT", "--data-binary", "x", upload},
                 {}, 20s);
    UNSCOPED_INFO("curl: " << r.code << " " << r.out << " " << r.err);
    return r.out.substr(0, 3);
  };
  csms.set_ca_file(pki.ca_pem);
  REQUIRE(csms.ctl({"station", "list"}).code == 0);
  REQUIRE(upload_status(pki.ca_pem) == "404");

  // A certificate from another CA; clients trusting only that CA see it once
  // reloaded, by csmsctl tls reload (over the admin API itself) ...
  TempDir other_dir;
  TestPki other(other_dir);
  pki.sh("cp '" + other.server_pem + "' live.pem && cp '" + other.server_key + "' live.key");
  auto reload = csms.ctl({"tls", "reload"});
  INFO(reload.out << reload.err);
  REQUIRE(reload.code == 0);
  csms.set_ca_file(other.ca_pem);
  CHECK(csms.ctl({"station", "list"}).code == 0);
  CHECK(upload_status(other.ca_pem) == "404");
  csms.set_ca_file(pki.ca_pem);
  auto old = csms.ctl({"station", "list"});
  CHECK(old.code == 1);
  CHECK(old.err.find("the server's certificate is not trusted") != std::string::npos);
  CHECK(upload_status(pki.ca_pem) == "000");

  // ... and by SIGHUP (back to the first certificate).
  pki.sh("cp server.pem live.pem && cp server.key live.key");
  csms.process().signal(SIGHUP);
  CHECK(eventually([&] { return csms.ctl({"station", "list"}).code == 0; }));
  CHECK(upload_status(pki.ca_pem) == "404");
}
