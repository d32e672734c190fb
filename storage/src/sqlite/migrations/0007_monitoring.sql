-- 0007: 2.0.1 variable monitors, as the station accepted (SetVariableMonitoring)
-- or reported (NotifyMonitoringReport) them, with the last NotifyEvent each
-- raised. They describe the station as it is: they go with it. Conventions as in 0001.

CREATE TABLE variable_monitors (
  station_id         TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  monitor_id         INTEGER NOT NULL,
  component          TEXT    NOT NULL,
  component_instance TEXT    NOT NULL DEFAULT '',
  evse_id            INTEGER NOT NULL DEFAULT 0,
  connector_id       INTEGER NOT NULL DEFAULT 0,
  variable           TEXT    NOT NULL,
  variable_instance  TEXT    NOT NULL DEFAULT '',
  type               TEXT    NOT NULL,
  value              REAL    NOT NULL,
  severity           INTEGER NOT NULL,
  transaction_only   INTEGER NOT NULL DEFAULT 0,
  source             TEXT    NOT NULL,
  request_id         INTEGER,
  last_event_at      INTEGER,
  last_event_value   TEXT,
  last_event_cleared INTEGER NOT NULL DEFAULT 0,
  updated_at         INTEGER NOT NULL,
  PRIMARY KEY (station_id, monitor_id)
);
