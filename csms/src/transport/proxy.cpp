#include "transport/proxy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace csms::transport {

namespace {

constexpr char kSignature[kProxyV2SignatureSize + 1] = "\r\n\r\n\0\r\nQUIT\n";
// Generous for TLVs (cloud load balancers add a few); more is not a proxy of ours.
constexpr std::size_t kMaxProxyHeader = 4096;

// An address as 16 bytes, v4 in the first four; v4-mapped v6 becomes v4.
std::optional<Cidr> parse_address(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string s(text);
  Cidr c;
  if (inet_pton(AF_INET, s.c_str(), c.bytes.data()) == 1) {
    c.prefix = 32;
    return c;
  }
  if (inet_pton(AF_INET6, s.c_str(), c.bytes.data()) == 1) {
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(c.bytes.data(), kMapped, 12) == 0) {
      std::memmove(c.bytes.data(), c.bytes.data() + 12, 4);
      std::fill(c.bytes.begin() + 4, c.bytes.end(), 0);
      c.prefix = 32;
      return c;
    }
    c.v6 = true;
    c.prefix = 128;
    return c;
  }
  return std::nullopt;
}

bool contains(const Cidr& net, const Cidr& addr) {
  if (net.v6 != addr.v6) return false;
  int bits = net.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((net.bytes[i] & mask) != (addr.bytes[i] & mask)) return false;
  }
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string address_text(bool v6, const unsigned char* bytes) {
  char out[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, sizeof out)) return "";
  if (v6) {
    // A v4-mapped source reads as IPv4, like the TCP peers do.
    if (auto a = parse_address(out); a && !a->v6) return address_text(false, a->bytes.data());
  }
  return out;
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, std::string& problem) {
  const auto slash = text.find('/');
  auto c = parse_address(text.substr(0, slash));
  if (!c) {
    problem = "'" + std::string(text) + "' is not an IP address or CIDR";
    return std::nullopt;
  }
  if (slash == std::string_view::npos) return c;
  const std::string_view len = text.substr(slash + 1);
  const int max = c->v6 ? 128 : 32;
  int prefix = 0;
  if (len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
      (prefix = std::stoi(std::string(len))) > max) {
    problem = "'" + std::string(text) + "': prefix length must be 0.." + std::to_string(max);
    return std::nullopt;
  }
  c->prefix = prefix;
  return c;
}

bool address_in(std::string_view address, const std::vector<Cidr>& nets) {
  auto a = parse_address(address);
  if (!a) return false;
  return std::any_of(nets.begin(), nets.end(), [&a](const Cidr& n) { return contains(n, *a); });
}

std::string forwarded_client(const std::vector<std::string>& headers, const std::string& peer,
                             const std::vector<Cidr>& trusted) {
  std::vector<std::string> hops;
  for (const auto& h : headers) {
    std::string_view v = h;
    while (true) {
      const auto comma = v.find(',');
      hops.push_back(trim(v.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  std::string client = peer;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto a = parse_address(*it);
    if (!a) break;  // forged or garbled: trust nothing left of it
    client = a->v6 ? address_text(true, a->bytes.data()) : address_text(false, a->bytes.data());
    if (!address_in(client, trusted)) break;
  }
  return client;
}

bool proxy_v2_signature_prefix(std::string_view data) {
  const std::size_t n = std::min(data.size(), kProxyV2SignatureSize);
  return std::memcmp(data.data(), kSignature, n) == 0;
}

ProxyV2 parse_proxy_v2(std::string_view data) {
  ProxyV2 r;
  auto invalid = [&r](std::string why) {
    r.status = ProxyV2::Status::invalid;
    r.problem = std::move(why);
    return r;
  };
  if (!proxy_v2_signature_prefix(data)) return invalid("no PROXY v2 signature");
  if (data.size() < 16) return r;
  const auto* b = reinterpret_cast<const unsigned char*>(data.data());
  if ((b[12] >> 4) != 2) return invalid("PROXY protocol version is not 2");
  const int command = b[12] & 0x0f;
  if (command > 1) return invalid("unknown PROXY v2 command");
  const std::size_t length = (std::size_t{b[14]} << 8) | b[15];
  if (16 + length > kMaxProxyHeader) return invalid("PROXY v2 header too long");
  if (data.size() < 16 + length) return r;
  r.length = 16 + length;
  const int family = b[13] >> 4;
  if (command == 1 && family == 1) {
    if (length < 12) return invalid("PROXY v2 IPv4 address block too short");
    r.source = address_text(false, b + 16);
  } else if (command == 1 && family == 2) {
    if (length < 36) return invalid("PROXY v2 IPv6 address block too short");
    r.source = address_text(true, b + 16);
  } else if (command == 1 && family > 3) {
    return invalid("unknown PROXY v2 address family");
  }
  r.status = ProxyV2::Status::ok;
  return r;
}

}  // namespace csms::transport
