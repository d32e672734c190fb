-- 0011: a site's Smart-mode EVSEs may keep charging at their minimum current
-- when the PV surplus falls short (docs/energy.md, "Modes").

ALTER TABLE site_energy ADD COLUMN smart_keep_minimum INTEGER NOT NULL DEFAULT 0;
