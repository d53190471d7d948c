-- Work information (issue 19): items submitted to intake, keyed by (unit, Idempotency-Key), with the exact
-- ItemSubmitted event they publish and the 202 answer. Same outbox as reports' submissions: 'pending' until
-- Kafka acknowledged the event (a retry republishes exactly these bytes), then 'published'. Apart from
-- intake.submissions, whose rows are numbered within incidents.
CREATE TABLE intake.item_submissions (
    unit_id      text NOT NULL,
    idem_key     text NOT NULL,
    item_id      text NOT NULL UNIQUE,
    request_hash text NOT NULL,
    envelope     json NOT NULL,  -- json, not jsonb: a retry republishes the very same bytes
    answer       json NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'published')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (unit_id, idem_key)
);

GRANT SELECT, INSERT, UPDATE ON intake.item_submissions TO intake_svc;

-- The commissioned requests (约稿) approval issued (RequestIssued on baosong.items), so that an item naming
-- one is checked: an unknown request id is refused, a request not addressed to the item's unit is warned of.
CREATE TABLE intake.requests (
    request_id text PRIMARY KEY,
    unit_id    text NOT NULL,
    to_units   text[] NOT NULL,
    due_at     timestamptz NOT NULL,
    event_id   text NOT NULL
);

GRANT SELECT, INSERT ON intake.requests TO intake_svc;
