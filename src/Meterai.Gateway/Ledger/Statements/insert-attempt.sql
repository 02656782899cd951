INSERT INTO purchase_attempts (purchase_id, attempt, distributor_id, started_at) VALUES (@PurchaseId, @Attempt, @DistributorId, @At)
