-- 0003: charging profiles (smart charging), as the CSMS installed them with
-- Set/ClearChargingProfile or a 2.0.1 station reported them
-- (ReportChargingProfiles). They describe the station as it is now, so they go
-- with it. Conventions as in 0001.
--
-- connector_id is the 1.6 connectorId or the 2.0.1 evseId (0: the whole
-- station). A station keeps one profile per id, and one per connector, purpose
-- and stack level; the store replaces accordingly.
CREATE TABLE charging_profiles (
  station_id     TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  profile_id     INTEGER NOT NULL,
  connector_id   INTEGER NOT NULL,
  purpose        TEXT    NOT NULL,
  stack_level    INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  recurrency     TEXT    NOT NULL DEFAULT '',
  valid_from     INTEGER,
  valid_to       INTEGER,
  transaction_id TEXT,
  -- The chargingSchedule as sent or reported: JSON in the station's version.
  schedule       TEXT    NOT NULL,
  -- 1 when the station accepted it (or reported it); 0 when it answered Rejected.
  accepted       INTEGER NOT NULL,
  -- Who set it: 'CSO' for the CSMS's own set-profile, else the 2.0.1
  -- chargingLimitSource a report named (EMS, SO, Other).
  source         TEXT    NOT NULL DEFAULT 'CSO',
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (station_id, profile_id)
);

CREATE INDEX charging_profiles_slot
  ON charging_profiles (station_id, connector_id, purpose, stack_level);
