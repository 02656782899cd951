-- No distributor could take the purchase and nothing was charged: the key may be used again. Fenced by the try.
UPDATE purchases SET status = 'unavailable', updated_at = @At
WHERE purchase_id = @PurchaseId AND status = 'in_progress' AND try_started_at = @StartedAt
