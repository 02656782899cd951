-- Where KnownKeys starts loading at start: the creation time of the purchase @Skip places behind
-- the newest, so the keys it loads from there on are the most recent ones (NULL when the ledger
-- holds fewer).
SELECT created_at
FROM purchases
ORDER BY created_at DESC
LIMIT 1 OFFSET @Skip
