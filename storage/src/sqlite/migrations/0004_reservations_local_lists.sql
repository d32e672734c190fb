-- 0004: reservations and local authorization lists. Conventions as in 0001.

-- History: no foreign key to stations, so a removed station keeps them. The
-- ids are sent to stations (1.6 and 2.0.1 integers): never reused.
CREATE TABLE reservations (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id     TEXT    NOT NULL,
  evse_id        INTEGER NOT NULL DEFAULT 0,
  connector_id   INTEGER NOT NULL DEFAULT 0,
  id_tag         TEXT    NOT NULL,
  parent_id_tag  TEXT,
  token_type     TEXT,
  connector_type TEXT,
  expiry         INTEGER NOT NULL,
  status         TEXT    NOT NULL,
  transaction_id INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX reservations_station ON reservations (station_id, id);
CREATE INDEX reservations_status ON reservations (status, expiry);

-- What a station last accepted: it describes the station as it is, so it goes
-- with the station.
CREATE TABLE local_lists (
  station_id       TEXT    PRIMARY KEY REFERENCES stations (id) ON DELETE CASCADE,
  version          INTEGER NOT NULL DEFAULT 0,
  needs_full       INTEGER NOT NULL DEFAULT 1,
  updated_at       INTEGER,
  reported_version INTEGER,
  reported_at      INTEGER
);

CREATE TABLE local_list_entries (
  station_id    TEXT    NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
  id_tag        TEXT    NOT NULL COLLATE NOCASE,
  status        TEXT    NOT NULL,
  expiry        INTEGER,
  parent_id_tag TEXT,
  PRIMARY KEY (station_id, id_tag)
);
