-- The signed-in portal user: GET/PATCH /v1/me and the password change.

-- The signed-in portal user as GET /v1/me shows it.
CREATE OR REPLACE FUNCTION portal_me_json(p_tenant uuid, p_user uuid, p_account uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', u.id, 'email', u.email, 'full_name', u.full_name, 'login_method', u.login_method,
    'created_at', instant(u.created_at), 'accounts', portal_accounts_json(u.tenant_id, u.id),
    'account_id', p_account)
  FROM portal_users u WHERE u.tenant_id = p_tenant AND u.id = p_user
$$;

-- Change a portal user's own name.
CREATE OR REPLACE FUNCTION portal_me_update(p_tenant uuid, p_user uuid, p_account uuid,
                                            p_full_name text)
RETURNS json LANGUAGE sql AS $$
  UPDATE portal_users SET full_name = p_full_name WHERE tenant_id = p_tenant AND id = p_user;
  SELECT portal_me_json(p_tenant, p_user, p_account);
$$;

-- Replace a password the caller has just verified (p_old_hash guards against a concurrent change)
-- and end the user's other sessions. Returns false when the password changed meanwhile.
CREATE OR REPLACE FUNCTION portal_password_change(p_tenant uuid, p_user uuid, p_old_hash text,
                                                  p_new_hash text, p_keep_session uuid)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE portal_users SET password_hash = p_new_hash, login_method = 'password'
  WHERE tenant_id = p_tenant AND id = p_user AND password_hash = p_old_hash;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM portal_sessions_revoke(p_user, p_keep_session);
  RETURN true;
END $$;
