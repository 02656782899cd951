-- The shared line's rows changed since a point on the database's clock (Ledger/LinePlaces): the other
-- gateways' new places, promises and services. Places already lost are left out; served ones are
-- not, since a gateway may still hold the place.
SELECT idempotency_key AS IdempotencyKey, ticket AS Ticket, due_at AS DueAt, keep_until AS KeepUntil, served AS Served, changed_at AS ChangedAt
FROM line_places
WHERE changed_at >= @Since AND (served = 1 OR keep_until >= @Now)
