-- A purchase whose key was freed (unavailable) and retried starts a fresh try: its delivery
-- deadline runs from the try's claim, not from the first request. The claim's timestamp is also
-- the fence every live-path write is guarded by.
ALTER TABLE purchases ADD COLUMN try_started_at BIGINT;
UPDATE purchases SET try_started_at = created_at;

-- The last known address and key of every registered distributor, so purchases it still owes are
-- resolved after it leaves the registry. Read only by reconciliation; no report or page selects it.
CREATE TABLE distributor_contacts (
    distributor_id TEXT    NOT NULL PRIMARY KEY,
    base_url       TEXT    NOT NULL,
    api_key        TEXT,
    seen_at        BIGINT NOT NULL
);
