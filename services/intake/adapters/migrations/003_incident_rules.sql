-- Numbering and closure (issue 17). Every submission on an incident holds its number in the incident
-- (0 for the first, 1, 2 … in the order intake received them) and whether the incident is closed after it
-- (a final report closes it, a report that says reopen opens it again). The submission with the highest
-- number is the incident's current state; the unique number is what serialises concurrent reports on one
-- incident across intake instances (the second to take a number computes again). The incident remembers
-- its first occurrence time, so a follow-up that states another one is told.
ALTER TABLE intake.submissions
    ADD COLUMN incident_id     text,
    ADD COLUMN sequence        int,
    ADD COLUMN incident_closed boolean NOT NULL DEFAULT false;

-- Submissions from before: numbered in the order they were created; closed after a final report.
UPDATE intake.submissions s SET incident_id = n.incident_id, sequence = n.sequence,
       incident_closed = (s.envelopes -> 0 -> 'data' -> 'report' ->> 'kind') = 'final'
FROM (SELECT unit_id, idem_key, answer ->> 'incident_id' AS incident_id,
             (row_number() OVER (PARTITION BY answer ->> 'incident_id' ORDER BY created_at, report_id) - 1)::int
                 AS sequence
      FROM intake.submissions) n
WHERE s.unit_id = n.unit_id AND s.idem_key = n.idem_key;

ALTER TABLE intake.submissions ALTER COLUMN incident_id SET NOT NULL, ALTER COLUMN sequence SET NOT NULL;
CREATE UNIQUE INDEX submissions_incident_sequence ON intake.submissions (incident_id, sequence);

ALTER TABLE intake.incidents ADD COLUMN occurred_at timestamptz;
