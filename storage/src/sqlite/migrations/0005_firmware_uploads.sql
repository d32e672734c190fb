-- 0005: firmware updates and uploaded files (diagnostics, logs). Conventions as
-- in 0001: history tables carry no foreign key to stations, so a removed
-- station's firmware and upload history stays.

-- What the operator asked a station: UpdateFirmware, SignedUpdateFirmware,
-- PublishFirmware, UnpublishFirmware, and the station's answer.
CREATE TABLE firmware_requests (
  id           INTEGER PRIMARY KEY,
  station_id   TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  request_id   INTEGER,
  location     TEXT    NOT NULL DEFAULT '',
  checksum     TEXT    NOT NULL DEFAULT '',
  retrieve_at  INTEGER,
  install_at   INTEGER,
  signed       INTEGER NOT NULL DEFAULT 0,
  answer       TEXT    NOT NULL DEFAULT '',
  requested_at INTEGER NOT NULL
);
CREATE INDEX firmware_requests_station ON firmware_requests (station_id, id);

-- Every status a station reported, newest last: topic 'firmware'
-- (FirmwareStatusNotification, SignedFirmwareStatusNotification), 'publish'
-- (PublishFirmwareStatusNotification), 'diagnostics'
-- (DiagnosticsStatusNotification) or 'log' (LogStatusNotification).
CREATE TABLE status_reports (
  id          INTEGER PRIMARY KEY,
  station_id  TEXT    NOT NULL,
  topic       TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  request_id  INTEGER,
  detail      TEXT    NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL
);
CREATE INDEX status_reports_station ON status_reports (station_id, topic, id);

-- One upload slot per GetDiagnostics/GetLog: the token in the URL the station
-- was given. Single use (used_at), valid until expires_at.
CREATE TABLE upload_requests (
  token        TEXT    PRIMARY KEY,
  station_id   TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  request_id   INTEGER,
  log_type     TEXT    NOT NULL DEFAULT '',
  file_name    TEXT    NOT NULL DEFAULT '',
  answer       TEXT    NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  used_at      INTEGER
);
CREATE INDEX upload_requests_station ON upload_requests (station_id, created_at);

-- Files stations uploaded; `path` is where the file is kept (absolute).
CREATE TABLE uploaded_files (
  id           INTEGER PRIMARY KEY,
  station_id   TEXT    NOT NULL,
  token        TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  request_id   INTEGER,
  name         TEXT    NOT NULL,
  path         TEXT    NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT    NOT NULL,
  content_type TEXT    NOT NULL DEFAULT '',
  received_at  INTEGER NOT NULL
);
CREATE INDEX uploaded_files_station ON uploaded_files (station_id, id);
