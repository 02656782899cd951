-- Browser sign-in sessions (Auth/LedgerTicketStore). The cookie carries only a session id, so
-- signing out, expiry, or a key leaving the configuration ends the session on every gateway
-- that shares the ledger.
CREATE TABLE oversight_sessions (
    id         TEXT   NOT NULL PRIMARY KEY,   -- SHA-256 (hex) of the session id the cookie carries, not the id itself
    key_id     TEXT   NOT NULL,               -- ApiKeyIdentity.KeyId of the key signed in with: a hash, never the key
    ticket     BLOB   NOT NULL,               -- the serialized authentication ticket (claims, issue and expiry times)
    expires_at BIGINT NOT NULL                -- epoch milliseconds; slides forward as the session is used
);
CREATE INDEX oversight_sessions_expires_at ON oversight_sessions (expires_at);
