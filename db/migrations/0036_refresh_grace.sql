-- Issue 23, item 7: two tabs refreshing at once stay signed in. portal_session_refresh now takes
-- the successor hashes the server derives from the presented token and the grace in which a
-- spent token returns that successor again (db/functions/portal_sessions.sql); the old signature
-- is dropped here, or databases migrated before would keep it (db/README.md).
DROP FUNCTION IF EXISTS portal_session_refresh(text, text);
