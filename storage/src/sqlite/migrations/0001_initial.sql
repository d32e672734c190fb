-- 0001: the initial schema.
--
-- Conventions: timestamps are INTEGER unix microseconds (UTC); enums are stored
-- as their spelling (model.hpp to_string) without CHECK constraints, because
-- SQLite cannot alter a CHECK without rebuilding the table and new enumerators
-- must not need that; booleans are INTEGER 0/1.
--
-- History (transactions, orphan stops, meter samples, the message log, security
-- events) names its station by id without a foreign key: removing a station
-- must not remove, or be blocked by, what it recorded.

CREATE TABLE stations (
  id               TEXT    NOT NULL PRIMARY KEY,
  password_hash    TEXT    NOT NULL DEFAULT '',
  vendor           TEXT    NOT NULL DEFAULT '',
  model            TEXT    NOT NULL DEFAULT '',
  serial_number    TEXT    NOT NULL DEFAULT '',
  firmware_version TEXT    NOT NULL DEFAULT '',
  ocpp_version     TEXT    NOT NULL DEFAULT '',
  registration     TEXT    NOT NULL,
  connected        INTEGER NOT NULL DEFAULT 0,
  last_seen        INTEGER,
  last_boot        INTEGER,
  created_at       INTEGER NOT NULL
);

-- A connector's last state belongs to its station: it goes with it.
CREATE TABLE connectors (
  station_id        TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  evse_id           INTEGER NOT NULL,
  connector_id      INTEGER NOT NULL,
  status            TEXT    NOT NULL,
  error_code        TEXT    NOT NULL DEFAULT '',
  info              TEXT    NOT NULL DEFAULT '',
  vendor_error_code TEXT    NOT NULL DEFAULT '',
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (station_id, evse_id, connector_id)
);

-- OCPP id tokens are case-insensitive (1.6 CiString20, 2.0.1 IdToken).
CREATE TABLE id_tokens (
  id_tag        TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
  status        TEXT    NOT NULL,
  expiry        INTEGER,
  parent_id_tag TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- AUTOINCREMENT: the id is the 1.6 wire transactionId, so it must never be
-- handed out twice, even after the newest rows are deleted.
CREATE TABLE transactions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id     TEXT    NOT NULL,
  station_tx_id  TEXT    NOT NULL DEFAULT '',
  evse_id        INTEGER NOT NULL,
  connector_id   INTEGER NOT NULL,
  id_tag         TEXT    NOT NULL COLLATE NOCASE,
  reservation_id INTEGER,
  start_time     INTEGER NOT NULL,
  stop_time      INTEGER,
  meter_start    INTEGER NOT NULL,
  meter_stop     INTEGER,
  stop_reason    TEXT,
  stop_id_tag    TEXT,
  energy_wh      REAL,
  meter_anomaly  INTEGER NOT NULL DEFAULT 0,
  auth_rejected  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transactions_station_start ON transactions (station_id, start_time);
CREATE INDEX transactions_start ON transactions (start_time);
-- Not unique: a station may reuse its own ids after a reset; the newest wins.
CREATE INDEX transactions_station_tx ON transactions (station_id, station_tx_id)
  WHERE station_tx_id <> '';
CREATE INDEX transactions_active ON transactions (start_time) WHERE stop_time IS NULL;

CREATE TABLE orphan_stops (
  id             INTEGER PRIMARY KEY,
  station_id     TEXT    NOT NULL,
  transaction_id INTEGER NOT NULL,
  id_tag         TEXT    NOT NULL DEFAULT '',
  timestamp      INTEGER NOT NULL,
  meter_stop     INTEGER NOT NULL,
  reason         TEXT    NOT NULL DEFAULT '',
  payload        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX orphan_stops_station ON orphan_stops (station_id, id);

-- transaction_id links to transactions(id) without a foreign key: a sample is
-- evidence as the station sent it and is kept even if the link is stale.
CREATE TABLE meter_samples (
  id             INTEGER PRIMARY KEY,
  station_id     TEXT    NOT NULL,
  evse_id        INTEGER NOT NULL,
  connector_id   INTEGER NOT NULL,
  transaction_id INTEGER,
  timestamp      INTEGER NOT NULL,
  value          TEXT    NOT NULL,
  measurand      TEXT    NOT NULL,
  phase          TEXT    NOT NULL DEFAULT '',
  unit           TEXT    NOT NULL,
  context        TEXT    NOT NULL,
  location       TEXT    NOT NULL,
  format         TEXT    NOT NULL
);
-- A retried MeterValues carries identical samples: INSERT OR IGNORE drops them.
-- Every column here is NOT NULL, since NULLs never collide in a UNIQUE index.
CREATE UNIQUE INDEX meter_samples_dedup ON meter_samples
  (station_id, evse_id, connector_id, timestamp, measurand, phase, location, context, value);
CREATE INDEX meter_samples_transaction ON meter_samples (transaction_id);

CREATE TABLE message_log (
  id         INTEGER PRIMARY KEY,
  station_id TEXT    NOT NULL,
  timestamp  INTEGER NOT NULL,
  direction  TEXT    NOT NULL,
  frame      TEXT    NOT NULL
);
CREATE INDEX message_log_station ON message_log (station_id, id);
CREATE INDEX message_log_timestamp ON message_log (timestamp);

CREATE TABLE security_events (
  id             INTEGER PRIMARY KEY,
  station_id     TEXT    NOT NULL DEFAULT '',
  timestamp      INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  tech_info      TEXT    NOT NULL DEFAULT '',
  remote_address TEXT    NOT NULL DEFAULT '',
  critical       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX security_events_station ON security_events (station_id, id);
