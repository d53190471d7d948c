-- Read models (projections) folded from archive.events, each with its checkpoint.
-- A read model is a table of JSON documents by key; its checkpoint (the last position folded in)
-- is written in the same transaction as its documents, so the two never disagree.
-- ./baosong projections rebuild builds a table aside (proj_<name>_rebuild) as the owner, then
-- swaps it in with one transaction (DROP + RENAME + checkpoint), so the read API never stops.
CREATE TABLE archive.checkpoints (
    projection text   PRIMARY KEY,
    position   bigint NOT NULL DEFAULT 0
);
INSERT INTO archive.checkpoints (projection)
    VALUES ('reports'), ('incidents'), ('timelines'), ('knowledge'), ('units'), ('breaches');

CREATE TABLE archive.proj_reports   (key text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE archive.proj_incidents (key text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE archive.proj_timelines (key text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE archive.proj_knowledge (key text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE archive.proj_units     (key text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE archive.proj_breaches  (key text PRIMARY KEY, doc jsonb NOT NULL);

GRANT SELECT, UPDATE ON archive.checkpoints TO archive_svc;
GRANT SELECT, INSERT, UPDATE ON archive.proj_reports, archive.proj_incidents, archive.proj_timelines,
    archive.proj_knowledge, archive.proj_units, archive.proj_breaches TO archive_svc;
