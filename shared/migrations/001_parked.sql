-- Every service's parking table (applied to each service's schema; {schema} and {role} are filled in):
-- the records a consumer could not apply, set aside so that the records behind them go on.
CREATE TABLE {schema}.parked (
    id          bigserial PRIMARY KEY,
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    "partition" int         NOT NULL,
    "offset"    bigint      NOT NULL,
    key         bytea,
    value       bytea       NOT NULL,
    headers     jsonb       NOT NULL DEFAULT '[]',
    reason      text        NOT NULL,
    error_type  text        NOT NULL,
    attempts    int         NOT NULL,
    parked_at   timestamptz NOT NULL,
    state       text        NOT NULL DEFAULT 'parked' CHECK (state IN ('parked', 'resolved')),
    retries     int         NOT NULL DEFAULT 0,
    retried_at  timestamptz,
    UNIQUE (consumer, topic, "partition", "offset")
);
CREATE INDEX parked_state_idx ON {schema}.parked (state, id);

GRANT SELECT, INSERT, UPDATE ON {schema}.parked TO {role};
GRANT USAGE ON SEQUENCE {schema}.parked_id_seq TO {role};
