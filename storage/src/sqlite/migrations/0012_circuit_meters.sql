-- 0012: meters on circuits of a site's tree (docs/energy.md, "Circuit
-- meters"): a meter source or a reading may name the circuit it measures, and
-- a reading carries that circuit's per-phase currents.

ALTER TABLE site_meter_sources ADD COLUMN circuit TEXT NOT NULL DEFAULT '';
ALTER TABLE site_readings ADD COLUMN circuit TEXT NOT NULL DEFAULT '';
ALTER TABLE site_readings ADD COLUMN current_l1_a REAL;
ALTER TABLE site_readings ADD COLUMN current_l2_a REAL;
ALTER TABLE site_readings ADD COLUMN current_l3_a REAL;
