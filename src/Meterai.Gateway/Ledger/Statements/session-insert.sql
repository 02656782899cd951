INSERT INTO oversight_sessions (id, key_id, ticket, expires_at) VALUES (@id, @keyId, @ticket, @expiresAt)
