-- Forgot password and reset, for portal users and staff. The forgot request says nothing about the
-- address; the mail worker does the work (passwords_forgot_work).

-- Queue the reset email of user `u` (rule 10): a link for a password user, a "sign in with
-- Google" note for a Google user. False when the address reached its hourly cap.
CREATE OR REPLACE FUNCTION passwords_reset_email(u portal_users, p_token text,
                                                 p_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_expires timestamptz := now() + interval '1 hour';
BEGIN
  IF signup_recent_emails(u.tenant_id, u.email, ARRAY['password_reset', 'password_reset_google'])
     >= signup_email_cap() THEN
    RETURN false;
  END IF;
  IF u.login_method = 'google' THEN
    PERFORM outbox_enqueue(u.tenant_id, 'password_reset_google', u.email,
                           jsonb_build_object('full_name', u.full_name));
    RETURN true;
  END IF;
  INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, user_id, expires_at)
  VALUES (u.tenant_id, 'password_reset', p_hash, u.email, u.id, v_expires);
  PERFORM outbox_enqueue(u.tenant_id, 'password_reset', u.email,
    jsonb_build_object('full_name', u.full_name, 'link_path', 'reset-password', 'token', p_token,
                       'expires_at', instant(v_expires)));
  RETURN true;
END $$;

-- Forgot password: record the request and wake the mail worker; say nothing about the address.
CREATE OR REPLACE FUNCTION passwords_forgot(p_slug text, p_email text, p_token text, p_hash text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := portal_tenant_of_slug(p_slug);
BEGIN
  INSERT INTO password_reset_requests (tenant_id, email, token, token_hash)
  VALUES (v_tenant, p_email, p_token, p_hash);
  PERFORM pg_notify('curbside_outbox', '');
END $$;

-- Raise the problem of reset link t, a row read by its hash (all NULL when there was none): 404
-- unknown or used, 403 portal off, 410 expired.
CREATE OR REPLACE FUNCTION passwords_reset_refuse_unusable(t portal_tokens) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF t.id IS NULL OR t.used_at IS NOT NULL THEN
    PERFORM cs_raise('404', 'reset_token_not_found',
      'This password reset link is not valid (it may have been used already).');
  END IF;
  PERFORM portal_require_enabled(t.tenant_id);
  IF t.expires_at <= now() THEN
    PERFORM cs_raise('410', 'reset_token_expired',
      'This password reset link has expired. Please ask for a new one.');
  END IF;
END $$;

-- Set a new password from a reset link: the link (and every other unspent reset link of the
-- user) is spent and every session of the user ends in the same transaction.
CREATE OR REPLACE FUNCTION passwords_reset(p_hash text, p_password_hash text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'password_reset'
  FOR UPDATE;
  PERFORM passwords_reset_refuse_unusable(t);
  UPDATE portal_users SET password_hash = p_password_hash, login_method = 'password'
  WHERE tenant_id = t.tenant_id AND id = t.user_id;
  UPDATE portal_tokens SET used_at = now()
  WHERE user_id = t.user_id AND kind = 'password_reset' AND used_at IS NULL;
  PERFORM portal_sessions_revoke(t.user_id, NULL);
END $$;

-- How many portal users are linked to the customer, before a staff-triggered reset; the customer
-- stays locked until the transaction ends so the count holds for passwords_staff_reset.
CREATE OR REPLACE FUNCTION passwords_staff_reset_users(p_tenant uuid,
                                                       p_customer uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
BEGIN
  PERFORM 1 FROM customers WHERE tenant_id = p_tenant AND id = p_customer FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  PERFORM portal_require_enabled(p_tenant);
  SELECT count(*) INTO v_count FROM portal_user_accounts
  WHERE tenant_id = p_tenant AND customer_id = p_customer;
  IF v_count = 0 THEN
    PERFORM cs_raise('409', 'no_portal_users', 'No one has a portal login for this customer yet.');
  END IF;
  RETURN v_count;
END $$;

-- Staff-triggered reset (rule 10): a reset (or Google) email to every portal user linked to the
-- customer, the i-th user (by id) with the i-th token. Returns {emails_queued}.
CREATE OR REPLACE FUNCTION passwords_staff_reset(p_tenant uuid, p_customer uuid, p_tokens text[],
                                                 p_hashes text[]) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  u portal_users;
  n integer := 0;
  v_queued integer := 0;
BEGIN
  FOR u IN SELECT pu.* FROM portal_users pu
           JOIN portal_user_accounts a ON a.tenant_id = pu.tenant_id AND a.user_id = pu.id
           WHERE a.tenant_id = p_tenant AND a.customer_id = p_customer ORDER BY pu.id LOOP
    n := n + 1;
    EXIT WHEN n > coalesce(array_length(p_tokens, 1), 0);
    IF passwords_reset_email(u, p_tokens[n], p_hashes[n]) THEN
      v_queued := v_queued + 1;
    END IF;
  END LOOP;
  RETURN json_build_object('emails_queued', v_queued);
END $$;

-- Raise the problem of reset link p_hash (404 unknown or used, 403 portal off, 410 expired), so the
-- server answers a wrong link before hashing the new password; passwords_reset checks it again
-- under its row lock.
CREATE OR REPLACE FUNCTION passwords_reset_check(p_hash text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t portal_tokens;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'password_reset';
  PERFORM passwords_reset_refuse_unusable(t);
END $$;

-- The mail worker's half: handle up to `p_limit` requests, oldest first. A request for a login of
-- a portal that is still open queues its reset email (passwords_reset_email: the hourly cap, the
-- Google variant); any other is dropped. Claimed with SKIP LOCKED, so several processes share the
-- work; the number handled is returned.
CREATE OR REPLACE FUNCTION passwords_forgot_work(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r password_reset_requests;
  u portal_users;
  n integer := 0;
BEGIN
  FOR r IN SELECT * FROM password_reset_requests ORDER BY id LIMIT p_limit
           FOR UPDATE SKIP LOCKED LOOP
    SELECT pu.* INTO u FROM portal_users pu JOIN tenants t ON t.id = pu.tenant_id
    WHERE pu.tenant_id = r.tenant_id AND pu.email = r.email AND t.portal_enabled;
    IF FOUND THEN
      PERFORM passwords_reset_email(u, r.token, r.token_hash);
    END IF;
    DELETE FROM password_reset_requests WHERE id = r.id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
