-- Portal users and their sessions: linking a user to a customer account, opening, refreshing,
-- switching and ending sessions. Shared by every sign-in path (password, invitation, pay link,
-- verification, Google).

-- The accounts a portal user may open now: linked, with portal access on, by name.
CREATE OR REPLACE FUNCTION portal_accounts_json(p_tenant uuid, p_user uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT coalesce(json_agg(json_build_object('id', c.id, 'account_number', c.account_number,
                                             'name', c.name) ORDER BY c.name, c.id), '[]')
  FROM portal_user_accounts a
  JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
  WHERE a.tenant_id = p_tenant AND a.user_id = p_user AND c.portal_enabled
$$;

-- True when user p_user may open customer account p_account.
CREATE OR REPLACE FUNCTION portal_account_open(p_tenant uuid, p_user uuid,
                                               p_account uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM portal_user_accounts a
    JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
    WHERE a.tenant_id = p_tenant AND a.user_id = p_user AND a.customer_id = p_account
      AND c.portal_enabled)
$$;

-- True when user p_user may open at least one account.
CREATE OR REPLACE FUNCTION portal_has_open_account(p_tenant uuid, p_user uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM portal_user_accounts a
    JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
    WHERE a.tenant_id = p_tenant AND a.user_id = p_user AND c.portal_enabled)
$$;

-- The account a session should show: p_wanted when the user may open it, else the only account
-- the user has, else NULL (the user must choose: rule 9).
CREATE OR REPLACE FUNCTION portal_pick_account(p_tenant uuid, p_user uuid,
                                               p_wanted uuid) RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_wanted IS NOT NULL AND portal_account_open(p_tenant, p_user, p_wanted) THEN p_wanted
    ELSE (SELECT min(a.customer_id::text)::uuid
          FROM portal_user_accounts a
          JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
          WHERE a.tenant_id = p_tenant AND a.user_id = p_user AND c.portal_enabled
          HAVING count(*) = 1)
  END
$$;

-- What a Session answer says besides its tokens (the C side adds those).
CREATE OR REPLACE FUNCTION portal_session_json(p_session uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'session_id', s.id, 'tenant_id', s.tenant_id,
    'user', json_build_object('id', u.id, 'email', u.email, 'full_name', u.full_name,
                              'login_method', u.login_method),
    'accounts', portal_accounts_json(s.tenant_id, u.id),
    'account_id', s.account_id,
    'account_selection_required', s.account_id IS NULL)
  FROM sessions s
  JOIN portal_users u ON u.tenant_id = s.tenant_id AND u.id = s.portal_user_id
  WHERE s.id = p_session
$$;

-- Raise 403 portal_disabled when the tenant's portal is off (rule 1).
CREATE OR REPLACE FUNCTION portal_require_enabled(p_tenant uuid) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant AND portal_enabled) THEN
    PERFORM cs_raise('403', 'portal_disabled', 'This online account portal is not available.');
  END IF;
END $$;

-- The tenant named p_slug; raises 404 tenant_not_found when there is none.
CREATE OR REPLACE FUNCTION tenant_id_of_slug(p_slug text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_tenant uuid;
BEGIN
  SELECT id INTO v_tenant FROM tenants WHERE slug = p_slug;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'tenant_not_found', format('There is no hauler named ''%s''.',
                                                       left(p_slug, 63)));
  END IF;
  RETURN v_tenant;
END $$;

-- The tenant named p_slug when its portal is on: 404 tenant_not_found, 403 portal_disabled.
CREATE OR REPLACE FUNCTION portal_tenant_of_slug(p_slug text) RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_tenant uuid := tenant_id_of_slug(p_slug);
BEGIN
  PERFORM portal_require_enabled(v_tenant);
  RETURN v_tenant;
END $$;

-- Raise 403 account_portal_disabled when staff switched the customer's portal access off (only
-- they can undo it: no sign-up path may switch it back on).
CREATE OR REPLACE FUNCTION portal_customer_must_be_open(c customers) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT c.portal_enabled AND c.portal_disabled_at IS NOT NULL THEN
    PERFORM cs_raise('403', 'account_portal_disabled',
      format('Online access to account %s has been switched off. Please contact us.',
             c.account_number));
  END IF;
END $$;

-- Create or update the portal user with email p_email and link it to customer p_customer.
-- With a password hash the user signs in with that password from now on (rule 6: a new
-- invitation accepted with a password switches a Google user back). Returns the user's id.
CREATE OR REPLACE FUNCTION portal_user_link(p_tenant uuid, p_email text, p_full_name text,
                                            p_password_hash text, p_customer uuid, p_source text)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_user uuid;
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer account with this id.');
  END IF;
  PERFORM portal_customer_must_be_open(c);
  INSERT INTO portal_users AS u (tenant_id, email, full_name, password_hash, login_method)
  VALUES (p_tenant, p_email, p_full_name, p_password_hash,
          CASE WHEN p_password_hash IS NULL THEN 'google' ELSE 'password' END)
  ON CONFLICT (tenant_id, email) DO UPDATE SET
    full_name = coalesce(EXCLUDED.full_name, u.full_name),
    password_hash = coalesce(EXCLUDED.password_hash, u.password_hash),
    login_method = CASE WHEN EXCLUDED.password_hash IS NULL THEN u.login_method
                        ELSE 'password' END
  RETURNING id INTO v_user;
  INSERT INTO portal_user_accounts (tenant_id, user_id, customer_id, source)
  VALUES (p_tenant, v_user, p_customer, p_source)
  ON CONFLICT (user_id, customer_id) DO NOTHING;
  IF NOT c.portal_enabled THEN
    UPDATE customers SET portal_enabled = true WHERE tenant_id = p_tenant AND id = p_customer;
  END IF;
  RETURN v_user;
END $$;

-- End every live session of user p_user except p_keep (NULL: all). Returns how many ended.
CREATE OR REPLACE FUNCTION portal_sessions_revoke(p_user uuid, p_keep uuid) RETURNS integer
LANGUAGE sql AS $$
  WITH ended AS (
    UPDATE sessions SET revoked_at = now()
    WHERE portal_user_id = p_user AND revoked_at IS NULL
      AND (p_keep IS NULL OR id <> p_keep)
    RETURNING 1)
  SELECT count(*)::integer FROM ended
$$;

-- Open a session after a successful sign-in, with its first refresh token (hash).
CREATE OR REPLACE FUNCTION portal_session_open(p_tenant uuid, p_user uuid, p_account uuid,
                                               p_refresh_hash text, p_ttl_seconds integer,
                                               p_client text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_account uuid;
  v_session uuid;
BEGIN
  PERFORM portal_require_enabled(p_tenant);
  IF p_account IS NOT NULL AND NOT portal_account_open(p_tenant, p_user, p_account) THEN
    PERFORM cs_raise('422', 'account_not_linked',
      'This login has no access to that customer account.', 'account_id');
  END IF;
  IF NOT portal_has_open_account(p_tenant, p_user) THEN
    PERFORM cs_raise('403', 'portal_access_disabled',
      'Online access to your account has been switched off. Please contact us.');
  END IF;
  v_account := portal_pick_account(p_tenant, p_user, p_account);
  INSERT INTO sessions (tenant_id, portal_user_id, account_id, expires_at, client_address)
  VALUES (p_tenant, p_user, v_account, now() + make_interval(secs => p_ttl_seconds), p_client)
  RETURNING id INTO v_session;
  INSERT INTO refresh_tokens (token_hash, session_id) VALUES (p_refresh_hash, v_session);
  UPDATE portal_users SET last_login_at = now() WHERE tenant_id = p_tenant AND id = p_user;
  RETURN portal_session_json(v_session);
END $$;

-- The successor a refresh token spent at p_used_at still answers with: one of p_successors (its
-- derived successor under the current key and, while keys rotate, the previous one) that is the
-- session's live refresh token, when the token was spent less than p_grace_seconds ago. NULL
-- otherwise: presenting the spent token is then reuse (docs/decisions.md, issue 23 item 7).
CREATE OR REPLACE FUNCTION portal_refresh_successor(p_session uuid, p_used_at timestamptz,
                                                    p_successors text[], p_grace_seconds integer)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT t.token_hash FROM refresh_tokens t
  WHERE p_used_at > now() - make_interval(secs => p_grace_seconds)
    AND t.session_id = p_session AND t.used_at IS NULL AND t.token_hash = ANY (p_successors)
  LIMIT 1
$$;

-- Spend refresh token p_old_hash for its successor p_successors[1] (the C side derives it from
-- the token, so a second presentation within the grace finds the same one; p_successors[2] is
-- the successor under the previous key while keys rotate). Never raises for a bad token: a reused
-- token revokes its session, and that revocation must commit. The row lock on the token makes two
-- refreshes at once take turns: the second sees the first's successor. Returns {status, session?,
-- successor_hash?} with status ok | unknown | ended | reused | portal_disabled | no_accounts.
CREATE OR REPLACE FUNCTION portal_session_refresh(p_old_hash text, p_successors text[],
                                                  p_grace_seconds integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  r refresh_tokens;
  s sessions;
  v_account uuid;
  v_successor text;
BEGIN
  SELECT * INTO r FROM refresh_tokens WHERE token_hash = p_old_hash FOR UPDATE;
  IF NOT FOUND THEN
    RETURN json_build_object('status', 'unknown');
  END IF;
  SELECT * INTO s FROM sessions WHERE id = r.session_id FOR UPDATE;
  IF s.revoked_at IS NOT NULL OR s.expires_at <= now() THEN
    RETURN json_build_object('status', 'ended');
  END IF;
  IF r.used_at IS NOT NULL THEN
    v_successor := portal_refresh_successor(s.id, r.used_at, p_successors, p_grace_seconds);
    IF v_successor IS NULL THEN
      UPDATE sessions SET revoked_at = now() WHERE id = s.id;
      RETURN json_build_object('status', 'reused');
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = s.tenant_id AND portal_enabled) THEN
    RETURN json_build_object('status', 'portal_disabled');
  END IF;
  IF NOT portal_has_open_account(s.tenant_id, s.portal_user_id) THEN
    RETURN json_build_object('status', 'no_accounts');
  END IF;
  v_account := portal_pick_account(s.tenant_id, s.portal_user_id, s.account_id);
  UPDATE sessions SET account_id = v_account WHERE id = s.id AND account_id IS DISTINCT FROM v_account;
  IF v_successor IS NULL THEN
    v_successor := p_successors[1];
    UPDATE refresh_tokens SET used_at = now() WHERE token_hash = p_old_hash;
    INSERT INTO refresh_tokens (token_hash, session_id) VALUES (v_successor, s.id);
  END IF;
  RETURN json_build_object('status', 'ok', 'session', portal_session_json(s.id),
                           'successor_hash', v_successor);
END $$;

-- Select account p_account in live session p_session (rule 9: switch without logging out). The
-- session's unspent refresh token is replaced by p_new_hash.
CREATE OR REPLACE FUNCTION portal_session_select(p_session uuid, p_account uuid, p_new_hash text)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  s sessions;
BEGIN
  SELECT * INTO s FROM sessions WHERE id = p_session AND portal_user_id IS NOT NULL FOR UPDATE;
  IF NOT FOUND OR s.revoked_at IS NOT NULL OR s.expires_at <= now() THEN
    PERFORM cs_raise('401', 'invalid_token', 'The session of this token has ended.');
  END IF;
  IF NOT portal_account_open(s.tenant_id, s.portal_user_id, p_account) THEN
    PERFORM cs_raise('422', 'account_not_linked',
      'This login has no access to that customer account.', 'account_id');
  END IF;
  UPDATE sessions SET account_id = p_account WHERE id = p_session;
  DELETE FROM refresh_tokens WHERE session_id = p_session AND used_at IS NULL;
  INSERT INTO refresh_tokens (token_hash, session_id) VALUES (p_new_hash, p_session);
  RETURN portal_session_json(p_session);
END $$;

-- Whether a portal access token's session still holds: active | ended | portal_disabled |
-- account_unavailable (its account lost portal access or its link).
CREATE OR REPLACE FUNCTION portal_session_state(p_session uuid, p_user uuid, p_tenant uuid,
                                                p_account uuid)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN s.id IS NULL OR s.revoked_at IS NOT NULL OR s.expires_at <= now() THEN 'ended'
    WHEN NOT t.portal_enabled THEN 'portal_disabled'
    WHEN p_account IS NOT NULL AND NOT portal_account_open(p_tenant, p_user, p_account)
      THEN 'account_unavailable'
    ELSE 'active' END
  FROM (SELECT p_tenant AS tid) q
  LEFT JOIN tenants t ON t.id = q.tid
  LEFT JOIN sessions s ON s.id = p_session AND s.portal_user_id = p_user AND s.tenant_id = t.id
$$;
