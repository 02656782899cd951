-- The claim: the purchase exists before anything else happens; the unique key decides between racing requests.
INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, created_at, updated_at, try_started_at)
VALUES (@PurchaseId, @IdempotencyKey, @RequestHash, @Quantity, @ApplicantRef, 'in_progress', @At, @At, @At)
ON CONFLICT (idempotency_key) DO NOTHING
