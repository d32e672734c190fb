#pragma once
// Checks of the certificate material an operator sends (InstallCertificate,
// CertificateSigned, DeleteCertificate), shared by the 1.6 and 2.0.1 commands,
// so a bad PEM or hash is refused before anything reaches the station.

#include <cstddef>
#include <optional>
#include <string>

#include "handlers/command_support.hpp"

namespace csms {

/// The schema limits both versions share.
inline constexpr std::size_t kCertificateMax = 5500;        ///< InstallCertificate.certificate
inline constexpr std::size_t kCertificateChainMax = 10000;  ///< CertificateSigned.certificateChain
inline constexpr std::size_t kHashMax = 128;                ///< issuerNameHash, issuerKeyHash
inline constexpr std::size_t kSerialMax = 40;               ///< serialNumber

/// Empty when `pem` is PEM-encoded X.509 certificate(s) OpenSSL can parse, at
/// most `max_chars` long, exactly one unless `chain`; otherwise what is wrong,
/// naming `what`.
std::string pem_problem(const std::string& pem, std::size_t max_chars, bool chain,
                        const char* what);

/// The PEM text from `param` (e.g. "certificate"; csmsctl --file reads a file
/// into it), checked with pem_problem. Fails `p` when absent or bad.
std::optional<std::string> pem_param(Params& p, const char* param, std::size_t max_chars,
                                     bool chain);

/// A hexadecimal string parameter of 1..max_chars characters (certificate hashes).
std::optional<std::string> hex_param(Params& p, const char* name, std::size_t max_chars);

/// The certificate's serial number: 'serialNumber', or 'serial' as csmsctl's
/// --serial gives it; hexadecimal, at most 40 characters.
std::optional<std::string> serial_param(Params& p);

}  // namespace csms
