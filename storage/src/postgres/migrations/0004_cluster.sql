-- The cluster (docs/cluster.md): nodes, station ownership with epochs, and
-- commands relayed between nodes. Timestamps are microseconds since the epoch.

-- One row per node id, upserted at start; heartbeat_at every cluster.heartbeat_s.
CREATE TABLE cluster_node (
  id TEXT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  admin_url TEXT NOT NULL DEFAULT ''
);

-- Who holds a station's socket. The epoch rises on every accepted connection
-- (a fencing token) and is kept when the session ends (node_id NULL), so it
-- never goes back.
CREATE TABLE station_session (
  station_id TEXT PRIMARY KEY,
  node_id TEXT,
  epoch BIGINT NOT NULL,
  connected_at BIGINT NOT NULL
);
CREATE INDEX station_session_node ON station_session (node_id);

-- A command for a station whose socket another node holds.
CREATE TABLE cluster_command (
  id BIGSERIAL PRIMARY KEY,
  station_id TEXT NOT NULL,
  origin_node TEXT NOT NULL,
  target_node TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  name TEXT NOT NULL,
  params_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'failed', 'expired')),
  created_at BIGINT NOT NULL,
  deadline BIGINT NOT NULL,
  result_json TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cluster_command_target ON cluster_command (target_node, status);
CREATE INDEX cluster_command_origin ON cluster_command (origin_node, status);
