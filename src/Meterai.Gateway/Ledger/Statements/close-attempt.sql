-- The attempt that produced the answer, in the answer's transaction.
UPDATE purchase_attempts SET finished_at = @At, outcome = @Outcome, http_status = @HttpStatus WHERE purchase_id = @PurchaseId AND attempt = @Attempt
