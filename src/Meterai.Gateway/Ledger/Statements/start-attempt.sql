-- Where the purchase is about to be sent, fenced by the try: the row must still be the in_progress try this request claimed.
UPDATE purchases SET distributor_id = @DistributorId, attempts = @Attempt, updated_at = @At
WHERE purchase_id = @PurchaseId AND status = 'in_progress' AND try_started_at = @StartedAt
