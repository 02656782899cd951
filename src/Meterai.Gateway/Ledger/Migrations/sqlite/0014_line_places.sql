-- The line in a rush, shared by the gateways on one ledger (Admission/PlaceSync; docs/order-of-service.md,
-- "Several gateways"): one row per Idempotency-Key holding a place, written and read in batches.
CREATE TABLE line_places (
    idempotency_key TEXT     NOT NULL PRIMARY KEY,
    ticket          BIGINT   NOT NULL,   -- first arrival in UTC ticks: the earliest any gateway saw
    due_at          BIGINT   NOT NULL,   -- epoch milliseconds: when its latest Retry-After falls due
    keep_until      BIGINT   NOT NULL,   -- epoch milliseconds: it loses its place after this
    served          SMALLINT NOT NULL,   -- 1 once its turn came at some gateway: it leaves every line
    changed_at      BIGINT   NOT NULL    -- epoch milliseconds on the database's clock: what the others read from
);
CREATE INDEX ix_line_places_changed ON line_places (changed_at);
