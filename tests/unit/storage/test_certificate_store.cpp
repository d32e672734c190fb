// CertificateStore: issued station certificates, revocations and delivery
// answers as appended records, on real SQLite.
#include <catch2/catch.hpp>

#include "unit/storage/support.hpp"

using namespace storage_test;
using storage::IssuedCertificate;
using storage::Session;

namespace {

IssuedCertificate issued(const std::string& serial, const std::string& station,
                         const std::string& key, std::int64_t issued_s) {
  IssuedCertificate c;
  c.serial = serial;
  c.station_id = station;
  c.subject = "CN = " + station;
  c.not_before = at(issued_s);
  c.not_after = at(issued_s + 86400);
  c.sha256 = "ab";
  c.public_key_sha256 = key;
  c.pem = "-----BEGIN CERTIFICATE-----";
  c.issued_at = at(issued_s);
  c.how = "built-in";
  return c;
}

}  // namespace

TEST_CASE("issued certificates are listed per station newest first with revocation and answer") {
  TempDir dir;
  auto db = open(dir.file("csms.db"));
  write_sync(*db, [](Session& s) {
    s.certificates.add_issued(issued("0A", "CP1", "k1", 100));
    s.certificates.add_issued(issued("0B", "CP1", "k1", 200));
    s.certificates.add_issued(issued("0C", "CP2", "k2", 150));
    s.certificates.add_delivery("0B", at(201), "Rejected");
    s.certificates.add_delivery("0B", at(202), "Accepted");
    CHECK(s.certificates.revoke("0A", at(300), "key compromise"));
    CHECK(s.certificates.revoke("0A", at(400), "again"));
    CHECK_FALSE(s.certificates.revoke("FF", at(300), "unknown"));
  });
  read_sync(*db, [](Session& s) {
    auto cp1 = s.certificates.for_station("CP1");
    REQUIRE(cp1.size() == 2);
    CHECK(cp1[0].serial == "0B");
    CHECK(cp1[0].delivery == "Accepted");
    CHECK_FALSE(cp1[0].revoked_at);
    CHECK(cp1[1].serial == "0A");
    REQUIRE(cp1[1].revoked_at);
    CHECK(*cp1[1].revoked_at == at(300));  // the first revocation counts
    CHECK(cp1[1].revocation_reason == "key compromise");
    CHECK(s.certificates.revoked_serials() == std::vector<std::string>{"0A"});
    CHECK(s.certificates.keys_of_others("CP1") == std::vector<std::string>{"k2"});
    CHECK(s.certificates.all().size() == 3);
    CHECK(s.certificates.find("0C")->station_id == "CP2");
    CHECK_FALSE(s.certificates.find("FF"));
  });
}
