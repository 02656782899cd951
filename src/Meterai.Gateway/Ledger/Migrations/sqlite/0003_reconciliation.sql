-- What reconciliation and the oversight report need to know about each purchase's money.
ALTER TABLE purchases ADD COLUMN issued_at INTEGER;        -- when serials were delivered
ALTER TABLE purchases ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;  -- look-ups or refund requests made so far
ALTER TABLE purchases ADD COLUMN next_check_at INTEGER;    -- when reconciliation next looks at it (backoff)
ALTER TABLE purchases ADD COLUMN refund_due_at INTEGER;    -- when it became refund_due
ALTER TABLE purchases ADD COLUMN refunded_at INTEGER;      -- when the distributor confirmed the refund

CREATE INDEX ix_purchases_next_check ON purchases (next_check_at)
    WHERE status IN ('in_progress', 'pending', 'refund_due');
CREATE INDEX ix_purchases_distributor_issued ON purchases (distributor_id, issued_at);
