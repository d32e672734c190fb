#pragma once
// The certificates a simulated station keeps (InstallCertificate,
// CertificateSigned), identified as OCPP does: SHA-256 hashes of the issuer's
// name and key and the serial number (the OCSP CertID). Version-neutral: the
// 1.6 and 2.0.1 adapters translate types and statuses. Uses OpenSSL.

#include <optional>
#include <string>
#include <vector>

namespace simulator {

/// A certificate's identity as OCPP's CertificateHashDataType carries it
/// (hexadecimal, lower case; hash algorithm SHA256).
struct CertificateHash {
  std::string issuer_name_hash;
  std::string issuer_key_hash;
  std::string serial_number;  ///< Without leading zeros.
};

/// One installed certificate or chain.
struct InstalledCertificate {
  std::string type;  ///< The OCPP type name, e.g. "CSMSRootCertificate", "V2GCertificateChain".
  std::string pem;
  CertificateHash hash;                   ///< Of the first certificate.
  std::vector<CertificateHash> children;  ///< Of the certificates after it (a chain).
};

/// Certificates by type, in installation order.
class CertificateStore {
 public:
  /// Keeps `pem` (one certificate, or a chain when `chain`) under `type`,
  /// replacing the same certificate of any type. False with `error` set when it
  /// is not PEM X.509 that OpenSSL can read.
  bool install(const std::string& type, const std::string& pem, bool chain, std::string& error);
  /// Those of `types` (every one when empty).
  std::vector<const InstalledCertificate*> list(const std::vector<std::string>& types) const;
  /// Removes the certificate with that identity (hex compared case-insensitively).
  bool remove(const CertificateHash& hash);
  /// What a DeleteCertificate did: the same rule in both versions.
  enum class Deletion { NotFound, OwnCertificate, Deleted };
  /// Removes the certificate with that identity unless it is of `own_type`: a
  /// station's own certificate is replaced, never deleted (2.0.1 M04.FR.06).
  Deletion delete_unless_own(const CertificateHash& hash, const std::string& own_type);
  /// The type of the certificate with that identity, if installed.
  std::optional<std::string> type_of(const CertificateHash& hash) const;
  std::size_t size() const { return certificates_.size(); }

 private:
  std::vector<InstalledCertificate> certificates_;
};

/// A Deletion as the version's DeleteCertificateStatusEnumType (both spell it alike).
template <class Status>
Status delete_status(CertificateStore::Deletion d) {
  switch (d) {
    case CertificateStore::Deletion::Deleted:
      return Status::Accepted;
    case CertificateStore::Deletion::OwnCertificate:
      return Status::Failed;
    case CertificateStore::Deletion::NotFound:
      break;
  }
  return Status::NotFound;
}

/// The identities of the PEM certificates in `pem` (a chain: each issuer is
/// looked for in the chain, then in `known`; a self-issued one is its own
/// issuer). nullopt with `error` set when there is none or one is unreadable.
std::optional<std::vector<CertificateHash>> certificate_hashes(
    const std::string& pem, std::string& error, const std::vector<std::string>& known = {});

/// A new P-256 key pair and a PEM certificate signing request for it, subject
/// CN=`common_name`, O=`organization`, signed with SHA-256; the private key
/// (PEM) goes to `key_pem` when given. Empty with `error` set on failure.
std::string make_csr(const std::string& common_name, const std::string& organization,
                     std::string& error, std::string* key_pem = nullptr);

}  // namespace simulator
