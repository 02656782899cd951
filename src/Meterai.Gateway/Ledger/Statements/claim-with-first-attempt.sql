-- The claim of a new key with its first attempt already placed: the row claim.sql and start-attempt.sql
-- together leave, in one statement instead of an insert and an update of the same row.
INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, distributor_id, attempts, created_at, updated_at, try_started_at)
VALUES (@PurchaseId, @IdempotencyKey, @RequestHash, @Quantity, @ApplicantRef, 'in_progress', @DistributorId, 1, @At, @At, @At)
ON CONFLICT (idempotency_key) DO NOTHING
