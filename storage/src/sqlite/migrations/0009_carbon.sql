-- 0009: the carbon feature (docs/carbon.md): sites, the stations' carbon
-- settings, the parameter registry with its shipped defaults, per-session
-- carbon records, the carbon ledger, account links, green certificates, and
-- raw signed meter data. Records, parameters, ledger entries and signed data
-- are append-only: nothing here is ever updated in place. Conventions as in 0001.

CREATE TABLE sites (
  id         TEXT    NOT NULL PRIMARY KEY,
  name       TEXT    NOT NULL DEFAULT '',
  address    TEXT    NOT NULL DEFAULT '',
  region     TEXT    NOT NULL DEFAULT '',
  timezone   TEXT    NOT NULL DEFAULT 'UTC',
  latitude   REAL,
  longitude  REAL,
  created_at INTEGER NOT NULL
);

-- Settings of the station (not of its registration): they survive a station
-- being removed and registered again, as its history does.
CREATE TABLE station_carbon (
  station_id       TEXT NOT NULL PRIMARY KEY,
  site_id          TEXT NOT NULL DEFAULT '',
  current_type     TEXT NOT NULL DEFAULT '',
  meter_public_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX station_carbon_site ON station_carbon (site_id);

CREATE TABLE carbon_parameters (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT    NOT NULL,
  variant    TEXT    NOT NULL DEFAULT '',
  value      REAL    NOT NULL,
  unit       TEXT    NOT NULL,
  region     TEXT    NOT NULL DEFAULT '',
  vintage    INTEGER NOT NULL DEFAULT 0,
  valid_from INTEGER NOT NULL,
  source     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX carbon_parameters_lookup ON carbon_parameters (kind, variant, region, valid_from);

-- The shipped defaults (docs/carbon.md lists them with their sources). Undated
-- method constants are valid from the epoch; grid factors from their publication.
INSERT INTO carbon_parameters (kind, variant, value, unit, region, vintage, valid_from, source, created_at) VALUES
  ('grid', 'mee-nbs', 0.5366, 'kgCO2/kWh', '', 2022, 0,
   'MEE + NBS national electricity CO2 emission factor, 2022 data (announcement of 20 Dec 2024); the earliest factor shipped, so it applies to every earlier session', 0),
  ('grid', 'mee-nbs', 0.5306, 'kgCO2/kWh', '', 2023, 1767225600000000,
   'MEE + NBS national electricity CO2 emission factor, 2023 data (published about January 2026)', 0),
  ('grid', 'mee-nbs', 0.6361, 'kgCO2/kWh', 'CN-North', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, North China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.5122, 'kgCO2/kWh', 'CN-Northeast', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, Northeast China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.5500, 'kgCO2/kWh', 'CN-East', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, East China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.5271, 'kgCO2/kWh', 'CN-Central', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, Central China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.5543, 'kgCO2/kWh', 'CN-Northwest', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, Northwest China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.4042, 'kgCO2/kWh', 'CN-South', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, South China grid, 2023 data', 0),
  ('grid', 'mee-nbs', 0.2472, 'kgCO2/kWh', 'CN-Southwest', 2023, 1767225600000000,
   'MEE + NBS regional electricity CO2 emission factor, Southwest China grid, 2023 data', 0),
  ('grid', 'ets', 0.5703, 'kgCO2/kWh', '', 2022, 1675728000000000,
   'MEE notice 环办气候函〔2023〕43号: national grid factor for ETS reporting of 2022 (a different series: not mixed with mee-nbs)', 0),
  ('fuel-consumption', '', 7.04, 'L/100km', '', 2015, 0,
   'China 2015 combustion passenger-car fleet average (MIIT type approval); dated: operators should set their own', 0),
  ('ev-consumption', '', 15, 'kWh/100km', '', 0, 0,
   'estimate: no published Chinese default found; operators should set their own', 0),
  ('fuel-emission', 'gasoline', 2.37, 'kgCO2/L', '', 0, 0,
   'gasoline factor used in Chinese EV-charging reduction accounting (State Grid affiliated paper); VM0038 equivalent 2.325', 0),
  ('fuel-emission', 'diesel', 2.60, 'kgCO2/L', '', 0, 0,
   'diesel factor used in Chinese EV-charging reduction accounting (State Grid affiliated paper); VM0038 equivalent 2.695', 0),
  ('charger-efficiency', 'DC', 0.923, 'ratio', '', 0, 0,
   'Verra VM0038 v1.0 default for DC fast chargers (Idaho National Laboratory data)', 0),
  ('charger-efficiency', 'AC', 1.0, 'ratio', '', 0, 0,
   'Verra VM0038 v1.0: AC chargers, no conversion loss counted', 0),
  ('points-rate', '', 1, 'g/point', '', 0, 0,
   'Hubei carbon-inclusion platform: 1 g CO2 per point', 0);

CREATE TABLE carbon_records (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id      INTEGER NOT NULL,
  station_id          TEXT    NOT NULL,
  site_id             TEXT    NOT NULL DEFAULT '',
  region              TEXT    NOT NULL DEFAULT '',
  id_tag              TEXT    NOT NULL DEFAULT '',
  account             TEXT    NOT NULL DEFAULT '',
  session_start       INTEGER NOT NULL,
  session_end         INTEGER NOT NULL,
  computed_at         INTEGER NOT NULL,
  method_version      TEXT    NOT NULL,
  energy_delivered_wh REAL    NOT NULL,
  provenance          TEXT    NOT NULL,
  current_type        TEXT    NOT NULL,
  energy_consumed_wh  REAL    NOT NULL,
  baseline_kg         REAL    NOT NULL,
  project_kg          REAL    NOT NULL,
  reduction_kg        REAL    NOT NULL,
  green_share         REAL,
  project_market_kg   REAL,
  reduction_market_kg REAL,
  certificate_kwh     REAL    NOT NULL DEFAULT 0,
  pv_kwh              REAL    NOT NULL DEFAULT 0,  -- site PV self-consumption credited
  excluded            TEXT    NOT NULL DEFAULT '',
  flags               TEXT    NOT NULL DEFAULT '',  -- comma-separated
  supersedes          INTEGER UNIQUE REFERENCES carbon_records (id)
);
CREATE INDEX carbon_records_transaction ON carbon_records (transaction_id, id);
CREATE INDEX carbon_records_end ON carbon_records (session_end);
-- The parameters a record applied, copied (value, unit, source), not referenced.
CREATE TABLE carbon_record_parameters (
  record_id    INTEGER NOT NULL REFERENCES carbon_records (id),
  position     INTEGER NOT NULL,
  parameter_id INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  variant      TEXT    NOT NULL,
  value        REAL    NOT NULL,
  unit         TEXT    NOT NULL,
  region       TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  PRIMARY KEY (record_id, position)
);

CREATE TABLE carbon_ledger (
  seq       INTEGER PRIMARY KEY,
  account   TEXT    NOT NULL,
  type      TEXT    NOT NULL,
  grams     INTEGER NOT NULL,
  points    INTEGER NOT NULL,
  ref       TEXT    NOT NULL DEFAULT '',
  reason    TEXT    NOT NULL DEFAULT '',
  time      INTEGER NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
CREATE INDEX carbon_ledger_account ON carbon_ledger (account, seq);

-- Id tokens (or group tokens) the operator linked to one account. Id tokens
-- are case-insensitive, as in 0001.
CREATE TABLE carbon_account_links (
  id_tag  TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  account TEXT NOT NULL
);

CREATE TABLE green_certificate_batches (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id     TEXT    NOT NULL,
  month       TEXT    NOT NULL,
  kwh         REAL    NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX green_certificate_batches_site ON green_certificate_batches (site_id, month);
-- A certificate counts once, across all sites and months.
CREATE TABLE green_certificate_ids (
  certificate_id TEXT    NOT NULL PRIMARY KEY,
  batch_id       INTEGER NOT NULL REFERENCES green_certificate_batches (id)
);

-- Raw signed meter data (OCMF and the like) as the station sent it, kept for
-- verifiers; a retried message is stored once.
CREATE TABLE signed_meter_values (
  id              INTEGER PRIMARY KEY,
  station_id      TEXT    NOT NULL,
  evse_id         INTEGER NOT NULL,
  connector_id    INTEGER NOT NULL,
  transaction_id  INTEGER,
  timestamp       INTEGER NOT NULL,
  context         TEXT    NOT NULL,
  signed_data     TEXT    NOT NULL,
  signing_method  TEXT    NOT NULL DEFAULT '',
  encoding_method TEXT    NOT NULL DEFAULT '',
  public_key      TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX signed_meter_values_dedup ON signed_meter_values
  (station_id, timestamp, signed_data);
CREATE INDEX signed_meter_values_transaction ON signed_meter_values (transaction_id, timestamp);
