#pragma once
// The operator's certificate authority for stations (OpenSSL): creating and
// loading the CA, checking a station's CSR, signing it, a server certificate
// for lab setups and the CRL. Pure functions and a value type; no threads, no
// storage: the caller decides where the (slow) key operations run.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace csms::security {

/// Thrown for a CA that cannot be created, read or used; the message names the
/// problem (never key material).
class CaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a certificate says about itself, as the CSMS records it.
struct CertificateFacts {
  std::string pem;
  std::string serial;           ///< Upper-case hexadecimal, no leading zeros.
  std::string subject;          ///< One line, e.g. "O=Acme, CN=CP1".
  std::int64_t not_before = 0;  ///< Unix seconds.
  std::int64_t not_after = 0;
  std::string sha256;             ///< Of the DER certificate, lower-case hex.
  std::string public_key_sha256;  ///< Of the DER SubjectPublicKeyInfo, lower-case hex.
};

/// Reads the first certificate of `pem`; throws CaError when there is none.
CertificateFacts certificate_facts(const std::string& pem);

/// What a station's certificate must say (security.station_cert_cn, .organization).
struct CsrRules {
  std::string expected_cn;   ///< The station's identity, or its serial number.
  std::string organization;  ///< Empty: O is not checked.
  /// Public key hashes (CertificateFacts::public_key_sha256) already in
  /// certificates issued to other stations.
  std::vector<std::string> keys_of_others;
};

/// The outcome of checking a CSR: empty `problem` when it may be signed.
struct CsrCheck {
  std::string problem;
  std::string subject;
  std::string public_key_sha256;
};

/// Checks a PEM CSR: it parses, its signature verifies, its key is EC P-256 /
/// P-384 or RSA of at least 2048 bits, CN and O are as `rules` say and its key
/// is not another station's.
CsrCheck check_csr(const std::string& csr_pem, const CsrRules& rules);

/// A server certificate and its private key (PEM).
struct ServerCertificate {
  std::string chain_pem;  ///< The server certificate, then the CA certificate.
  std::string key_pem;
};

/// A loaded CA: its certificate and private key.
class CertificateAuthority {
 public:
  /// Creates a CA (EC P-256, self-signed, 10 years, O = org, CN = "<org> Station
  /// CA") into the two files: directories made 0700, the key 0600. Refuses
  /// (CaError) when either file exists.
  static void create(const std::string& organization, const std::string& cert_file,
                     const std::string& key_file);
  /// Loads a CA; throws CaError when the files are missing or do not match.
  static CertificateAuthority load(const std::string& cert_file, const std::string& key_file);

  CertificateAuthority(CertificateAuthority&&) noexcept;
  CertificateAuthority& operator=(CertificateAuthority&&) noexcept;
  ~CertificateAuthority();

  const CertificateFacts& facts() const { return facts_; }
  const std::string& certificate_pem() const { return facts_.pem; }

  /// Signs a CSR already checked with check_csr: a client certificate
  /// (digitalSignature, keyAgreement; clientAuth) valid for `days` days from now.
  CertificateFacts sign_station(const std::string& csr_pem, int days) const;
  /// A new key and a server certificate for the CSMS (serverAuth) naming these
  /// DNS names and IP addresses; throws CaError for an IP that does not parse.
  ServerCertificate issue_server(const std::vector<std::string>& dns,
                                 const std::vector<std::string>& ips, int days) const;
  /// A CRL (PEM) listing these serials (hexadecimal), valid for `days` days.
  std::string crl(const std::vector<std::string>& revoked_serials, int days) const;

 private:
  struct Keys;
  explicit CertificateAuthority(std::unique_ptr<Keys> keys, CertificateFacts facts);
  std::unique_ptr<Keys> keys_;
  CertificateFacts facts_;
};

/// Writes `text` to `path` atomically (a temporary file, then rename) with
/// permissions `mode`; throws CaError.
void write_file_atomically(const std::string& path, const std::string& text, unsigned mode);

}  // namespace csms::security
