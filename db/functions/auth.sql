-- Every server process caches credential checks; a change that can end a session (a session
-- revoked, a tenant's or customer's portal switched off, an API key revoked, a portal user
-- unlinked, a staff user disabled) notifies them all, and they forget the cache at once.

-- Credential checks are cached per process (http/auth.c); these tell every process to forget them
-- when a session ends or a portal is switched off, so a revocation takes effect at once everywhere.
CREATE OR REPLACE FUNCTION auth_revoked_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('curbside_auth_revoked', '');
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();

CREATE OR REPLACE TRIGGER tenants_portal_changed AFTER UPDATE OF portal_enabled ON tenants
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();

CREATE OR REPLACE TRIGGER customers_portal_changed AFTER UPDATE OF portal_enabled ON customers
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();

CREATE OR REPLACE TRIGGER api_keys_revoked AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();

CREATE OR REPLACE TRIGGER portal_user_accounts_removed AFTER DELETE ON portal_user_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();

-- A staff user disabled by any means (staff_user_set_disabled or by hand) is forgotten by every
-- process.
CREATE OR REPLACE TRIGGER staff_users_disabled AFTER UPDATE OF disabled_at ON staff_users
  FOR EACH STATEMENT EXECUTE FUNCTION auth_revoked_notify();
