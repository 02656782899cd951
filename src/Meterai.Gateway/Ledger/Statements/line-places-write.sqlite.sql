-- One batch of a gateway's line changes (Ledger/LinePlaces), one row per key, in one statement:
-- @Places is a JSON array of {key, ticket, dueAt, keepUntil, served}. changed_at is the database's
-- clock in epoch milliseconds. (WHERE true: SQLite's upsert after a SELECT needs a WHERE to parse.)
INSERT INTO line_places (idempotency_key, ticket, due_at, keep_until, served, changed_at)
SELECT json_extract(value, '$.key'), json_extract(value, '$.ticket'), json_extract(value, '$.dueAt'),
       json_extract(value, '$.keepUntil'), json_extract(value, '$.served'),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM json_each(@Places)
WHERE true
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
