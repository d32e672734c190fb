-- 0014: the station certificates the CSMS's CA issued (docs/security.md,
-- "Station certificates"), revocations, and what stations answered to
-- CertificateSigned. All appended, never edited.

CREATE TABLE issued_certificates (
  serial TEXT PRIMARY KEY,
  station_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  public_key_sha256 TEXT NOT NULL,
  pem TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  how TEXT NOT NULL
);
CREATE INDEX issued_certificates_station ON issued_certificates (station_id, not_after);
CREATE INDEX issued_certificates_key ON issued_certificates (public_key_sha256);

CREATE TABLE certificate_revocations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  serial TEXT NOT NULL,
  revoked_at INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX certificate_revocations_serial ON certificate_revocations (serial);

CREATE TABLE certificate_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  serial TEXT NOT NULL,
  answered_at INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX certificate_deliveries_serial ON certificate_deliveries (serial);
