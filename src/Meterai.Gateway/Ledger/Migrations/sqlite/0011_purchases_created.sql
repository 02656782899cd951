-- KnownKeys pages through the keys by creation time at start and on every refresh; reports that
-- select purchases by creation time use it too.
CREATE INDEX ix_purchases_created ON purchases (created_at);
