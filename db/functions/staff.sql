-- Staff management by the hauler's own admins: list, add, disable and enable staff users.
-- Disabling ends every session of the user in the same transaction.

-- A staff user as admins see it.
CREATE OR REPLACE FUNCTION staff_user_json(u staff_users) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', u.id, 'email', u.email, 'full_name', u.full_name, 'role', u.role,
    'disabled', u.disabled_at IS NOT NULL, 'disabled_at', instant(u.disabled_at),
    'created_at', instant(u.created_at), 'updated_at', instant(u.updated_at))
$$;

-- Every staff user of the tenant, oldest first, disabled ones included: {items, next_cursor}.
-- A hauler has a handful of staff, so one page holds them all (as for API keys).
CREATE OR REPLACE FUNCTION staff_users_list(p_tenant uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'items', coalesce(json_agg(staff_user_json(u) ORDER BY u.created_at, u.id), '[]'::json),
    'next_cursor', NULL)
  FROM staff_users u WHERE u.tenant_id = p_tenant
$$;

-- Disable (p_disabled) or enable staff user p_target of tenant p_tenant on behalf of admin
-- p_actor. Disabling ends every session of the target. The tenant's staff rows are locked first:
-- two admins disabling each other at once are serialised, and the second finds its own account
-- disabled. An admin cannot disable their own account, so the acting admin always remains active
-- and the tenant never loses its last active admin. Returns the staff user's JSON.
CREATE OR REPLACE FUNCTION staff_user_set_disabled(p_tenant uuid, p_actor uuid, p_target uuid,
                                                   p_disabled boolean)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v staff_users;
BEGIN
  PERFORM 1 FROM staff_users WHERE tenant_id = p_tenant ORDER BY id FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM staff_users WHERE tenant_id = p_tenant AND id = p_actor
                 AND role = 'admin' AND disabled_at IS NULL) THEN
    PERFORM cs_raise('403', 'staff_user_disabled', 'Your staff account has been disabled.');
  END IF;
  SELECT * INTO v FROM staff_users WHERE tenant_id = p_tenant AND id = p_target;
  IF v.id IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no staff user with this id.');
  END IF;
  IF p_disabled AND p_target = p_actor THEN
    PERFORM cs_raise('409', 'cannot_disable_self',
      'You cannot disable your own staff account; another admin can.');
  END IF;
  IF p_disabled AND v.disabled_at IS NULL THEN
    UPDATE staff_users SET disabled_at = now() WHERE id = p_target RETURNING * INTO v;
    UPDATE sessions SET revoked_at = now()
    WHERE staff_user_id = p_target AND revoked_at IS NULL;
  ELSIF NOT p_disabled AND v.disabled_at IS NOT NULL THEN
    UPDATE staff_users SET disabled_at = NULL WHERE id = p_target RETURNING * INTO v;
  END IF;
  RETURN staff_user_json(v);
END $$;
