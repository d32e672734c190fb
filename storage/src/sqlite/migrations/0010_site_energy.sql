-- 0010: site energy management (docs/energy.md): a site's limits and
-- controller settings, its tree of circuits, each EVSE's place and charging
-- settings, time windows that lower the import limit, the latest reading of
-- each meter source, 15-minute interval energy, and the controller's decision
-- log (append-only). Conventions as in 0001.

CREATE TABLE site_energy (
  site_id                 TEXT    NOT NULL PRIMARY KEY,
  import_limit_w          REAL,
  margin_w                REAL    NOT NULL DEFAULT 0,
  max_base_w              REAL,
  battery_priority_soc    REAL    NOT NULL DEFAULT 0,
  battery_max_discharge_w REAL    NOT NULL DEFAULT 0,
  default_mode            TEXT    NOT NULL DEFAULT 'fast',
  period_s                INTEGER NOT NULL DEFAULT 15,
  reading_max_age_s       INTEGER NOT NULL DEFAULT 60,
  safe_current_a          REAL    NOT NULL DEFAULT 6,
  lease_s                 INTEGER NOT NULL DEFAULT 900,
  updated_at              INTEGER NOT NULL
);

CREATE TABLE site_circuits (
  site_id       TEXT NOT NULL,
  id            TEXT NOT NULL,
  parent        TEXT NOT NULL DEFAULT '',
  max_current_a REAL,
  max_power_w   REAL,
  PRIMARY KEY (site_id, id)
);

-- evse_id: 2.0.1 EVSE id, 1.6 connector id.
CREATE TABLE evse_energy (
  station_id    TEXT    NOT NULL,
  evse_id       INTEGER NOT NULL,
  circuit       TEXT    NOT NULL DEFAULT '',
  phases        INTEGER NOT NULL DEFAULT 3,
  rotation      TEXT    NOT NULL DEFAULT 'L1L2L3',
  min_current_a REAL    NOT NULL DEFAULT 6,
  max_current_a REAL    NOT NULL DEFAULT 32,
  priority      INTEGER NOT NULL DEFAULT 0,
  mode          TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (station_id, evse_id)
);

-- Daily windows (UTC minutes of the day) with a lower import limit.
CREATE TABLE site_limit_windows (
  site_id        TEXT    NOT NULL,
  start_minute   INTEGER NOT NULL,
  end_minute     INTEGER NOT NULL,
  import_limit_w REAL    NOT NULL,
  PRIMARY KEY (site_id, start_minute)
);

-- Meters the CSMS polls over Modbus TCP (SunSpec models), by role.
CREATE TABLE site_meter_sources (
  site_id         TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  host            TEXT    NOT NULL,
  port            INTEGER NOT NULL DEFAULT 502,
  unit_id         INTEGER NOT NULL DEFAULT 1,
  role            TEXT    NOT NULL,  -- grid, pv or battery
  poll_interval_s INTEGER NOT NULL DEFAULT 5,
  max_age_s       INTEGER NOT NULL DEFAULT 30,
  PRIMARY KEY (site_id, name)
);

-- The newest reading of each source (push, or a polled meter).
CREATE TABLE site_readings (
  site_id     TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  time        INTEGER NOT NULL,
  grid_w      REAL,
  pv_w        REAL,
  battery_w   REAL,
  battery_soc REAL,
  base_w      REAL,
  max_age_s   INTEGER NOT NULL,
  PRIMARY KEY (site_id, source)
);

CREATE TABLE site_intervals (
  site_id        TEXT    NOT NULL,
  start          INTEGER NOT NULL,
  grid_import_wh REAL    NOT NULL DEFAULT 0,
  grid_export_wh REAL    NOT NULL DEFAULT 0,
  pv_wh          REAL    NOT NULL DEFAULT 0,
  battery_in_wh  REAL    NOT NULL DEFAULT 0,
  battery_out_wh REAL    NOT NULL DEFAULT 0,
  charging_wh    REAL    NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, start)
);

CREATE TABLE energy_decisions (
  id        INTEGER PRIMARY KEY,
  site_id   TEXT    NOT NULL,
  time      INTEGER NOT NULL,
  budget_w  REAL    NOT NULL,
  binding   TEXT    NOT NULL,
  fail_safe INTEGER NOT NULL,
  readings  TEXT    NOT NULL,  -- JSON: each source's values, time and maxAgeS
  evses     TEXT    NOT NULL   -- JSON: each EVSE's inputs and decision
);
CREATE INDEX energy_decisions_site ON energy_decisions (site_id, id);
CREATE INDEX energy_decisions_time ON energy_decisions (time);
