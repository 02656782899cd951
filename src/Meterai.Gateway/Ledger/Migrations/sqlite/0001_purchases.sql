-- The purchase ledger. A row exists before any distributor is called, so a paid purchase can
-- never be lost track of; the unique key is what makes Idempotency-Key hold across gateways.
CREATE TABLE purchases (
    purchase_id     TEXT    NOT NULL PRIMARY KEY,
    idempotency_key TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    applicant_ref   TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    distributor_id  TEXT,
    order_id        TEXT,
    amount          INTEGER,
    serials         TEXT,
    ambiguous       INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    response_body   TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT uq_purchases_idempotency_key UNIQUE (idempotency_key)
);

-- Reconciliation walks only the open purchases; the partial index keeps that cheap as the ledger grows.
CREATE INDEX ix_purchases_open ON purchases (status, updated_at)
    WHERE status IN ('in_progress', 'pending', 'refund_due');

-- Every distributor a purchase was offered to, written before the request leaves: the evidence
-- for "refused what it was offered" and the address of any money that may have moved.
CREATE TABLE purchase_attempts (
    purchase_id    TEXT    NOT NULL,
    attempt        INTEGER NOT NULL,
    distributor_id TEXT    NOT NULL,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    outcome        TEXT,
    http_status    INTEGER,
    PRIMARY KEY (purchase_id, attempt)
);

CREATE INDEX ix_purchase_attempts_distributor ON purchase_attempts (distributor_id, started_at);
