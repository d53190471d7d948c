-- Migration 001 was changed in place early on (jsonb → json for the stored envelopes and answers: jsonb
-- reorders keys, and a retry must republish and answer the very same bytes). A data folder created before
-- that change still has jsonb, since migrations are applied by name; this brings it in line. On a folder
-- created since, the columns already are json and nothing is rewritten.
ALTER TABLE intake.submissions
    ALTER COLUMN envelopes TYPE json USING envelopes::json,
    ALTER COLUMN answer TYPE json USING answer::json,
    ALTER COLUMN incident TYPE json USING incident::json;
