-- Orders a distributor may have created for a purchase after its answer was lost (an ambiguous or
-- unanswered attempt), once the purchase is sold elsewhere or released: nobody else would ever
-- refund them. One row per purchase and distributor (the key is the purchase id, so a distributor
-- holds at most one order for it), looked up by key until found or the horizon has passed.
-- status: watching | refunded (the orphan was refunded) | delivered (issued: the spec allows no
-- refund, the distributor owes a credit) | adopted (the distributor holds the purchase again) |
-- unseen (no order by the horizon).
CREATE TABLE orphan_orders (
    purchase_id    TEXT    NOT NULL,
    distributor_id TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    sent_at        BIGINT  NOT NULL,
    checks         INTEGER NOT NULL DEFAULT 0,
    next_check_at  BIGINT,
    order_id       TEXT,
    amount         BIGINT,
    found_at       BIGINT,
    updated_at     BIGINT  NOT NULL,
    PRIMARY KEY (purchase_id, distributor_id)
);

CREATE INDEX ix_orphan_orders_watching ON orphan_orders (next_check_at) WHERE status = 'watching';
CREATE INDEX ix_purchase_attempts_outcome ON purchase_attempts (started_at) WHERE outcome IS NULL OR outcome = 'ambiguous';
