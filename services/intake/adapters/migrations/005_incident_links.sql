-- Linked incidents (issue 17): a duty officer links a duplicate incident to its primary, once. The row holds
-- the exact events the link publishes (one IncidentsLinked on each incident's stream): 'pending' until Kafka
-- acknowledged them, so a retry republishes the same bytes; a duplicate is linked to one primary only.
CREATE TABLE intake.incident_links (
    duplicate_id text PRIMARY KEY,
    primary_id   text        NOT NULL,
    link_id      text        NOT NULL UNIQUE,
    envelopes    json        NOT NULL,
    answer       json        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('pending', 'published')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_links_primary ON intake.incident_links (primary_id);

GRANT SELECT, INSERT, UPDATE ON intake.incident_links TO intake_svc;
