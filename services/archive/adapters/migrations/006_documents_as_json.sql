-- The four per-report/per-incident read models hold their documents as json, not jsonb.
-- Their documents are only ever written whole and read whole (by key, as text), so jsonb's parsed form
-- bought nothing, while building it was the largest single cost of a rebuild (measured on 100,000 events,
-- 117 MB of documents: COPY into jsonb 3.2–3.5 s, into json 1.6 s) and a cost of every live projector step.
-- json still refuses text that is not JSON. units and breaches stay jsonb: the read API filters them by field.
ALTER TABLE archive.proj_reports   ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE archive.proj_incidents ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE archive.proj_timelines ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE archive.proj_knowledge ALTER COLUMN doc TYPE json USING doc::json;
