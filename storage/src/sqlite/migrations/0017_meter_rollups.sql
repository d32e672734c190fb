-- 0017: 15-minute rollups of raw meter samples older than
-- retention.meter_raw_days, written once per window by the retention job (the
-- raw rows are deleted in the same transaction). Values stay text as sent;
-- min/max are over the numeric ones (NULL when none was numeric).
CREATE TABLE meter_rollups (
  id             INTEGER PRIMARY KEY,
  station_id     TEXT    NOT NULL,
  evse_id        INTEGER NOT NULL,
  connector_id   INTEGER NOT NULL,
  transaction_id INTEGER,
  measurand      TEXT    NOT NULL,
  phase          TEXT    NOT NULL,
  unit           TEXT    NOT NULL,
  location       TEXT    NOT NULL,
  format         TEXT    NOT NULL,
  window_start   INTEGER NOT NULL,
  first_at       INTEGER NOT NULL,
  last_at        INTEGER NOT NULL,
  first_value    TEXT    NOT NULL,
  last_value     TEXT    NOT NULL,
  first_context  TEXT    NOT NULL,
  last_context   TEXT    NOT NULL,
  min_value      REAL,
  max_value      REAL,
  sample_count   INTEGER NOT NULL
);
CREATE INDEX meter_rollups_transaction ON meter_rollups (transaction_id, measurand, window_start);

-- Each rollup read back as samples: its first (when it aggregated more than
-- one) and its last sample, with ids below every raw row's.
CREATE VIEW meter_rollup_points AS
  SELECT station_id, evse_id, connector_id, transaction_id, first_at AS timestamp,
         first_value AS value, measurand, phase, unit, first_context AS context, location,
         format, -2 * id - 1 AS id
    FROM meter_rollups WHERE sample_count > 1
  UNION ALL
  SELECT station_id, evse_id, connector_id, transaction_id, last_at AS timestamp,
         last_value AS value, measurand, phase, unit, last_context AS context, location,
         format, -2 * id AS id
    FROM meter_rollups;

-- What the readers of a transaction's samples use: raw rows and rollup points.
CREATE VIEW meter_history AS
  SELECT station_id, evse_id, connector_id, transaction_id, timestamp, value, measurand, phase,
         unit, context, location, format, id
    FROM meter_samples
  UNION ALL
  SELECT * FROM meter_rollup_points;
