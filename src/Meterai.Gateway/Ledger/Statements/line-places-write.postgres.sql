-- One batch of a gateway's line changes (Ledger/LinePlaces), one row per key, in one statement:
-- @Places is a JSON array of {key, ticket, dueAt, keepUntil, served}. Rows are taken in key order
-- so that two gateways writing overlapping batches lock them in the same order and never deadlock.
-- changed_at is the database's clock, one clock for every gateway.
INSERT INTO line_places (idempotency_key, ticket, due_at, keep_until, served, changed_at)
SELECT n.key, n.ticket, n."dueAt", n."keepUntil", n.served, (extract(epoch FROM clock_timestamp()) * 1000)::bigint
FROM jsonb_to_recordset(@Places::jsonb) AS n(key text, ticket bigint, "dueAt" bigint, "keepUntil" bigint, served smallint)
ORDER BY n.key
ON CONFLICT (idempotency_key) DO UPDATE SET
    -- A served place taken again later (its purchase failed and the key came back) starts anew;
    -- otherwise the earliest ticket, the latest promise, and served once served anywhere.
    ticket = CASE WHEN line_places.served = 1 AND excluded.served = 0 AND excluded.ticket > line_places.ticket THEN excluded.ticket
                  WHEN excluded.ticket < line_places.ticket THEN excluded.ticket ELSE line_places.ticket END,
    due_at = CASE WHEN line_places.served = 1 AND excluded.served = 0 AND excluded.ticket > line_places.ticket THEN excluded.due_at
                  WHEN excluded.due_at > line_places.due_at THEN excluded.due_at ELSE line_places.due_at END,
    keep_until = CASE WHEN line_places.served = 1 AND excluded.served = 0 AND excluded.ticket > line_places.ticket THEN excluded.keep_until
                      WHEN excluded.keep_until > line_places.keep_until THEN excluded.keep_until ELSE line_places.keep_until END,
    served = CASE WHEN line_places.served = 1 AND excluded.served = 0 AND excluded.ticket > line_places.ticket THEN 0
                  WHEN excluded.served = 1 THEN 1 ELSE line_places.served END,
    changed_at = excluded.changed_at
