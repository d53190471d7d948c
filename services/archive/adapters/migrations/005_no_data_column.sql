-- 追加时不再生成 jsonb 列 data / Appends no longer build the generated jsonb column `data`.
-- Measured (1000-row COPY batches of ~700 B events): the generated `data` column and the two expression
-- indexes on it cost more than half of the COPY (≈ 59 → 25 ms per 1000 rows without them). The read API
-- only needs data's report_id and incident_id, so they become ordinary text columns written by the store
-- from the same envelope it canonicalises (like event_id/type/stream in 004): they cannot drift from the
-- body unseen, since the table refuses UPDATE (002) and ./baosong verify checks them against the hashed
-- body. Whoever needs the rest of `data` reads (body::jsonb) -> 'data'.
--
-- Existing rows are back-filled by adding the columns as generated (a table rewrite, no UPDATE, which
-- the trigger would refuse) and then dropping the expression. A value that is not a JSON string is NULL.
--
-- The text columns take the "C" collation: the cluster's C.UTF-8 compares through strcoll, "C" by
-- bytes — the same order for UTF-8, but each index insert and look-up is cheaper (≈ 10 % of a COPY).
DROP VIEW archive.conflicts;
DROP VIEW archive.unreadable;
DROP INDEX archive.events_report_idx;
DROP INDEX archive.events_incident_idx;
ALTER TABLE archive.events
    ADD COLUMN report_id text COLLATE "C" GENERATED ALWAYS AS (
        CASE WHEN jsonb_typeof((body::jsonb) -> 'data' -> 'report_id') = 'string'
             THEN (body::jsonb) -> 'data' ->> 'report_id' END) STORED,
    ADD COLUMN incident_id text COLLATE "C" GENERATED ALWAYS AS (
        CASE WHEN jsonb_typeof((body::jsonb) -> 'data' -> 'incident_id') = 'string'
             THEN (body::jsonb) -> 'data' ->> 'incident_id' END) STORED,
    DROP COLUMN data;
ALTER TABLE archive.events
    ALTER COLUMN report_id DROP EXPRESSION,
    ALTER COLUMN incident_id DROP EXPRESSION,
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN type TYPE text COLLATE "C",
    ALTER COLUMN stream TYPE text COLLATE "C";
-- A hash index: a report's few events are only ever found by equality and sorted by position after;
-- cheaper to insert into than a btree on a random text key (same-run A/Bs: 20,648 → 23,268 events/s
-- at 30,000 events and 19,962 → 22,779 at 100,000, medians of 5 and 3).
CREATE INDEX events_report_idx ON archive.events USING hash (report_id) WHERE report_id IS NOT NULL;
-- Every producer names the incident as the event's subject (its stream), so (stream, stream_version)
-- already finds an incident's events; incident_id is indexed only where it differs from the stream
-- (Reads.history asks both). A full index on it cost ≈ 12 % of an append (same-run A/B, docs/archive.md).
CREATE INDEX events_incident_idx ON archive.events (incident_id, position) WHERE incident_id <> stream;
-- By type, only the rare types read by type while new events keep coming: the breach stream polls
-- DeadlineBreached, and the archive's own records behind the two views below. Frequent types are read
-- incrementally by position (the primary key) or in one pass; indexing every row by type cost 4–12 %
-- of an append (three same-run A/Bs of 5–7 runs each, docs/archive.md).
DROP INDEX archive.events_type_idx;
CREATE INDEX events_rare_type_idx ON archive.events (type, position)
    WHERE type IN ('DeadlineBreached', 'ArchiveConflictingDuplicate', 'ArchiveMessageUnreadable');

-- The archive's own records, as before (002), reading data from the body.
CREATE VIEW archive.conflicts AS
    SELECT position, recorded_at, d ->> 'event_id' AS event_id,
           (d ->> 'first_position')::bigint AS first_position,
           d ->> 'stored_body' AS stored_body, d ->> 'incoming_body' AS incoming_body, d ->> 'topic' AS topic,
           (d ->> 'partition')::int AS kafka_partition, (d ->> 'offset')::bigint AS kafka_offset
    FROM archive.events, LATERAL (SELECT (body::jsonb) -> 'data' AS d) x
    WHERE type = 'ArchiveConflictingDuplicate';
CREATE VIEW archive.unreadable AS
    SELECT position, recorded_at, d ->> 'reason' AS reason, d ->> 'topic' AS topic,
           (d ->> 'partition')::int AS kafka_partition, (d ->> 'offset')::bigint AS kafka_offset,
           decode(d ->> 'raw_base64', 'base64') AS raw
    FROM archive.events, LATERAL (SELECT (body::jsonb) -> 'data' AS d) x
    WHERE type = 'ArchiveMessageUnreadable';
GRANT SELECT ON archive.conflicts, archive.unreadable TO archive_svc;

-- One round trip instead of two per append: lock the tail (as lock_head() does, 002), then read the
-- last version of each stream the batch writes. A separate statement after the lock, so it sees every
-- append committed before the lock was granted (READ COMMITTED takes a snapshot per statement).
CREATE FUNCTION archive.begin_append(wanted text[], OUT "position" bigint, OUT hash bytea,
                                     OUT streams text[], OUT versions int[])
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, archive AS $$
BEGIN
    SELECT h.position, h.hash INTO "position", hash FROM archive.lock_head() h;
    -- one backward index probe per stream (cheaper than max() … GROUP BY over the streams' rows)
    SELECT array_agg(w.s), array_agg(w.v) INTO streams, versions
    FROM (SELECT s, (SELECT e.stream_version FROM archive.events e WHERE e.stream = s
                     ORDER BY e.stream_version DESC LIMIT 1) AS v
          FROM unnest(wanted) s) w
    WHERE w.v IS NOT NULL;
END $$;
REVOKE ALL ON FUNCTION archive.begin_append(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION archive.begin_append(text[]) TO archive_svc;
