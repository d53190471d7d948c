-- Append-only in the database itself, for every role (the owner included, unless it disables the
-- triggers — which ./baosong verify then catches, since every edit breaks the hash chain).
--
-- The service role keeps only SELECT and INSERT on archive.events and loses UPDATE on archive.head:
-- it locks the tail through archive.lock_head() (SECURITY DEFINER), and the tail advances only by
-- the trigger below, which also refuses rows that do not extend the chain (a gap, a reordering, or a
-- prev_hash that is not the previous row's hash). So the service can neither rewrite the head nor
-- fork the chain, even with a bug in its own code.

CREATE FUNCTION archive.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'archive.% is append-only: % refused (只可追加，不可修改或删除)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON archive.events
    FOR EACH STATEMENT EXECUTE FUNCTION archive.refuse_change();

CREATE FUNCTION archive.lock_head(OUT "position" bigint, OUT hash bytea)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, archive AS $$
    SELECT h.position, h.hash FROM archive.head h FOR UPDATE
$$;

CREATE FUNCTION archive.extend_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, archive AS $$
DECLARE
    tail record;
    bad bigint;
    last record;
BEGIN
    SELECT h.position, h.hash INTO tail FROM archive.head h FOR UPDATE;
    SELECT n.position INTO bad FROM (
        SELECT r.position, r.prev_hash, lag(r.hash) OVER w AS before, row_number() OVER w AS rn
        FROM new_rows r WINDOW w AS (ORDER BY r.position)) n
    WHERE n.position <> tail.position + n.rn OR n.prev_hash <> coalesce(n.before, tail.hash)
    ORDER BY n.position LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'archive.events: position % does not extend the chain at head %', bad, tail.position
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT r.position, r.hash INTO last FROM new_rows r ORDER BY r.position DESC LIMIT 1;
    IF last.position IS NOT NULL THEN
        UPDATE archive.head SET position = last.position, hash = last.hash;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER events_extend_chain AFTER INSERT ON archive.events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive.extend_chain();

REVOKE UPDATE ON archive.head FROM archive_svc;
REVOKE ALL ON FUNCTION archive.lock_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION archive.lock_head() TO archive_svc;

-- What the archive recorded instead of dropping: readable views over its own stream.
CREATE VIEW archive.conflicts AS
    SELECT position, recorded_at, data ->> 'event_id' AS event_id,
           (data ->> 'first_position')::bigint AS first_position,
           data ->> 'stored_body' AS stored_body, data ->> 'incoming_body' AS incoming_body,
           data ->> 'topic' AS topic, (data ->> 'partition')::int AS kafka_partition,
           (data ->> 'offset')::bigint AS kafka_offset
    FROM archive.events WHERE type = 'ArchiveConflictingDuplicate';
CREATE VIEW archive.unreadable AS
    SELECT position, recorded_at, data ->> 'reason' AS reason, data ->> 'topic' AS topic,
           (data ->> 'partition')::int AS kafka_partition, (data ->> 'offset')::bigint AS kafka_offset,
           decode(data ->> 'raw_base64', 'base64') AS raw
    FROM archive.events WHERE type = 'ArchiveMessageUnreadable';
GRANT SELECT ON archive.conflicts, archive.unreadable TO archive_svc;
