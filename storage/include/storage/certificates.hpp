#pragma once
// Station certificates the CSMS's CA issued, their revocations and what the
// stations answered to CertificateSigned. Appended records, never edited.

#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// One certificate issued to a station (built-in CA or external command).
struct IssuedCertificate {
  std::string serial;  ///< Upper-case hexadecimal; unique.
  std::string station_id;
  std::string subject;
  DateTime not_before;
  DateTime not_after;
  std::string sha256;             ///< Of the DER certificate.
  std::string public_key_sha256;  ///< Of its SubjectPublicKeyInfo (key reuse check).
  std::string pem;
  DateTime issued_at;
  std::string how;  ///< "built-in" or "external".
  // Filled in by reads:
  std::optional<DateTime> revoked_at;
  std::string revocation_reason;
  std::string delivery;  ///< The station's last CertificateSigned answer; empty: none yet.
};

/// The issued certificates and their revocations.
class CertificateStore {
 public:
  virtual ~CertificateStore() = default;
  virtual void add_issued(const IssuedCertificate& certificate) = 0;
  /// What a station answered to the CertificateSigned carrying `serial`.
  virtual void add_delivery(const std::string& serial, const DateTime& at,
                            const std::string& status) = 0;
  /// Appends a revocation; false when no certificate has this serial.
  virtual bool revoke(const std::string& serial, const DateTime& at, const std::string& reason) = 0;
  virtual std::optional<IssuedCertificate> find(const std::string& serial) = 0;
  /// A station's certificates, newest first.
  virtual std::vector<IssuedCertificate> for_station(const std::string& station_id) = 0;
  /// Every certificate, newest first (renewal sweep, metrics).
  virtual std::vector<IssuedCertificate> all() = 0;
  /// The serials of every revoked certificate (the CRL).
  virtual std::vector<std::string> revoked_serials() = 0;
  /// Public key hashes in certificates issued to stations other than `station_id`.
  virtual std::vector<std::string> keys_of_others(const std::string& station_id) = 0;
};

}  // namespace storage
