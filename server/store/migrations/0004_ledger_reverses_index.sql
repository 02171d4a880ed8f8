-- "Is this entry reversed yet?" (NOT EXISTS ... WHERE reverses = e.id) runs on every
-- check-in and undo; without this index it scanned the whole ledger (bench/README.md).
CREATE INDEX ledger_reverses ON ledger (reverses);
