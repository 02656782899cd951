-- Raw probe results. Kept for Probing:RawRetentionHours, then folded into probe_rollups, so
-- the table's size is bounded by the fleet and the retention, not by uptime.
CREATE TABLE probes (
    distributor_id TEXT    NOT NULL,
    probed_at      BIGINT NOT NULL,
    healthy        INTEGER NOT NULL,
    stock          INTEGER,
    latency_ms     INTEGER NOT NULL,
    PRIMARY KEY (distributor_id, probed_at)
);

CREATE INDEX ix_probes_probed_at ON probes (probed_at);

-- One row per distributor per hour once raw probes age out: enough for availability and
-- stock-out evidence over any audit or report period.
CREATE TABLE probe_rollups (
    distributor_id   TEXT    NOT NULL,
    hour_start       BIGINT NOT NULL,
    probes           INTEGER NOT NULL,
    healthy_probes   INTEGER NOT NULL,
    sold_out_probes  INTEGER NOT NULL,
    latency_ms_total BIGINT NOT NULL,
    latency_ms_max   INTEGER NOT NULL,
    PRIMARY KEY (distributor_id, hour_start)
);

-- Activity flags with their evidence. A distributor has at most one open flag per reason.
CREATE TABLE flags (
    flag_id        TEXT    NOT NULL PRIMARY KEY,
    distributor_id TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    evidence       TEXT    NOT NULL,
    opened_at      BIGINT NOT NULL,
    resolved_at    BIGINT
);

CREATE UNIQUE INDEX ux_flags_open ON flags (distributor_id, reason) WHERE resolved_at IS NULL;
CREATE INDEX ix_flags_distributor ON flags (distributor_id, opened_at);

-- Oversight reports. The body is written once and never updated: a finding does not change
-- after it has been published.
CREATE TABLE reports (
    report_id   TEXT    NOT NULL PRIMARY KEY,
    period_from BIGINT NOT NULL,
    period_to   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    body        TEXT    NOT NULL
);

CREATE INDEX ix_reports_created ON reports (created_at);
