-- seen.channel held a submission's report channel (written, phone) but a forward's route (main, department,
-- skip_notice), so replaying fulfilments derived a forward's report channel from its report's submission.
-- It now holds the report channel on both, as ReportForwarded states it (report_channel). Forwards seen
-- before get what that derivation gave them: their report's submitted channel, else written (looked up
-- within the forward's incident, through seen_incident_idx: a forward's report belongs to its incident).
UPDATE escalation.seen f
   SET channel = coalesce((SELECT s.channel FROM escalation.seen s
                            WHERE s.incident_id = f.incident_id AND s.report_id = f.report_id
                              AND s.type = 'ReportSubmitted' LIMIT 1), 'written')
 WHERE f.type = 'ReportForwarded';
ALTER TABLE escalation.seen RENAME COLUMN channel TO report_channel;
