// URLs, station paths, Basic auth and the command line.
#include <catch2/catch.hpp>

#include "simulator/options.hpp"
#include "simulator/url.hpp"

using namespace simulator;

TEST_CASE("url: ws URLs parse into host, port and path") {
  std::string error;
  auto u = parse_ws_url("ws://localhost:9000/ocpp", error);
  REQUIRE(u);
  CHECK(u->host == "localhost");
  CHECK(u->port == "9000");
  CHECK(u->path == "/ocpp");
  CHECK(u->host_header() == "localhost:9000");
  auto bare = parse_ws_url("ws://example.com", error);
  REQUIRE(bare);
  CHECK(bare->port == "80");
  CHECK(bare->path == "/");
  CHECK(bare->host_header() == "example.com");
  auto v6 = parse_ws_url("ws://[::1]:8080/a/b/", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->path == "/a/b");
  CHECK(v6->host_header() == "[::1]:8080");
}

TEST_CASE("url: wss URLs default to port 443 and say they are TLS") {
  std::string error;
  auto u = parse_ws_url("WSS://csms.example:443/ocpp/", error);
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->port == "443");
  CHECK(u->path == "/ocpp");
  CHECK(u->host_header() == "csms.example");
  CHECK(std::string(u->scheme()) == "wss");
  auto other = parse_ws_url("wss://127.0.0.1:8443/ocpp", error);
  REQUIRE(other);
  CHECK(other->host_header() == "127.0.0.1:8443");
  auto plain = parse_ws_url("ws://h/x", error);
  REQUIRE(plain);
  CHECK_FALSE(plain->tls);
}

TEST_CASE("url: unusable URLs are refused with a reason") {
  std::string error;
  CHECK_FALSE(parse_ws_url("http://localhost/ocpp", error));
  CHECK(error.find("wss://") != std::string::npos);
  CHECK_FALSE(parse_ws_url("ws://:9000/x", error));
  CHECK_FALSE(parse_ws_url("ws://host:99999/x", error));
  CHECK_FALSE(parse_ws_url("ws://host:12ab/x", error));
  CHECK_FALSE(parse_ws_url("ws://u:p@host/x", error));
  CHECK_FALSE(parse_ws_url("ws://host/x?a=1", error));
}

TEST_CASE("url: the station id is percent-encoded into the path") {
  std::string error;
  auto u = parse_ws_url("ws://h:1/ocpp", error);
  REQUIRE(u);
  CHECK(station_target(*u, "CP-001") == "/ocpp/CP-001");
  CHECK(station_target(*u, "CP 1/ä") == "/ocpp/CP%201%2F%C3%A4");
  auto root = parse_ws_url("ws://h:1", error);
  CHECK(station_target(*root, "A_b.c~d") == "/A_b.c~d");
}

TEST_CASE("url: Basic auth is base64 of id:password") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(basic_auth("CP1", "secret") == "Basic Q1AxOnNlY3JldA==");
}

TEST_CASE("options: defaults and every flag") {
  std::string error;
  auto o = parse_options({"--url", "ws://h:1/ocpp", "--id", "CP1"}, error);
  REQUIRE(o);
  CHECK(o->connectors == 1);
  CHECK(o->power_w == 7400.0);
  CHECK(o->reconnect_min_ms == 500);
  CHECK(o->reconnect_max_ms == 30000);
  CHECK(o->call_timeout_s == 30.0);
  CHECK(o->vendor == "ocpp-sim");
  CHECK(o->model == "SIM-1");
  CHECK_FALSE(o->password);

  auto all = parse_options({"--url=ws://h:1/ocpp",
                            "--id",
                            "CP1",
                            "--password",
                            "pw",
                            "--ocpp",
                            "1.6",
                            "--connectors",
                            "3",
                            "--scenario",
                            "s.json",
                            "--vendor",
                            "V",
                            "--model",
                            "M",
                            "--serial",
                            "S",
                            "--firmware",
                            "F",
                            "--power-w",
                            "11000",
                            "--heartbeat",
                            "5",
                            "--meter-interval",
                            "1",
                            "--idtag",
                            "TAG",
                            "--reconnect-min-ms",
                            "10",
                            "--reconnect-max-ms",
                            "20",
                            "--call-timeout",
                            "2.5",
                            "--log-level",
                            "debug",
                            "--retry-rejected",
                            "--queue-file",
                            "q.json"},
                           error);
  REQUIRE(all);
  CHECK(all->password == "pw");
  CHECK(all->connectors == 3);
  CHECK(all->scenario == "s.json");
  CHECK(all->power_w == 11000.0);
  CHECK(all->heartbeat_s == 5);
  CHECK(all->meter_interval_s == 1);
  CHECK(all->id_tag == "TAG");
  CHECK(all->reconnect_max_ms == 20);
  CHECK(all->call_timeout_s == 2.5);
  CHECK(all->log_level == LogLevel::Debug);
  CHECK(all->retry_rejected);
  CHECK(all->queue_file == "q.json");
}

TEST_CASE("options: bad command lines say what is wrong") {
  std::string error;
  CHECK_FALSE(parse_options({"--id", "CP1"}, error));
  CHECK(error.find("--url") != std::string::npos);
  CHECK_FALSE(parse_options({"--url", "ws://h/x", "--id", "C", "--connectors", "0"}, error));
  CHECK_FALSE(parse_options({"--url", "ws://h/x", "--id", "C", "--ocpp", "2.1"}, error));
  CHECK_FALSE(parse_options({"--url", "ws://h/x", "--id", "C", "--bogus"}, error));
  CHECK(error.find("--bogus") != std::string::npos);
  CHECK_FALSE(parse_options({"--url", "ws://h/x", "--id", "C", "--power-w"}, error));
  CHECK_FALSE(parse_options(
      {"--url", "ws://h/x", "--id", "C", "--reconnect-min-ms", "100", "--reconnect-max-ms", "50"},
      error));
  CHECK_FALSE(parse_options(
      {"--url", "ws://h/x", "--id", "C", "--vendor", "a-vendor-name-over-twenty"}, error));
  auto help = parse_options({"--help"}, error);
  REQUIRE(help);
  CHECK(help->help);
}

TEST_CASE("options: TLS files, the 1.6 upgrade URL and the password quirk") {
  std::string error;
  auto o = parse_options(
      {"--url", "wss://h/ocpp", "--id", "CP1", "--ca-file", "ca.pem", "--cert", "c.pem", "--key",
       "c.key", "--tls-url", "wss://h:8443/ocpp", "--quirk", "rejects-password"},
      error);
  REQUIRE(o);
  CHECK(o->ca_file == "ca.pem");
  CHECK(o->cert_file == "c.pem");
  CHECK(o->key_file == "c.key");
  CHECK(o->tls_url == "wss://h:8443/ocpp");
  CHECK(o->quirks.rejects_password);
  CHECK_FALSE(parse_options({"--url", "wss://h/ocpp", "--id", "CP1", "--cert", "c.pem"}, error));
  CHECK(error == "--cert and --key go together");
  CHECK_FALSE(
      parse_options({"--url", "ws://h/ocpp", "--id", "CP1", "--tls-url", "ws://h/x"}, error));
  CHECK(error.find("wss://") != std::string::npos);
}
