-- Linked incidents (issue 17). links: which incident is whose duplicate (from IncidentsLinked). A duplicate's
-- clocks are superseded (its open ones at once, any opened later when they fall due), and what fulfils an
-- obligation of the duplicate fulfils the primary's. superseded_breaches: breaches already raised on a
-- duplicate, each to be announced once as BreachSuperseded (the due loop publishes, then marks them published).
CREATE TABLE escalation.links (
    duplicate_id text PRIMARY KEY,
    primary_id   text        NOT NULL,
    link_id      text        NOT NULL,
    linked_at    timestamptz NOT NULL
);

CREATE TABLE escalation.superseded_breaches (
    breach_id     text PRIMARY KEY,
    incident_id   text        NOT NULL,
    primary_id    text        NOT NULL,
    link_id       text        NOT NULL,
    unit_id       text        NOT NULL,
    obligation    text        NOT NULL,
    kind          text        NOT NULL,
    policy        text        NOT NULL,
    superseded_at timestamptz NOT NULL,
    published     boolean     NOT NULL DEFAULT false
);
CREATE INDEX superseded_breaches_unpublished ON escalation.superseded_breaches (superseded_at) WHERE NOT published;

GRANT SELECT, INSERT, UPDATE ON escalation.links, escalation.superseded_breaches TO escalation_svc;
