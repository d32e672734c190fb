#pragma once
// The certificate store, written once for SQLite and PostgreSQL.
// Included by one .cpp per backend, which instantiates it.

#include "common/stores.hpp"

namespace storage::common {

template <class D>
void CertificateStoreT<D>::add_issued(const IssuedCertificate& c) {
  Statement st(db_,
               "INSERT INTO issued_certificates (serial, station_id, subject, not_before, "
               "not_after, sha256, public_key_sha256, pem, issued_at, how) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_all(c.serial, c.station_id, c.subject, c.not_before, c.not_after, c.sha256,
              c.public_key_sha256, c.pem, c.issued_at, c.how);
  st.run();
}

template <class D>
void CertificateStoreT<D>::add_delivery(const std::string& serial, const DateTime& at,
                                        const std::string& status) {
  Statement st(db_,
               "INSERT INTO certificate_deliveries (serial, answered_at, status) VALUES (?, ?, ?)");
  st.bind_all(serial, at, status);
  st.run();
}

template <class D>
bool CertificateStoreT<D>::revoke(const std::string& serial, const DateTime& at,
                                  const std::string& reason) {
  // One statement: the revocation is appended only for a known serial.
  Statement st(db_,
               "INSERT INTO certificate_revocations (serial, revoked_at, reason) "
               "SELECT serial, CAST(? AS BIGINT), CAST(? AS TEXT) FROM issued_certificates "
               "WHERE serial = ?");
  st.bind_all(at, reason, serial);
  st.run();
  return st.changes() > 0;
}

template <class D>
std::vector<IssuedCertificate> CertificateStoreT<D>::select(const std::string& where,
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
                   where + " ORDER BY c.issued_at DESC, c.serial" + D::kCollateC);
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

template <class D>
std::optional<IssuedCertificate> CertificateStoreT<D>::find(const std::string& serial) {
  auto found = select("WHERE c.serial = ?", serial);
  if (found.empty()) return std::nullopt;
  return found.front();
}

template <class D>
std::vector<IssuedCertificate> CertificateStoreT<D>::for_station(const std::string& station_id) {
  return select("WHERE c.station_id = ?", station_id);
}

template <class D>
std::vector<IssuedCertificate> CertificateStoreT<D>::all() {
  return select("", "");
}

template <class D>
std::vector<std::string> CertificateStoreT<D>::revoked_serials() {
  static const std::string sql =
      std::string("SELECT serial FROM certificate_revocations GROUP BY serial ORDER BY serial") +
      D::kCollateC;
  Statement st(db_, sql);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

template <class D>
std::vector<std::string> CertificateStoreT<D>::keys_of_others(const std::string& station_id) {
  Statement st(db_,
               "SELECT DISTINCT public_key_sha256 FROM issued_certificates WHERE station_id <> ?");
  st.bind_all(station_id);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

}  // namespace storage::common
