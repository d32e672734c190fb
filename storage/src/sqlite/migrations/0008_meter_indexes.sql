-- 0008: meter_samples indexes shaped for how samples arrive.
-- The transaction index also orders each measurand by time, so a transaction's
-- first and last energy-register readings are two index lookups instead of a
-- read of all its samples (2.0.1 recomputes the energy on every
-- TransactionEvent). It still serves lookups by transaction.
-- The dedup index keeps the same columns, so the same rows collide, but leads
-- with the timestamp: samples arrive roughly in time order, so inserts land at
-- the index's right edge instead of one random page per station, and a commit
-- writes far fewer pages to the WAL.

DROP INDEX meter_samples_transaction;
CREATE INDEX meter_samples_transaction ON meter_samples (transaction_id, measurand, timestamp);
DROP INDEX meter_samples_dedup;
CREATE UNIQUE INDEX meter_samples_dedup ON meter_samples
  (timestamp, station_id, evse_id, connector_id, measurand, phase, location, context, value);
