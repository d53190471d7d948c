-- Work information (信息工作): the items escalation has seen and their clocks (docs/work-information/clocks.md).

-- One row per item: its writing unit, kind and request (from ItemSubmitted), and when its final sign-off
-- (ItemApproved, final) or its rejection happened (the events' times). Filled by whichever comes first.
CREATE TABLE escalation.items (
    item_id      text PRIMARY KEY,
    unit_id      text        NOT NULL,
    kind         text,
    request_id   text,
    approved_at  timestamptz,
    approved_by  text,
    rejected_at  timestamptz,
    rejected_by  text
);
CREATE INDEX items_approved_idx ON escalation.items (unit_id, approved_at) WHERE approved_at IS NOT NULL;
CREATE INDEX items_request_idx ON escalation.items (request_id, unit_id) WHERE request_id IS NOT NULL;

-- A work-information clock: an item's due time, a request's due time for one unit asked, or a unit's
-- quota for one period (due at the period's end + the grace). clock_id is the id of the event it fires.
CREATE TABLE escalation.info_clocks (
    clock_id     text PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('item_due', 'request', 'quota')),
    unit_id      text        NOT NULL,
    item_id      text,
    request_id   text,
    period       text,
    quota_min    int,
    quota_kinds  text[],
    deadline_at  timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    policy       text        NOT NULL,
    state        text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fulfilled', 'fired', 'ended')),
    counted      int,
    opened_by    text        NOT NULL,
    closed_at    timestamptz,
    closed_by    text
);
CREATE INDEX info_clocks_due_idx ON escalation.info_clocks (due_at) WHERE state = 'open';
CREATE INDEX info_clocks_item_idx ON escalation.info_clocks (item_id) WHERE item_id IS NOT NULL;
CREATE INDEX info_clocks_request_idx ON escalation.info_clocks (request_id, unit_id) WHERE request_id IS NOT NULL;
CREATE INDEX info_clocks_unit_idx ON escalation.info_clocks (unit_id, kind);

GRANT SELECT, INSERT, UPDATE ON escalation.items, escalation.info_clocks TO escalation_svc;
