-- The archive's append-only, hash-chained event store.
-- body is the event's canonical JSON (the CloudEvents envelope, keys sorted): the one source of truth.
-- Queryable columns are generated from it, so they cannot be edited apart from it.
CREATE SCHEMA IF NOT EXISTS archive;

CREATE TABLE archive.events (
    position        bigint      PRIMARY KEY,
    recorded_at     timestamptz NOT NULL,
    body            text        NOT NULL,
    hash            bytea       NOT NULL,
    prev_hash       bytea       NOT NULL,
    kafka_topic     text,
    kafka_partition int,
    kafka_offset    bigint,
    stream_version  int         NOT NULL,
    event_id        text GENERATED ALWAYS AS ((body::jsonb) ->> 'id') STORED,
    type            text GENERATED ALWAYS AS ((body::jsonb) ->> 'type') STORED,
    stream          text GENERATED ALWAYS AS ((body::jsonb) ->> 'subject') STORED,
    data            jsonb GENERATED ALWAYS AS ((body::jsonb) -> 'data') STORED,
    UNIQUE (event_id),
    UNIQUE (stream, stream_version)
);
CREATE INDEX events_type_idx ON archive.events (type, position);
CREATE INDEX events_report_idx ON archive.events ((data ->> 'report_id'), position);
CREATE INDEX events_incident_idx ON archive.events ((data ->> 'incident_id'), position);

-- One row: the chain's tail. Appenders lock it, so positions are gap-free, in commit order,
-- and the chain cannot fork.
CREATE TABLE archive.head (
    singleton bool PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint NOT NULL,
    hash      bytea  NOT NULL
);
INSERT INTO archive.head (position, hash) VALUES (0, '\x'::bytea);

GRANT USAGE ON SCHEMA archive TO archive_svc;
GRANT SELECT, INSERT ON archive.events TO archive_svc;
GRANT SELECT, UPDATE ON archive.head TO archive_svc;
