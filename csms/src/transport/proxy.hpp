#pragma once
// Trusted proxies (network.trusted_proxies): CIDR matching, the client named by
// X-Forwarded-For, and the PROXY protocol v2 header (haproxy's proxy-protocol.txt).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csms::transport {

/// One network: an IPv4 or IPv6 address and a prefix length.
struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  int prefix = 0;
};

/// "10.0.0.0/8", "2001:db8::/32" or a bare address (a host); nullopt with
/// `problem` set when malformed.
std::optional<Cidr> parse_cidr(std::string_view text, std::string& problem);

/// Whether the textual address lies in one of `nets` (a v4-mapped IPv6
/// address counts as IPv4). False for text that is no address.
bool address_in(std::string_view address, const std::vector<Cidr>& nets);

/// The client named by the X-Forwarded-For `headers` (in arrival order) of a
/// request from trusted `peer`: the rightmost address that is not itself a
/// trusted proxy; an entry that is no address stops the walk (the address
/// right of it counts). `peer` when the headers name nothing usable.
std::string forwarded_client(const std::vector<std::string>& headers, const std::string& peer,
                             const std::vector<Cidr>& trusted);

/// The 12-byte PROXY v2 signature.
constexpr std::size_t kProxyV2SignatureSize = 12;
/// Whether `data` starts with (or, when shorter, could still start with) the signature.
bool proxy_v2_signature_prefix(std::string_view data);

/// A parsed PROXY v2 header.
struct ProxyV2 {
  enum class Status { need_more, invalid, ok };
  Status status = Status::need_more;
  std::size_t length = 0;  ///< Header bytes (ok): what follows belongs to the next layer.
  std::string source;      ///< Client address; empty for LOCAL or an unspecified family.
  std::string problem;     ///< Why invalid.
};
/// Parses a PROXY v2 header at the start of `data` (which starts with the signature).
ProxyV2 parse_proxy_v2(std::string_view data);

}  // namespace csms::transport
