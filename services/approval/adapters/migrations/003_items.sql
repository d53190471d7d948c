-- Work information (信息工作): the items approval knows (from ItemSubmitted), their sign-off steps in the
-- writing unit, the units each reached (forwards), receipts, adoptions into publications, leaders'
-- instructions (批示), and the requests (约稿) editors issue. docs/work-information/approval.md.

CREATE TABLE approval.items (
    item_id            text PRIMARY KEY,
    reporting_unit     text NOT NULL,
    kind               text NOT NULL,
    title              text NOT NULL,
    classification     text NOT NULL DEFAULT 'internal',
    policy             text NOT NULL,            -- the information pack, name@version
    pack               text NOT NULL,            -- its name, as this deployment loads it
    request_id         text,
    document           jsonb NOT NULL,           -- the item as submitted (shared/item.py)
    received_at        timestamptz NOT NULL,
    due_at             timestamptz,
    submitted_by       text,
    submitted_event_id text NOT NULL,
    -- pending (waits for the step numbered steps_done) → approved | rejected
    state              text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    steps_done         integer NOT NULL DEFAULT 0,
    decided_at         timestamptz
);
CREATE INDEX items_unit_idx ON approval.items (reporting_unit, received_at);

-- One decision per sign-off step (step = its index in the pack's sign_off).
CREATE TABLE approval.item_decisions (
    event_id   text PRIMARY KEY,
    item_id    text NOT NULL REFERENCES approval.items,
    unit_id    text NOT NULL,
    step       integer NOT NULL,
    approver   text NOT NULL,
    role       text NOT NULL,
    decision   text NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment    text NOT NULL,
    final      boolean NOT NULL,
    decided_at timestamptz NOT NULL,
    UNIQUE (item_id, step)
);

-- Every send of an item: by the writing unit's sign-off (by_subject null) or an editor's forwarding (转报).
-- The units an item reached are the to_unit_id of its forwards.
CREATE TABLE approval.item_forwards (
    event_id     text PRIMARY KEY,
    item_id      text NOT NULL REFERENCES approval.items,
    from_unit_id text NOT NULL,
    to_unit_id   text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('main', 'department')),
    by_subject   text,
    forwarded_at timestamptz NOT NULL,
    UNIQUE (item_id, from_unit_id, to_unit_id, channel)
);
CREATE INDEX item_forwards_to_idx ON approval.item_forwards (to_unit_id, forwarded_at);

CREATE TABLE approval.item_receipts (
    item_id         text NOT NULL REFERENCES approval.items,
    unit_id         text NOT NULL,
    by_subject      text NOT NULL,
    acknowledged_at timestamptz NOT NULL,
    event_id        text NOT NULL UNIQUE,
    PRIMARY KEY (item_id, unit_id)
);

-- One adoption per publication per adopting unit (adoption_id = uuid5 of item, publication and unit).
CREATE TABLE approval.item_adoptions (
    adoption_id text PRIMARY KEY,
    item_id     text NOT NULL REFERENCES approval.items,
    unit_id     text NOT NULL,
    publication text NOT NULL,
    issue       text NOT NULL,
    level       text NOT NULL,
    by_subject  text NOT NULL,
    adopted_at  timestamptz NOT NULL,
    event_id    text NOT NULL UNIQUE,
    UNIQUE (item_id, unit_id, publication)
);

-- instruction_id = uuid5 of item, unit, principal and level: one principal records one instruction of a level.
CREATE TABLE approval.item_instructions (
    instruction_id text PRIMARY KEY,
    item_id        text NOT NULL REFERENCES approval.items,
    unit_id        text NOT NULL,
    level          text NOT NULL,
    text           text NOT NULL,
    by_subject     text NOT NULL,
    given_at       timestamptz NOT NULL,
    event_id       text NOT NULL UNIQUE
);

-- Commissioned requests (约稿); request_id is uuid5 of the unit, the editor and the Idempotency-Key when
-- one was sent, so a retried POST finds its first request.
CREATE TABLE approval.item_requests (
    request_id      text PRIMARY KEY,
    unit_id         text NOT NULL,
    to_units        text[] NOT NULL,
    topic           text NOT NULL,
    due_at          timestamptz NOT NULL,
    classification  text NOT NULL,
    by_subject      text NOT NULL,
    issued_at       timestamptz NOT NULL,
    event_id        text NOT NULL UNIQUE
);
CREATE INDEX item_requests_unit_idx ON approval.item_requests (unit_id, issued_at);
CREATE INDEX item_requests_to_idx ON approval.item_requests USING gin (to_units);

GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA approval TO approval_svc;
