#include "postgres/certificate_store.hpp"

namespace storage::pg {

void PgCertificateStore::add_issued(const IssuedCertificate& c) {
  Statement st(db_,
               "INSERT INTO issued_certificates (serial, station_id, subject, not_before, "
               "not_after, sha256, public_key_sha256, pem, issued_at, how) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
  st.bind_all(c.serial, c.station_id, c.subject, c.not_before, c.not_after, c.sha256,
              c.public_key_sha256, c.pem, c.issued_at, c.how);
  st.run();
}

void PgCertificateStore::add_delivery(const std::string& serial, const DateTime& at,
                                      const std::string& status) {
  Statement st(db_,
               "INSERT INTO certificate_deliveries (serial, answered_at, status) "
               "VALUES ($1, $2, $3)");
  st.bind_all(serial, at, status);
  st.run();
}

bool PgCertificateStore::revoke(const std::string& serial, const DateTime& at,
                                const std::string& reason) {
  // One statement: the revocation is appended only for a known serial.
  Statement st(db_,
               "INSERT INTO certificate_revocations (serial, revoked_at, reason) "
               "SELECT serial, $2::bigint, $3::text FROM issued_certificates WHERE serial = $1");
  st.bind_all(serial, at, reason);
  st.run();
  return st.changes() > 0;
}

std::vector<IssuedCertificate> PgCertificateStore::select(const std::string& where,
                                                          const std::string& arg) {
  // The first revocation counts; the newest delivery answer is shown.
  Statement st(db_,
               "SELECT c.serial, c.station_id, c.subject, c.not_before, c.not_after, c.sha256, "
               "c.public_key_sha256, c.pem, c.issued_at, c.how, "
               "(SELECT MIN(revoked_at) FROM certificate_revocations r WHERE r.serial = c.serial), "
               "(SELECT reason FROM certificate_revocations r WHERE r.serial = c.serial "
               " ORDER BY r.id LIMIT 1), "
               "(SELECT status FROM certificate_deliveries d WHERE d.serial = c.serial "
               " ORDER BY d.id DESC LIMIT 1) "
               "FROM issued_certificates c " +
                   where + " ORDER BY c.issued_at DESC, c.serial COLLATE \"C\"");
  if (!where.empty()) st.bind_all(arg);
  std::vector<IssuedCertificate> out;
  while (st.step()) {
    IssuedCertificate c;
    c.serial = st.text(0);
    c.station_id = st.text(1);
    c.subject = st.text(2);
    c.not_before = st.time(3);
    c.not_after = st.time(4);
    c.sha256 = st.text(5);
    c.public_key_sha256 = st.text(6);
    c.pem = st.text(7);
    c.issued_at = st.time(8);
    c.how = st.text(9);
    c.revoked_at = st.opt_time(10);
    c.revocation_reason = st.opt_text(11).value_or("");
    c.delivery = st.opt_text(12).value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<IssuedCertificate> PgCertificateStore::find(const std::string& serial) {
  auto found = select("WHERE c.serial = $1", serial);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<IssuedCertificate> PgCertificateStore::for_station(const std::string& station_id) {
  return select("WHERE c.station_id = $1", station_id);
}

std::vector<IssuedCertificate> PgCertificateStore::all() {
  return select("", "");
}

std::vector<std::string> PgCertificateStore::revoked_serials() {
  Statement st(db_,
               "SELECT serial FROM certificate_revocations GROUP BY serial "
               "ORDER BY serial COLLATE \"C\"");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::vector<std::string> PgCertificateStore::keys_of_others(const std::string& station_id) {
  Statement st(db_,
               "SELECT DISTINCT public_key_sha256 FROM issued_certificates WHERE station_id <> $1");
  st.bind_all(station_id);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

}  // namespace storage::pg
