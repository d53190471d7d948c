-- Sign-off chains from packs (docs/approval.md): a queue entry counts the steps decided in its unit and waits
-- as 'pending' (none decided) or 'awaiting_<stage>' (e.g. awaiting_leader); each decision names its step.
ALTER TABLE approval.queue ADD COLUMN steps_done integer NOT NULL DEFAULT 0;
ALTER TABLE approval.queue DROP CONSTRAINT queue_state_check;
ALTER TABLE approval.queue ADD CONSTRAINT queue_state_check
    CHECK (state IN ('pending', 'signed', 'rejected', 'superseded', 'delivered') OR state ~ '^awaiting_[a-z_]+$');
-- Before chains, awaiting_principal followed the one approval of a two-step route (grades I and II).
UPDATE approval.queue SET steps_done = 1 WHERE state = 'awaiting_principal';

ALTER TABLE approval.decisions ADD COLUMN step integer;
ALTER TABLE approval.decisions ADD COLUMN stage text;
