-- The service appends through archive.begin_append() (005), which takes the tail's lock through
-- archive.lock_head() as the owner; the service role has no use left for lock_head() itself.
REVOKE EXECUTE ON FUNCTION archive.lock_head() FROM archive_svc;
