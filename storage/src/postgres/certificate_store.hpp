#pragma once
// The PostgreSQL CertificateStore (tables issued_certificates,
// certificate_revocations, certificate_deliveries; migration 0002).

#include "postgres/statement.hpp"
#include "storage/certificates.hpp"

namespace storage::pg {

/// Issued station certificates, revocations and deliveries on PostgreSQL.
class PgCertificateStore final : public CertificateStore {
 public:
  explicit PgCertificateStore(PgConnection& db) : db_(db) {}
  void add_issued(const IssuedCertificate& certificate) override;
  void add_delivery(const std::string& serial, const DateTime& at,
                    const std::string& status) override;
  bool revoke(const std::string& serial, const DateTime& at, const std::string& reason) override;
  std::optional<IssuedCertificate> find(const std::string& serial) override;
  std::vector<IssuedCertificate> for_station(const std::string& station_id) override;
  std::vector<IssuedCertificate> all() override;
  std::vector<std::string> revoked_serials() override;
  std::vector<std::string> keys_of_others(const std::string& station_id) override;

 private:
  std::vector<IssuedCertificate> select(const std::string& where, const std::string& arg);
  PgConnection& db_;
};

}  // namespace storage::pg
