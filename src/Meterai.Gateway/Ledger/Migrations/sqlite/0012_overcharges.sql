-- Orders a distributor charged more than quantity × 10,000 for (gateway spec: overcharges). The
-- order still counts as issued or pending; this keeps both amounts as the evidence the oversight
-- report lists and the activity audit flags. One row per order, as first read.
CREATE TABLE overcharges (
    distributor_id TEXT    NOT NULL,
    order_id       TEXT    NOT NULL,
    purchase_id    TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    amount_charged INTEGER NOT NULL,
    amount_due     INTEGER NOT NULL,
    found_at       INTEGER NOT NULL,
    PRIMARY KEY (distributor_id, order_id)
);

CREATE INDEX ix_overcharges_found ON overcharges (found_at);

-- Orders recorded before this migration: their amounts are in the ledger already.
INSERT INTO overcharges (distributor_id, order_id, purchase_id, quantity, amount_charged, amount_due, found_at)
SELECT distributor_id, order_id, purchase_id, quantity, amount, quantity * 10000, updated_at
FROM purchases
WHERE amount > quantity * 10000 AND distributor_id IS NOT NULL AND order_id IS NOT NULL;
