-- 0013: each station's OCPP security profile (docs/security.md, "Security
-- profiles"): 1 plain ws:// with Basic auth, 2 TLS with Basic auth, 3 TLS with
-- a client certificate. The handshake accepts a station only on a connection
-- of its profile or higher; existing stations start on profile 1.

ALTER TABLE stations ADD COLUMN security_profile INTEGER NOT NULL DEFAULT 1;
