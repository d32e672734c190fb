// Trusted proxies: CIDR matching, the X-Forwarded-For choice and the PROXY v2 parser.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "transport/proxy.hpp"

using namespace csms::transport;

namespace {

std::vector<Cidr> nets(std::initializer_list<const char*> texts) {
  std::vector<Cidr> out;
  for (const char* t : texts) {
    std::string problem;
    auto c = parse_cidr(t, problem);
    REQUIRE(c);
    out.push_back(*c);
  }
  return out;
}

std::string header(unsigned char ver_cmd, unsigned char family, const std::string& block) {
  std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
  h.push_back(static_cast<char>(ver_cmd));
  h.push_back(static_cast<char>(family));
  h.push_back(static_cast<char>(block.size() >> 8));
  h.push_back(static_cast<char>(block.size() & 0xff));
  return h + block;
}

}  // namespace

TEST_CASE("CIDRs match v4 and v6 addresses by prefix", "[proxy][security]") {
  const auto trusted = nets({"10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "0.0.0.0/0"});
  CHECK(address_in("10.255.1.2", nets({"10.0.0.0/8"})));
  CHECK_FALSE(address_in("11.0.0.1", nets({"10.0.0.0/8"})));
  CHECK(address_in("192.168.1.7", nets({"192.168.1.7"})));
  CHECK_FALSE(address_in("192.168.1.8", nets({"192.168.1.7"})));
  CHECK(address_in("2001:db8:1::5", nets({"2001:db8::/32"})));
  CHECK_FALSE(address_in("2001:db9::5", nets({"2001:db8::/32"})));
  CHECK(address_in("::ffff:10.1.2.3", nets({"10.0.0.0/8"})));
  CHECK_FALSE(address_in("10.1.2.3", nets({"2001:db8::/32"})));
  CHECK(address_in("8.8.8.8", nets({"0.0.0.0/0"})));
  CHECK(address_in("10.1.2.3", nets({"10.1.2.0/23"})));
  CHECK_FALSE(address_in("10.1.4.3", nets({"10.1.2.0/23"})));
  CHECK_FALSE(address_in("not-an-address", trusted));
  std::string problem;
  CHECK_FALSE(parse_cidr("10.0.0.0/33", problem));
  CHECK_FALSE(parse_cidr("10.0.0/8", problem));
  CHECK_FALSE(parse_cidr("::/129", problem));
  CHECK_FALSE(parse_cidr("10.0.0.0/", problem));
  CHECK(problem.find("prefix") != std::string::npos);
}

TEST_CASE("the forwarded client is the rightmost address that is not a trusted proxy",
          "[proxy][security]") {
  const auto trusted = nets({"10.0.0.0/8"});
  CHECK(forwarded_client({"203.0.113.5"}, "10.0.0.1", trusted) == "203.0.113.5");
  // A client-supplied (forged) entry left of the real client is ignored.
  CHECK(forwarded_client({"1.2.3.4, 203.0.113.5, 10.0.0.9"}, "10.0.0.1", trusted) == "203.0.113.5");
  // Several headers read as one list, in order.
  CHECK(forwarded_client({"1.2.3.4", "203.0.113.5", "10.0.0.9"}, "10.0.0.1", trusted) ==
        "203.0.113.5");
  CHECK(forwarded_client({"2001:db8::1"}, "10.0.0.1", trusted) == "2001:db8::1");
  // Garbage stops the walk: the address right of it counts.
  CHECK(forwarded_client({"203.0.113.5, junk, 10.0.0.9"}, "10.0.0.1", trusted) == "10.0.0.9");
  CHECK(forwarded_client({"junk"}, "10.0.0.1", trusted) == "10.0.0.1");
  CHECK(forwarded_client({}, "10.0.0.1", trusted) == "10.0.0.1");
  // Only trusted hops: the leftmost one is the client.
  CHECK(forwarded_client({"10.0.0.3, 10.0.0.9"}, "10.0.0.1", trusted) == "10.0.0.3");
}

TEST_CASE("PROXY v2 headers give the source and their length", "[proxy][security]") {
  const std::string v4_block("\xcb\x00\x71\x05\x0a\x00\x00\x01\x30\x39\x1f\x90", 12);
  auto h = header(0x21, 0x11, v4_block);
  auto r = parse_proxy_v2(h + "GET / HTTP/1.1");
  REQUIRE(r.status == ProxyV2::Status::ok);
  CHECK(r.source == "203.0.113.5");
  CHECK(r.length == h.size());

  std::string v6_block(36, '\0');
  v6_block[0] = '\x20';
  v6_block[1] = '\x01';
  v6_block[2] = '\x0d';
  v6_block[3] = '\xb8';
  v6_block[15] = '\x07';
  r = parse_proxy_v2(header(0x21, 0x21, v6_block));
  REQUIRE(r.status == ProxyV2::Status::ok);
  CHECK(r.source == "2001:db8::7");

  // LOCAL (a health check by the proxy itself): no source, the peer counts.
  r = parse_proxy_v2(header(0x20, 0x00, ""));
  REQUIRE(r.status == ProxyV2::Status::ok);
  CHECK(r.source.empty());

  // TLVs after the addresses are skipped.
  r = parse_proxy_v2(header(0x21, 0x11, v4_block + std::string("\x04\x00\x01x", 4)));
  REQUIRE(r.status == ProxyV2::Status::ok);
  CHECK(r.length == 16 + 16);

  CHECK(parse_proxy_v2(h.substr(0, 10)).status == ProxyV2::Status::need_more);
  CHECK(parse_proxy_v2(h.substr(0, 20)).status == ProxyV2::Status::need_more);
  CHECK(parse_proxy_v2(header(0x11, 0x11, v4_block)).status == ProxyV2::Status::invalid);
  CHECK(parse_proxy_v2(header(0x23, 0x11, v4_block)).status == ProxyV2::Status::invalid);
  CHECK(parse_proxy_v2(header(0x21, 0x11, "short")).status == ProxyV2::Status::invalid);
  CHECK(parse_proxy_v2("GET / HTTP/1.1\r\n\r\n").status == ProxyV2::Status::invalid);
  CHECK(proxy_v2_signature_prefix(std::string("\r\n\r\n", 4)));
  CHECK_FALSE(proxy_v2_signature_prefix("GET "));
}
