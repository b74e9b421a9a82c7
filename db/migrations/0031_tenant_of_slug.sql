-- Issue 18: one lookup of a tenant by slug. google_login_tenant is replaced by
-- portal_tenant_of_slug (db/functions/portal_sessions.sql), which password and sign-up functions
-- now share; a function no longer in db/functions/ is dropped here, or databases migrated before
-- would keep it (db/README.md).
DROP FUNCTION IF EXISTS google_login_tenant(text);
