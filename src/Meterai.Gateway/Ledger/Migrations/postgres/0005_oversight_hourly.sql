-- Applicants answered 503 for lack of capacity, per hour. Counted in memory by each gateway and
-- added here periodically (additive upsert: several gateways share one ledger), so a refusal
-- costs no ledger access on the purchase path.
CREATE TABLE refusals_hourly (
    hour_start BIGINT  NOT NULL PRIMARY KEY,
    refused    BIGINT  NOT NULL
);

-- The fleet's selling capacity, sampled per distributor per hour: each sample is
-- concurrency limit / mean service time x 3600 orders per hour while the distributor is healthy
-- and in stock, 0 otherwise. A period's capacity history survives restarts and limit changes.
CREATE TABLE capacity_hourly (
    distributor_id          TEXT    NOT NULL,
    hour_start              BIGINT  NOT NULL,
    samples                 INTEGER NOT NULL,
    selling_samples         INTEGER NOT NULL,
    measured_samples        INTEGER NOT NULL,
    concurrency_limit_total INTEGER NOT NULL,
    service_ms_total        BIGINT  NOT NULL,
    capacity_per_hour_total DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (distributor_id, hour_start)
);

CREATE INDEX ix_capacity_hourly_hour ON capacity_hourly (hour_start);
CREATE INDEX ix_purchases_refunded_at ON purchases (refunded_at) WHERE refunded_at IS NOT NULL;
