// The TLS edges the issue names beside test_tls.cpp and test_tls_profile3.cpp:
// an expired client certificate, a PROXY v2 header in front of TLS (trusted and
// not), and the load generator over wss://.
#include <catch2/catch.hpp>

#include "support/harness.hpp"
#include "support/tls_client.hpp"

using namespace e2e;

namespace {

std::vector<std::string> tls_args(const TestPki& pki) {
  return {"--ocpp-tls-port", "0",       "--tls-cert", pki.server_pem, "--tls-key", pki.server_key,
          "--tls-client-ca", pki.ca_pem};
}

// A PROXY protocol v2 header (PROXY, TCP over IPv4) naming 203.0.113.`last`:12345.
std::string proxy_v2_from(unsigned char last) {
  std::string h("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
  const unsigned char block[12] = {203, 0, 113, last, 127, 0, 0, 1, 0x30, 0x39, 0x1f, 0x90};
  h.append(reinterpret_cast<const char*>(block), sizeof block);
  return h;
}

// The station's security events (csmsctl events --json).
rapidjson::Document events_of(const Csms& csms, const std::string& station) {
  return csms.ctl_json({"events", "--station", station});
}

// The first event of `type` in `events`, or nullptr.
const rapidjson::Value* find_event(const rapidjson::Document& events, const std::string& type) {
  if (!events.IsArray()) return nullptr;
  for (const auto& e : events.GetArray())
    if (e.HasMember("type") && e["type"].IsString() && e["type"].GetString() == type) return &e;
  return nullptr;
}

std::string text(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

}  // namespace

TEST_CASE("an expired client certificate is refused with an event naming the reason",
          "[e2e][tls][profile3]") {
  TempDir dir;
  TestPki pki(dir);
  Csms csms(dir, tls_args(pki));
  REQUIRE(csms.ctl({"station", "add", "CP-EXP", "--security-profile", "3"}).code == 0);
  TlsClientOptions o;
  o.ca_file = pki.ca_pem;
  o.key_file = pki.dir + "/expired.key";
  // Same CA, right CN, but its validity ended yesterday.
  o.cert_file = pki.issue_client("expired", "CP-EXP", "Test Operator", -1);
  TlsWsClient expired(csms.ocpp_tls_port(), "/ocpp/CP-EXP", o);
  INFO(expired.tls_error());
  REQUIRE(expired.tls_ok());  // refused after the handshake, with a reason on record
  CHECK(expired.status() == 401);
  rapidjson::Document events;
  REQUIRE(eventually([&] {
    events = events_of(csms, "CP-EXP");
    return find_event(events, "InvalidClientCertificate") != nullptr;
  }));
  const auto* e = find_event(events, "InvalidClientCertificate");
  INFO(ocpp::to_compact_json(*e));
  CHECK(text(*e, "techInfo").find("certificate has expired") != std::string::npos);
  CHECK(text(*e, "remoteAddress") == "127.0.0.1");

  // The same station with a valid certificate gets in: only the expiry was wrong.
  TlsClientOptions good = o;
  good.key_file = pki.dir + "/valid.key";
  good.cert_file = pki.issue_client("valid", "CP-EXP", "Test Operator", 2);
  TlsWsClient valid(csms.ocpp_tls_port(), "/ocpp/CP-EXP", good);
  CHECK(valid.status() == 101);
}

TEST_CASE("a PROXY v2 header before TLS names the client from a trusted proxy only",
          "[e2e][tls][security]") {
  const std::string password = "proxy-station-password";
  auto wrong_login = [&](const TestPki& pki) {
    TlsClientOptions o;
    o.ca_file = pki.ca_pem;
    o.preamble = proxy_v2_from(7);
    o.authorization = basic_auth("CP-PRX", "not-the-password");
    return o;
  };
  {
    TempDir dir;
    TestPki pki(dir);
    auto args = tls_args(pki);
    args.insert(args.end(), {"--trusted-proxies", "127.0.0.1"});
    Csms csms(dir, args);
    REQUIRE(csms.ctl({"station", "add", "CP-PRX", "--password", password}).code == 0);
    TlsWsClient proxied(csms.ocpp_tls_port(), "/ocpp/CP-PRX", wrong_login(pki));
    INFO(proxied.tls_error());
    REQUIRE(proxied.tls_ok());
    CHECK(proxied.status() == 401);
    // The refusal is recorded with the client's address from the header.
    rapidjson::Document events;
    REQUIRE(eventually([&] {
      events = events_of(csms, "CP-PRX");
      return find_event(events, "InvalidCredentials") != nullptr;
    }));
    CHECK(text(*find_event(events, "InvalidCredentials"), "remoteAddress") == "203.0.113.7");
    // A right password through the proxy opens the connection.
    TlsClientOptions right = wrong_login(pki);
    right.authorization = basic_auth("CP-PRX", password);
    TlsWsClient ok(csms.ocpp_tls_port(), "/ocpp/CP-PRX", right);
    CHECK(ok.status() == 101);
  }
  {
    // From a peer that is not a trusted proxy the header is not believed: the
    // connection is dropped before TLS.
    TempDir dir;
    TestPki pki(dir);
    Csms csms(dir, tls_args(pki));
    REQUIRE(csms.ctl({"station", "add", "CP-PRX", "--password", password}).code == 0);
    TlsWsClient dropped(csms.ocpp_tls_port(), "/ocpp/CP-PRX", wrong_login(pki));
    CHECK_FALSE(dropped.open());
    CHECK(dropped.status() != 401);
    CHECK(eventually([&] {
      return csms.process().stderr_text().find("not a trusted proxy: connection dropped") !=
             std::string::npos;
    }));
    auto events = events_of(csms, "CP-PRX");
    CHECK(find_event(events, "InvalidCredentials") == nullptr);
  }
}

TEST_CASE("fleet: stations connect and boot over wss with the CA file", "[e2e][fleet][tls]") {
  TempDir dir;
  TestPki pki(dir);
  auto args = tls_args(pki);
  args.insert(args.end(), {"--accept-unknown", "--unknown-boot-status", "Accepted"});
  Csms csms(dir, args);
  const std::string url = "wss://127.0.0.1:" + std::to_string(csms.ocpp_tls_port()) + "/ocpp";
  auto result = run({OCPP_SIM_BIN, "fleet", "--url", url, "--ca-file", pki.ca_pem, "--json",
                     "--stations", "20", "--v201-share", "0.5", "--charging-share", "0", "--ramp",
                     "0", "--duration", "1", "--warmup", "0"},
                    {}, 60s);
  INFO(result.err);
  REQUIRE(result.code == 0);
  rapidjson::Document r;
  r.Parse(result.out.c_str());
  INFO(result.out);
  REQUIRE(r.IsObject());
  CHECK(r["connect"]["ok"].GetUint64() == 20);
  CHECK(r["connect"]["tls_failed"].GetUint64() == 0);
  CHECK(r["actions"]["BootNotification"]["ok"].GetUint64() == 20);
  CHECK(r["connect_boot"]["count"].GetUint64() == 20);
  // Without the CA file the server is not trusted: TLS fails, nothing boots.
  auto untrusted = run({OCPP_SIM_BIN, "fleet", "--url", url, "--json", "--stations", "2", "--ramp",
                        "0", "--duration", "1", "--warmup", "0"},
                       {}, 60s);
  rapidjson::Document u;
  u.Parse(untrusted.out.c_str());
  if (u.IsObject()) {
    CHECK(u["connect"]["tls_failed"].GetUint64() > 0);
    CHECK(u["connect"]["ok"].GetUint64() == 0);
  }
}
