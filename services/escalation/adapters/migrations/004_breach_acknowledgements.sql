-- 已知悉: the first acknowledgement of each breach (a breach is a fired late/missed clock or a fired
-- item/request clock; breach_id is that clock's id). One row per breach: later ones answer with this.
CREATE TABLE escalation.breach_acknowledgements (
    breach_id            text PRIMARY KEY,
    incident_id          text,
    item_id              text,
    request_id           text,
    unit_id              text        NOT NULL,
    acknowledged_by      text        NOT NULL,
    acknowledged_by_name text,
    acknowledged_by_unit text        NOT NULL,
    acknowledged_at      timestamptz NOT NULL
);
GRANT SELECT, INSERT ON escalation.breach_acknowledgements TO escalation_svc;
