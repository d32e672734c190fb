-- 0008: the transaction index of meter_samples also orders each measurand by
-- time, so a transaction's first and last energy-register readings are two
-- index lookups instead of a read of all its samples (2.0.1 recomputes the
-- energy on every TransactionEvent). It still serves lookups by transaction.

DROP INDEX meter_samples_transaction;
CREATE INDEX meter_samples_transaction ON meter_samples (transaction_id, measurand, timestamp);
