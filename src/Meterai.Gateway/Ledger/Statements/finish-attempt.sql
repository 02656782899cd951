-- An attempt refused without a charge, fenced by the try.
UPDATE purchase_attempts SET finished_at = @At, outcome = @Outcome, http_status = @HttpStatus
WHERE purchase_id = @PurchaseId AND attempt = @Attempt
  AND EXISTS (SELECT 1 FROM purchases WHERE purchase_id = @PurchaseId AND status = 'in_progress' AND try_started_at = @StartedAt)
