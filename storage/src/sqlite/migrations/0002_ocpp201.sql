-- 0002: OCPP 2.0.1 — boot reasons, what TransactionEvents say about a
-- transaction, the events themselves, device models and report progress, and
-- station notifications kept as they came. Conventions as in 0001.

ALTER TABLE stations ADD COLUMN boot_reason TEXT NOT NULL DEFAULT '';

ALTER TABLE transactions ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN charging_state TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN remote_start_id INTEGER;

-- The key makes a retried event (same transaction, same seqNo) a no-op.
CREATE TABLE transaction_events (
  transaction_id INTEGER NOT NULL,
  seq_no         INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  timestamp      INTEGER NOT NULL,
  trigger_reason TEXT    NOT NULL DEFAULT '',
  stopped_reason TEXT,
  id_tag         TEXT,
  offline        INTEGER NOT NULL DEFAULT 0,
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (transaction_id, seq_no)
);

-- A device model describes the station as it is now: it goes with the station.
-- Absent parts of the key are '' or 0 (NOT NULL), so the key stays unique.
CREATE TABLE device_variables (
  station_id          TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  component           TEXT    NOT NULL,
  component_instance  TEXT    NOT NULL DEFAULT '',
  evse_id             INTEGER NOT NULL DEFAULT 0,
  connector_id        INTEGER NOT NULL DEFAULT 0,
  variable            TEXT    NOT NULL,
  variable_instance   TEXT    NOT NULL DEFAULT '',
  attribute_type      TEXT    NOT NULL,
  value               TEXT,
  mutability          TEXT    NOT NULL DEFAULT '',
  persistent          INTEGER NOT NULL DEFAULT 0,
  constant            INTEGER NOT NULL DEFAULT 0,
  data_type           TEXT    NOT NULL DEFAULT '',
  unit                TEXT    NOT NULL DEFAULT '',
  min_limit           REAL,
  max_limit           REAL,
  values_list         TEXT    NOT NULL DEFAULT '',
  supports_monitoring INTEGER NOT NULL DEFAULT 0,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (station_id, component, component_instance, evse_id, connector_id, variable,
               variable_instance, attribute_type)
);

CREATE TABLE device_report_parts (
  station_id   TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  request_id   INTEGER NOT NULL,
  seq_no       INTEGER NOT NULL,
  tbc          INTEGER NOT NULL,
  variables    INTEGER NOT NULL,
  generated_at INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  PRIMARY KEY (station_id, request_id, seq_no)
);

CREATE TABLE station_notifications (
  id          INTEGER PRIMARY KEY,
  station_id  TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  payload     TEXT    NOT NULL
);
CREATE INDEX station_notifications_station ON station_notifications (station_id, id);
CREATE INDEX station_notifications_action ON station_notifications (action, id);
