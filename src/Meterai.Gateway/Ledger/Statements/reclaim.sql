-- A retry of a key that ended unavailable (nothing charged) starts a fresh try: its deadline, backoff,
-- distributor and answer start afresh, and nothing of the old try can be replayed. Only the attempt
-- numbering carries on (its rows stay). Guarded by updated_at, so of two racing retries one wins.
UPDATE purchases
SET status = 'in_progress', updated_at = @At, try_started_at = @At, checks = 0, next_check_at = NULL,
    distributor_id = NULL, order_id = NULL, amount = NULL, serials = NULL, ambiguous = 0,
    response_status = NULL, response_body = NULL, refund_due_at = NULL
WHERE purchase_id = @PurchaseId AND status = 'unavailable' AND updated_at = @UpdatedAt
