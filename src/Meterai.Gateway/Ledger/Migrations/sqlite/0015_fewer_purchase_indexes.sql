-- Fewer index writes per purchase, the ledger's writes being most of its CPU (docs/benchmarks/journal/2026-12-07-the-ledger-bound.md):
-- one partial index over open purchases, in reconciliation's order, instead of two; delivered ones only by distributor.
DROP INDEX ix_purchases_open;
DROP INDEX ix_purchases_next_check;
DROP INDEX ix_purchases_distributor_issued;

CREATE INDEX ix_purchases_due ON purchases (COALESCE(next_check_at, updated_at))
    WHERE status IN ('in_progress', 'pending', 'refund_due');
CREATE INDEX ix_purchases_distributor_issued ON purchases (distributor_id, issued_at)
    WHERE issued_at IS NOT NULL;
