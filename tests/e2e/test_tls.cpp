// wss:// end to end: the real csms with certificates made at test time.
#include <openssl/ssl.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "support/harness.hpp"
#include "support/tls_client.hpp"

using namespace e2e;

namespace {

std::vector<std::string> tls_args(const TestPki& pki, const std::string& cert,
                                  const std::string& key) {
  return {"--ocpp-tls-port", "0", "--tls-cert",      cert,
          "--tls-key",       key, "--tls-client-ca", pki.ca_pem};
}

}  // namespace

TEST_CASE("a station with a password connects over wss and gets its subprotocol", "[e2e][tls]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, tls_args(pki, pki.server_pem, pki.server_key));
  REQUIRE(csms.ctl({"station", "add", "CP1", "--password", "a-long-password-1"}).code == 0);
  TlsClientOptions o;
  o.ca_file = pki.ca_pem;
  o.authorization = basic_auth("CP1", "a-long-password-1");
  TlsWsClient ws(csms.ocpp_tls_port(), "/ocpp/CP1", o);
  INFO(ws.tls_error());
  REQUIRE(ws.tls_ok());
  CHECK(ws.status() == 101);
  CHECK(ws.subprotocol() == "ocpp1.6");
  auto hb = ws.call(R"([2,"h1","Heartbeat",{}])");
  CHECK(hb);
  // The wrong password is refused over TLS as over ws://.
  o.authorization = basic_auth("CP1", "not-the-password");
  TlsWsClient bad(csms.ocpp_tls_port(), "/ocpp/CP1", o);
  CHECK(bad.tls_ok());
  CHECK(bad.status() == 401);
}

TEST_CASE("TLS 1.1 and a TLS 1.2 suite outside the OCPP list are refused", "[e2e][tls]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, tls_args(pki, pki.server_pem, pki.server_key));
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  TlsClientOptions old;
  old.ca_file = pki.ca_pem;
  old.min_version = TLS1_1_VERSION;
  old.max_version = TLS1_1_VERSION;
  TlsWsClient v11(csms.ocpp_tls_port(), "/ocpp/CP1", old);
  CHECK_FALSE(v11.tls_ok());
  TlsClientOptions chacha;
  chacha.ca_file = pki.ca_pem;
  chacha.max_version = TLS1_2_VERSION;
  chacha.cipher_list = "ECDHE-ECDSA-CHACHA20-POLY1305:AES128-SHA";
  TlsWsClient weak(csms.ocpp_tls_port(), "/ocpp/CP1", chacha);
  CHECK_FALSE(weak.tls_ok());
  // The OCPP suite on TLS 1.2 works.
  TlsClientOptions gcm;
  gcm.ca_file = pki.ca_pem;
  gcm.max_version = TLS1_2_VERSION;
  gcm.cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";
  TlsWsClient good(csms.ocpp_tls_port(), "/ocpp/CP1", gcm);
  INFO(good.tls_error());
  CHECK(good.tls_ok());
  CHECK(good.status() == 101);
}

TEST_CASE("client certificates arrive with their subject and verification result", "[e2e][tls]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, tls_args(pki, pki.server_pem, pki.server_key));
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  TlsClientOptions o;
  o.ca_file = pki.ca_pem;
  o.cert_file = pki.issue_client("cp1", "CP1", "Test Operator");
  o.key_file = pki.dir + "/cp1.key";
  TlsWsClient good(csms.ocpp_tls_port(), "/ocpp/CP1", o);
  INFO(good.tls_error());
  REQUIRE(good.tls_ok());
  CHECK(eventually([&] {
    return csms.process().stderr_text().find("CN=CP1 O=Test Operator serial") !=
               std::string::npos &&
           csms.process().stderr_text().find("verified") != std::string::npos;
  }));
  o.cert_file = pki.issue_client("alien", "CP1", "Test Operator", 2, true);
  o.key_file = pki.dir + "/alien.key";
  TlsWsClient foreign(csms.ocpp_tls_port(), "/ocpp/CP1", o);
  CHECK(foreign.tls_ok());  // a bad certificate never fails the TLS handshake
  CHECK(eventually([&] {
    return csms.process().stderr_text().find("not verified: unable to") != std::string::npos;
  }));
}

TEST_CASE("SIGHUP and csmsctl tls reload pick up a new server certificate", "[e2e][tls]") {
  TempDir dir;
  TestPki pki(dir);
  const std::string cert = pki.dir + "/live.pem", key = pki.dir + "/live.key";
  pki.sh("cp server.pem live.pem && cp server.key live.key");
  Csms csms(dir, tls_args(pki, cert, key));
  REQUIRE(csms.ctl({"station", "add", "CP1"}).code == 0);
  // A broken file keeps the old certificate and says why.
  pki.sh("echo broken > live.pem");
  auto failed = csms.ctl({"tls", "reload"});
  CHECK(failed.code != 0);
  CHECK((failed.out + failed.err).find("TLS reload failed") != std::string::npos);
  TlsClientOptions o;
  o.ca_file = pki.ca_pem;
  {
    TlsWsClient still(csms.ocpp_tls_port(), "/ocpp/CP1", o);
    CHECK(still.status() == 101);
  }
  // A new certificate from another CA: clients trusting only the new CA see it.
  TempDir other_dir;
  TestPki other(other_dir);
  pki.sh("cp '" + other.server_pem + "' live.pem && cp '" + other.server_key + "' live.key");
  CHECK(csms.ctl({"tls", "reload"}).code == 0);
  TlsClientOptions n;
  n.ca_file = other.ca_pem;
  {
    TlsWsClient renewed(csms.ocpp_tls_port(), "/ocpp/CP1", n);
    INFO(renewed.tls_error());
    CHECK(renewed.status() == 101);
  }
  // SIGHUP reloads too (back to the first certificate).
  pki.sh("cp server.pem live.pem && cp server.key live.key");
  csms.process().signal(SIGHUP);
  // CP1 has no password: wait until the server saw the last client go.
  CHECK(eventually([&] {
    TlsWsClient back(csms.ocpp_tls_port(), "/ocpp/CP1", o);
    return back.status() == 101;
  }));
}
