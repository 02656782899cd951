-- The answer the applicant gets, fenced by the try; recorded once, never rewritten.
UPDATE purchases
SET status = @Status, distributor_id = @DistributorId, order_id = @OrderId, amount = @Amount, serials = @Serials,
    ambiguous = @Ambiguous, response_status = @ResponseStatus, response_body = @ResponseBody, updated_at = @At,
    issued_at = CASE WHEN @Status = 'issued' THEN @At END,
    refund_due_at = CASE WHEN @Status = 'refund_due' THEN @At END,
    next_check_at = CASE WHEN @Status IN ('pending', 'refund_due') THEN @At END
WHERE purchase_id = @PurchaseId AND status = 'in_progress' AND try_started_at = @StartedAt
