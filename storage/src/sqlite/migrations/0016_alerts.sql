-- Smart O&M: alerts, the history availability is computed from, and
-- transactions closed by the operator. Every table is append-only: an alert's
-- closing is a row of its own, never an update of the alert.

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  station_id TEXT NOT NULL,
  connector_id INTEGER NOT NULL DEFAULT 0,
  opened_at INTEGER NOT NULL,
  details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alerts_station ON alerts (station_id, opened_at);

CREATE TABLE alert_closures (
  alert_id INTEGER PRIMARY KEY REFERENCES alerts (id),
  closed_at INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);

-- Every connector status as received (the connectors table keeps only the last).
CREATE TABLE connector_status_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL DEFAULT 0,
  connector_id INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  vendor_error_code TEXT NOT NULL DEFAULT '',
  info TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX connector_status_history_at ON connector_status_history (station_id, at);

-- A station's connection coming up or going down.
CREATE TABLE station_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id TEXT NOT NULL,
  online INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX station_links_at ON station_links (station_id, at);

-- An operator's ChangeAvailability the station accepted (evse 0 and connector
-- 0: the whole station).
CREATE TABLE operator_availability (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL DEFAULT 0,
  connector_id INTEGER NOT NULL DEFAULT 0,
  operative INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX operator_availability_at ON operator_availability (station_id, at);

-- A transaction the operator closed because its station never will.
CREATE TABLE transaction_closures (
  transaction_id INTEGER PRIMARY KEY REFERENCES transactions (id),
  closed_at INTEGER NOT NULL,
  reason TEXT NOT NULL
);
