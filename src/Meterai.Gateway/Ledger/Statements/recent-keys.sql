-- The keys claimed after a point in time, oldest first, one page at a time: what KnownKeys learns at
-- start, and on a shared ledger the keys other gateways claimed since the last refresh.
SELECT idempotency_key AS IdempotencyKey, created_at AS CreatedAt
FROM purchases
WHERE created_at >= @Since
ORDER BY created_at
LIMIT @Limit
