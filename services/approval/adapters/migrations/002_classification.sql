-- Each report's classification (密级), so the queue shows a reader below it only a stub (contract "Trust
-- boundaries"). Reports stored before this column are internal, the default.
ALTER TABLE approval.reports ADD COLUMN classification text NOT NULL DEFAULT 'internal';
