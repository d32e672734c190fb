-- 0002: the feature tables on PostgreSQL, in the shape SQLite migrations
-- 0003-0016 left them: charging profiles, reservations, firmware and uploads,
-- variable monitors, sites and carbon, site energy, station certificates,
-- admin tokens and audit, and smart O&M (alerts, availability history,
-- operator closures). 0001_core.sql holds the core tables (stations,
-- transactions, meter samples with signed meter values, local lists...).
--
-- Conventions as in 0001: timestamps are BIGINT unix microseconds (UTC), as on
-- SQLite; flags are BOOLEAN; enums are their spelling without CHECK; ids the
-- CSMS hands out are identity columns, never reused. History names its station
-- by id without a foreign key; what describes a station as it is now goes with
-- it (ON DELETE CASCADE).

-- Charging profiles (SQLite 0003). connector_id is the 1.6 connectorId or the
-- 2.0.1 evseId (0: the whole station). A station keeps one profile per id, and
-- one per connector, purpose and stack level; the store replaces accordingly.
CREATE TABLE charging_profiles (
  station_id     TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  profile_id     BIGINT  NOT NULL,
  connector_id   INTEGER NOT NULL,
  purpose        TEXT    NOT NULL,
  stack_level    INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  recurrency     TEXT    NOT NULL DEFAULT '',
  valid_from     BIGINT,
  valid_to       BIGINT,
  transaction_id TEXT,
  schedule       TEXT    NOT NULL,  -- chargingSchedule JSON in the station's version
  accepted       BOOLEAN NOT NULL,  -- false: the station answered Rejected
  source         TEXT    NOT NULL DEFAULT 'CSO',
  updated_at     BIGINT  NOT NULL,
  PRIMARY KEY (station_id, profile_id)
);
CREATE INDEX charging_profiles_slot
  ON charging_profiles (station_id, connector_id, purpose, stack_level);

-- Reservations (SQLite 0004): history, so no foreign key; ids are sent to
-- stations and never reused.
CREATE TABLE reservations (
  id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id     TEXT    NOT NULL,
  evse_id        INTEGER NOT NULL DEFAULT 0,
  connector_id   INTEGER NOT NULL DEFAULT 0,
  id_tag         TEXT    NOT NULL,
  parent_id_tag  TEXT,
  token_type     TEXT,
  connector_type TEXT,
  expiry         BIGINT  NOT NULL,
  status         TEXT    NOT NULL,
  transaction_id BIGINT,
  created_at     BIGINT  NOT NULL,
  updated_at     BIGINT  NOT NULL
);
CREATE INDEX reservations_station ON reservations (station_id, id);
CREATE INDEX reservations_status ON reservations (status, expiry);

-- Firmware requests, status reports, upload slots and uploaded files (SQLite
-- 0005): history, without foreign keys.
CREATE TABLE firmware_requests (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id   TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  request_id   BIGINT,
  location     TEXT    NOT NULL DEFAULT '',
  checksum     TEXT    NOT NULL DEFAULT '',
  retrieve_at  BIGINT,
  install_at   BIGINT,
  signed       BOOLEAN NOT NULL DEFAULT false,
  answer       TEXT    NOT NULL DEFAULT '',
  requested_at BIGINT  NOT NULL
);
CREATE INDEX firmware_requests_station ON firmware_requests (station_id, id);

-- topic: firmware, publish, diagnostics or log.
CREATE TABLE status_reports (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id  TEXT   NOT NULL,
  topic       TEXT   NOT NULL,
  action      TEXT   NOT NULL,
  status      TEXT   NOT NULL,
  request_id  BIGINT,
  detail      TEXT   NOT NULL DEFAULT '',
  received_at BIGINT NOT NULL
);
CREATE INDEX status_reports_station ON status_reports (station_id, topic, id);

-- One upload slot per GetDiagnostics/GetLog: single use (used_at), valid until
-- expires_at.
CREATE TABLE upload_requests (
  token      TEXT   PRIMARY KEY,
  station_id TEXT   NOT NULL,
  action     TEXT   NOT NULL,
  request_id BIGINT,
  log_type   TEXT   NOT NULL DEFAULT '',
  file_name  TEXT   NOT NULL DEFAULT '',
  answer     TEXT   NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);
CREATE INDEX upload_requests_station ON upload_requests (station_id, created_at);

-- `path` is where the file is kept (absolute).
CREATE TABLE uploaded_files (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id   TEXT   NOT NULL,
  token        TEXT   NOT NULL,
  action       TEXT   NOT NULL,
  request_id   BIGINT,
  name         TEXT   NOT NULL,
  path         TEXT   NOT NULL,
  size         BIGINT NOT NULL,
  sha256       TEXT   NOT NULL,
  content_type TEXT   NOT NULL DEFAULT '',
  received_at  BIGINT NOT NULL
);
CREATE INDEX uploaded_files_station ON uploaded_files (station_id, id);

-- 2.0.1 variable monitors (SQLite 0007): they describe the station as it is.
CREATE TABLE variable_monitors (
  station_id         TEXT             NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  monitor_id         BIGINT           NOT NULL,
  component          TEXT             NOT NULL,
  component_instance TEXT             NOT NULL DEFAULT '',
  evse_id            INTEGER          NOT NULL DEFAULT 0,
  connector_id       INTEGER          NOT NULL DEFAULT 0,
  variable           TEXT             NOT NULL,
  variable_instance  TEXT             NOT NULL DEFAULT '',
  type               TEXT             NOT NULL,
  value              DOUBLE PRECISION NOT NULL,
  severity           INTEGER          NOT NULL,
  transaction_only   BOOLEAN          NOT NULL DEFAULT false,
  source             TEXT             NOT NULL,
  request_id         BIGINT,
  last_event_at      BIGINT,
  last_event_value   TEXT,
  last_event_cleared BOOLEAN          NOT NULL DEFAULT false,
  updated_at         BIGINT           NOT NULL,
  PRIMARY KEY (station_id, monitor_id)
);

-- The carbon feature (SQLite 0009, docs/carbon.md). Records, their
-- parameters, ledger entries and parameters are append-only.
CREATE TABLE sites (
  id         TEXT   NOT NULL PRIMARY KEY,
  name       TEXT   NOT NULL DEFAULT '',
  address    TEXT   NOT NULL DEFAULT '',
  region     TEXT   NOT NULL DEFAULT '',
  timezone   TEXT   NOT NULL DEFAULT 'UTC',
  latitude   DOUBLE PRECISION,
  longitude  DOUBLE PRECISION,
  created_at BIGINT NOT NULL
);

-- Settings of the station, not of its registration: they survive a station
-- being removed and registered again, as its history does.
CREATE TABLE station_carbon (
  station_id       TEXT NOT NULL PRIMARY KEY,
  site_id          TEXT NOT NULL DEFAULT '',
  current_type     TEXT NOT NULL DEFAULT '',
  meter_public_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX station_carbon_site ON station_carbon (site_id);

CREATE TABLE carbon_parameters (
  id         BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       TEXT             NOT NULL,
  variant    TEXT             NOT NULL DEFAULT '',
  value      DOUBLE PRECISION NOT NULL,
  unit       TEXT             NOT NULL,
  region     TEXT             NOT NULL DEFAULT '',
  vintage    INTEGER          NOT NULL DEFAULT 0,
  valid_from BIGINT           NOT NULL,
  source     TEXT             NOT NULL,
  created_at BIGINT           NOT NULL
);
CREATE INDEX carbon_parameters_lookup ON carbon_parameters (kind, variant, region, valid_from);

-- The shipped defaults, as SQLite 0009 ships them (docs/carbon.md lists them
-- with their sources).
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
  id                  BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id      BIGINT           NOT NULL,
  station_id          TEXT             NOT NULL,
  site_id             TEXT             NOT NULL DEFAULT '',
  region              TEXT             NOT NULL DEFAULT '',
  id_tag              TEXT             NOT NULL DEFAULT '',
  account             TEXT             NOT NULL DEFAULT '',
  session_start       BIGINT           NOT NULL,
  session_end         BIGINT           NOT NULL,
  computed_at         BIGINT           NOT NULL,
  method_version      TEXT             NOT NULL,
  energy_delivered_wh DOUBLE PRECISION NOT NULL,
  provenance          TEXT             NOT NULL,
  current_type        TEXT             NOT NULL,
  energy_consumed_wh  DOUBLE PRECISION NOT NULL,
  baseline_kg         DOUBLE PRECISION NOT NULL,
  project_kg          DOUBLE PRECISION NOT NULL,
  reduction_kg        DOUBLE PRECISION NOT NULL,
  green_share         DOUBLE PRECISION,
  project_market_kg   DOUBLE PRECISION,
  reduction_market_kg DOUBLE PRECISION,
  certificate_kwh     DOUBLE PRECISION NOT NULL DEFAULT 0,
  pv_kwh              DOUBLE PRECISION NOT NULL DEFAULT 0,  -- site PV self-consumption credited
  excluded            TEXT             NOT NULL DEFAULT '',
  flags               TEXT             NOT NULL DEFAULT '',  -- comma-separated
  supersedes          BIGINT           UNIQUE REFERENCES carbon_records (id)
);
CREATE INDEX carbon_records_transaction ON carbon_records (transaction_id, id);
CREATE INDEX carbon_records_end ON carbon_records (session_end);

-- The parameters a record applied, copied (value, unit, source), not referenced.
CREATE TABLE carbon_record_parameters (
  record_id    BIGINT           NOT NULL REFERENCES carbon_records (id),
  position     INTEGER          NOT NULL,
  parameter_id BIGINT           NOT NULL,
  kind         TEXT             NOT NULL,
  variant      TEXT             NOT NULL,
  value        DOUBLE PRECISION NOT NULL,
  unit         TEXT             NOT NULL,
  region       TEXT             NOT NULL,
  source       TEXT             NOT NULL,
  PRIMARY KEY (record_id, position)
);

-- seq is assigned by the caller, which chains the hashes.
CREATE TABLE carbon_ledger (
  seq       BIGINT NOT NULL PRIMARY KEY,
  account   TEXT   NOT NULL,
  type      TEXT   NOT NULL,
  grams     BIGINT NOT NULL,
  points    BIGINT NOT NULL,
  ref       TEXT   NOT NULL DEFAULT '',
  reason    TEXT   NOT NULL DEFAULT '',
  time      BIGINT NOT NULL,
  prev_hash TEXT   NOT NULL,
  hash      TEXT   NOT NULL
);
CREATE INDEX carbon_ledger_account ON carbon_ledger (account, seq);

-- Id tokens (or group tokens) the operator linked to one account. Id tokens
-- are case-insensitive (SQLite: COLLATE NOCASE): one link per lower(id_tag).
CREATE TABLE carbon_account_links (
  id_tag  TEXT NOT NULL,
  account TEXT NOT NULL
);
CREATE UNIQUE INDEX carbon_account_links_tag ON carbon_account_links (lower(id_tag));

CREATE TABLE green_certificate_batches (
  id          BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id     TEXT             NOT NULL,
  month       TEXT             NOT NULL,
  kwh         DOUBLE PRECISION NOT NULL,
  recorded_at BIGINT           NOT NULL
);
CREATE INDEX green_certificate_batches_site ON green_certificate_batches (site_id, month);
-- A certificate counts once, across all sites and months.
CREATE TABLE green_certificate_ids (
  certificate_id TEXT   NOT NULL PRIMARY KEY,
  batch_id       BIGINT NOT NULL REFERENCES green_certificate_batches (id)
);

-- Site energy management (SQLite 0010-0012, docs/energy.md).
CREATE TABLE site_energy (
  site_id                 TEXT             NOT NULL PRIMARY KEY,
  import_limit_w          DOUBLE PRECISION,
  margin_w                DOUBLE PRECISION NOT NULL DEFAULT 0,
  max_base_w              DOUBLE PRECISION,
  battery_priority_soc    DOUBLE PRECISION NOT NULL DEFAULT 0,
  battery_max_discharge_w DOUBLE PRECISION NOT NULL DEFAULT 0,
  default_mode            TEXT             NOT NULL DEFAULT 'fast',
  period_s                INTEGER          NOT NULL DEFAULT 15,
  reading_max_age_s       INTEGER          NOT NULL DEFAULT 60,
  safe_current_a          DOUBLE PRECISION NOT NULL DEFAULT 6,
  lease_s                 INTEGER          NOT NULL DEFAULT 900,
  updated_at              BIGINT           NOT NULL,
  smart_keep_minimum      BOOLEAN          NOT NULL DEFAULT false
);

CREATE TABLE site_circuits (
  site_id       TEXT NOT NULL,
  id            TEXT NOT NULL,
  parent        TEXT NOT NULL DEFAULT '',
  max_current_a DOUBLE PRECISION,
  max_power_w   DOUBLE PRECISION,
  PRIMARY KEY (site_id, id)
);

-- evse_id: 2.0.1 EVSE id, 1.6 connector id.
CREATE TABLE evse_energy (
  station_id    TEXT             NOT NULL,
  evse_id       INTEGER          NOT NULL,
  circuit       TEXT             NOT NULL DEFAULT '',
  phases        INTEGER          NOT NULL DEFAULT 3,
  rotation      TEXT             NOT NULL DEFAULT 'L1L2L3',
  min_current_a DOUBLE PRECISION NOT NULL DEFAULT 6,
  max_current_a DOUBLE PRECISION NOT NULL DEFAULT 32,
  priority      INTEGER          NOT NULL DEFAULT 0,
  mode          TEXT             NOT NULL DEFAULT '',
  PRIMARY KEY (station_id, evse_id)
);

-- Daily windows (UTC minutes of the day) with a lower import limit.
CREATE TABLE site_limit_windows (
  site_id        TEXT             NOT NULL,
  start_minute   INTEGER          NOT NULL,
  end_minute     INTEGER          NOT NULL,
  import_limit_w DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (site_id, start_minute)
);

-- Meters the CSMS polls over Modbus TCP (SunSpec models), by role.
CREATE TABLE site_meter_sources (
  site_id         TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  host            TEXT    NOT NULL,
  port            INTEGER NOT NULL DEFAULT 502,
  unit_id         INTEGER NOT NULL DEFAULT 1,
  role            TEXT    NOT NULL,  -- grid, pv, battery or circuit
  poll_interval_s INTEGER NOT NULL DEFAULT 5,
  max_age_s       INTEGER NOT NULL DEFAULT 30,
  circuit         TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (site_id, name)
);

-- The newest reading of each source (push, or a polled meter).
CREATE TABLE site_readings (
  site_id      TEXT             NOT NULL,
  source       TEXT             NOT NULL,
  time         BIGINT           NOT NULL,
  grid_w       DOUBLE PRECISION,
  pv_w         DOUBLE PRECISION,
  battery_w    DOUBLE PRECISION,
  battery_soc  DOUBLE PRECISION,
  base_w       DOUBLE PRECISION,
  max_age_s    INTEGER          NOT NULL,
  circuit      TEXT             NOT NULL DEFAULT '',
  current_l1_a DOUBLE PRECISION,
  current_l2_a DOUBLE PRECISION,
  current_l3_a DOUBLE PRECISION,
  PRIMARY KEY (site_id, source)
);

CREATE TABLE site_intervals (
  site_id        TEXT             NOT NULL,
  start          BIGINT           NOT NULL,
  grid_import_wh DOUBLE PRECISION NOT NULL DEFAULT 0,
  grid_export_wh DOUBLE PRECISION NOT NULL DEFAULT 0,
  pv_wh          DOUBLE PRECISION NOT NULL DEFAULT 0,
  battery_in_wh  DOUBLE PRECISION NOT NULL DEFAULT 0,
  battery_out_wh DOUBLE PRECISION NOT NULL DEFAULT 0,
  charging_wh    DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, start)
);

-- The controller's decision log: appended, pruned by age.
CREATE TABLE energy_decisions (
  id        BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id   TEXT             NOT NULL,
  time      BIGINT           NOT NULL,
  budget_w  DOUBLE PRECISION NOT NULL,
  binding   TEXT             NOT NULL,
  fail_safe BOOLEAN          NOT NULL,
  readings  TEXT             NOT NULL,  -- JSON: each source's values, time and maxAgeS
  evses     TEXT             NOT NULL   -- JSON: each EVSE's inputs and decision
);
CREATE INDEX energy_decisions_site ON energy_decisions (site_id, id);
CREATE INDEX energy_decisions_time ON energy_decisions (time);

-- Station certificates the CSMS's CA issued, revocations, and what stations
-- answered to CertificateSigned (SQLite 0014). All appended, never edited.
CREATE TABLE issued_certificates (
  serial            TEXT   PRIMARY KEY,
  station_id        TEXT   NOT NULL,
  subject           TEXT   NOT NULL,
  not_before        BIGINT NOT NULL,
  not_after         BIGINT NOT NULL,
  sha256            TEXT   NOT NULL,
  public_key_sha256 TEXT   NOT NULL,
  pem               TEXT   NOT NULL,
  issued_at         BIGINT NOT NULL,
  how               TEXT   NOT NULL
);
CREATE INDEX issued_certificates_station ON issued_certificates (station_id, not_after);
CREATE INDEX issued_certificates_key ON issued_certificates (public_key_sha256);

CREATE TABLE certificate_revocations (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial     TEXT   NOT NULL,
  revoked_at BIGINT NOT NULL,
  reason     TEXT   NOT NULL
);
CREATE INDEX certificate_revocations_serial ON certificate_revocations (serial);

CREATE TABLE certificate_deliveries (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial      TEXT   NOT NULL,
  answered_at BIGINT NOT NULL,
  status      TEXT   NOT NULL
);
CREATE INDEX certificate_deliveries_serial ON certificate_deliveries (serial);

-- Named admin API tokens (kept as SHA-256 hashes; a row changes once, when
-- revoked_at is set) and the admin audit log, appended (SQLite 0015).
CREATE TABLE api_tokens (
  name       TEXT   PRIMARY KEY,
  role       TEXT   NOT NULL,
  hash       TEXT   NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  created_by TEXT   NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE admin_audit (
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT  NOT NULL,
  token_name  TEXT    NOT NULL,
  role        TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  path        TEXT    NOT NULL,
  target      TEXT    NOT NULL,
  summary     TEXT    NOT NULL,
  http_status INTEGER NOT NULL,
  result      TEXT    NOT NULL
);
CREATE INDEX admin_audit_at ON admin_audit (at);

-- Smart O&M (SQLite 0016): every table is append-only; an alert's closing is
-- a row of its own, never an update of the alert.
CREATE TABLE alerts (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         TEXT    NOT NULL,
  station_id   TEXT    NOT NULL,
  connector_id INTEGER NOT NULL DEFAULT 0,
  opened_at    BIGINT  NOT NULL,
  details      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX alerts_station ON alerts (station_id, opened_at);

CREATE TABLE alert_closures (
  alert_id  BIGINT PRIMARY KEY REFERENCES alerts (id),
  closed_at BIGINT NOT NULL,
  reason    TEXT   NOT NULL DEFAULT ''
);

-- Every connector status as received (the connectors table keeps only the last).
CREATE TABLE connector_status_history (
  id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id        TEXT    NOT NULL,
  evse_id           INTEGER NOT NULL DEFAULT 0,
  connector_id      INTEGER NOT NULL DEFAULT 0,
  status            TEXT    NOT NULL,
  error_code        TEXT    NOT NULL DEFAULT '',
  vendor_error_code TEXT    NOT NULL DEFAULT '',
  info              TEXT    NOT NULL DEFAULT '',
  at                BIGINT  NOT NULL
);
CREATE INDEX connector_status_history_at ON connector_status_history (station_id, at);

-- A station's connection coming up or going down.
CREATE TABLE station_links (
  id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id TEXT    NOT NULL,
  online     BOOLEAN NOT NULL,
  at         BIGINT  NOT NULL
);
CREATE INDEX station_links_at ON station_links (station_id, at);

-- An operator's ChangeAvailability the station accepted (evse 0 and connector
-- 0: the whole station).
CREATE TABLE operator_availability (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_id   TEXT    NOT NULL,
  evse_id      INTEGER NOT NULL DEFAULT 0,
  connector_id INTEGER NOT NULL DEFAULT 0,
  operative    BOOLEAN NOT NULL,
  at           BIGINT  NOT NULL
);
CREATE INDEX operator_availability_at ON operator_availability (station_id, at);

-- A transaction the operator closed because its station never will.
CREATE TABLE transaction_closures (
  transaction_id BIGINT PRIMARY KEY REFERENCES transactions (id),
  closed_at      BIGINT NOT NULL,
  reason         TEXT   NOT NULL
);
