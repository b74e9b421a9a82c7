-- The customer side of joining a portal and of passwords (API.md rules 5, 7, 8, 10): accepting an
-- invitation, signing up from an invoice's Review & Pay link or from the bare login page, proving
-- a mailbox with a verification link, and forgotten, reset and staff-triggered passwords.
--
-- Every step is one function = one transaction. Tokens reach SQL only as SHA-256 hashes, except
-- the fresh token of an email being queued (its payload carries it to the mail worker). Sign-in
-- steps return an "outcome": {outcome: 'session', tenant_id, user_id, account_id} for the server
-- to open a session with, or {outcome: 'verification_sent', email} when the person must first
-- prove the mailbox they typed.

-- Each per-address email cap below counts the recipient's recent messages.
CREATE INDEX outbox_recipient_idx ON outbox (tenant_id, to_address, created_at);

-- How many messages of `p_templates` were queued for `p_to` in the last hour.
CREATE FUNCTION signup_recent_emails(p_tenant uuid, p_to text, p_templates text[]) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT count(*)::integer FROM outbox
  WHERE tenant_id = p_tenant AND to_address = p_to AND template = ANY (p_templates)
    AND created_at > now() - interval '1 hour'
$$;

-- At most this many verification (or password) emails go to one address per hour; requests past
-- it are answered as usual and silently send nothing, so nobody can flood a mailbox.
CREATE FUNCTION signup_email_cap() RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT 5';

-- "j***@example.com": enough for a person to recognise their address, not enough to harvest it.
CREATE FUNCTION signup_mask_email(p_email text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_email IS NULL THEN NULL
              ELSE left(p_email, 1) || '***@' || split_part(p_email, '@', 2) END
$$;

CREATE FUNCTION signup_session_outcome(p_tenant uuid, p_user uuid, p_account uuid) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('outcome', 'session', 'tenant_id', p_tenant, 'user_id', p_user,
                           'account_id', p_account)
$$;

-- Queue an email_verification to `p_email` bound to customer `p_customer` (and to the invitation
-- or invoice it came from). The link is what creates the login: proof of the mailbox.
CREATE FUNCTION signup_verification_send(p_tenant uuid, p_customer uuid, p_email text,
                                         p_token text, p_hash text, p_invitation uuid,
                                         p_invoice uuid) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_expires timestamptz := now() + interval '24 hours';
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer;
  PERFORM portal_customer_must_be_open(c);
  IF signup_recent_emails(p_tenant, p_email, ARRAY['email_verification'])
     < signup_email_cap() THEN
    INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id, invoice_id,
                               invitation_id, expires_at)
    VALUES (p_tenant, 'email_verification', p_hash, p_email, p_customer, p_invoice,
            p_invitation, v_expires);
    PERFORM outbox_enqueue(p_tenant, 'email_verification', p_email,
      jsonb_build_object('customer_name', c.name, 'account_number', c.account_number,
                         'link_path', 'verify-email', 'token', p_token,
                         'expires_at', instant(v_expires)));
  END IF;
  RETURN json_build_object('outcome', 'verification_sent', 'email', p_email);
END $$;

-- ------------------------------------------------------------------------------ invitations

-- Raise the problem of an invitation link that cannot be used; `i` is all NULL when unknown.
CREATE FUNCTION signup_invitation_check(i invitations) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF i.id IS NULL OR i.accepted_at IS NOT NULL OR i.revoked_at IS NOT NULL THEN
    PERFORM cs_raise('404', 'invitation_not_found',
      'This invitation link is not valid (it may have been used or replaced by a newer one).');
  END IF;
  PERFORM portal_require_enabled(i.tenant_id);
  IF i.expires_at <= now() THEN
    PERFORM cs_raise('410', 'invitation_expired',
      'This invitation has expired. Please ask us to send you a new one.');
  END IF;
END $$;

-- What the activation page shows (without the tenant's branding, which the caller adds).
CREATE FUNCTION signup_invitation_show(p_hash text, OUT tenant_id uuid, OUT body json)
LANGUAGE plpgsql AS $$
DECLARE
  i invitations;
  c customers;
BEGIN
  SELECT * INTO i FROM invitations WHERE token_hash = p_hash;
  PERFORM signup_invitation_check(i);
  SELECT * INTO c FROM customers WHERE customers.tenant_id = i.tenant_id AND id = i.customer_id;
  tenant_id := i.tenant_id;
  body := json_build_object('kind', i.kind, 'first_name', i.first_name, 'email', i.email,
    'expires_at', instant(i.expires_at),
    'account', json_build_object('account_number', c.account_number, 'name', c.name));
END $$;

-- Accept an invitation (rule 5). With the invited email the user is created or updated (its
-- password set: rule 6 switches a Google user back) and linked, and the invitation is spent.
-- Another email gets a verification link first; the invitation stays pending until then.
CREATE FUNCTION signup_invitation_accept(p_hash text, p_email text, p_full_name text,
                                         p_password_hash text, p_verify_token text,
                                         p_verify_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  i invitations;
  v_user uuid;
BEGIN
  SELECT * INTO i FROM invitations WHERE token_hash = p_hash FOR UPDATE;
  PERFORM signup_invitation_check(i);
  IF p_email <> i.email THEN
    RETURN signup_verification_send(i.tenant_id, i.customer_id, p_email, p_verify_token,
                                    p_verify_hash, i.id, NULL);
  END IF;
  v_user := portal_user_link(i.tenant_id, p_email, p_full_name, p_password_hash, i.customer_id,
                             'invitation');
  UPDATE invitations SET accepted_at = now(), accepted_user_id = v_user WHERE id = i.id;
  RETURN signup_session_outcome(i.tenant_id, v_user, i.customer_id);
END $$;

-- ------------------------------------------------------------------------------ pay links

CREATE FUNCTION signup_pay_link_check(t portal_tokens) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF t.id IS NULL THEN
    PERFORM cs_raise('404', 'pay_link_not_found', 'This payment link is not valid.');
  END IF;
  PERFORM portal_require_enabled(t.tenant_id);
  IF t.expires_at <= now() THEN
    PERFORM cs_raise('410', 'pay_link_expired',
      'This payment link has expired. Please sign in to view and pay your invoices.');
  END IF;
END $$;

-- The invoice summary of a Review & Pay link (rule 7), without the tenant's branding.
CREATE FUNCTION signup_pay_link_show(p_hash text, OUT tenant_id uuid, OUT body json)
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
  c customers;
  v invoices;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'pay_link';
  PERFORM signup_pay_link_check(t);
  SELECT * INTO c FROM customers WHERE customers.tenant_id = t.tenant_id AND id = t.customer_id;
  SELECT * INTO v FROM invoices WHERE invoices.tenant_id = t.tenant_id AND id = t.invoice_id;
  tenant_id := t.tenant_id;
  body := json_build_object(
    'invoice', json_build_object('id', v.id, 'number', v.number, 'invoice_date', v.invoice_date,
                                 'due_date', v.due_date, 'total_cents', v.total_cents,
                                 'balance_cents', v.balance_cents, 'status', v.status),
    'account', json_build_object('account_number', c.account_number, 'name', c.name),
    'has_portal_users', EXISTS (SELECT 1 FROM portal_user_accounts a
                                WHERE a.tenant_id = t.tenant_id AND a.customer_id = c.id),
    'sent_to_email', signup_mask_email(t.email));
END $$;

-- Create a login from a pay link (rule 7). The address the invoice went to needs no further
-- proof; any other address gets a verification link. An existing login must sign in instead.
CREATE FUNCTION signup_pay_link_signup(p_hash text, p_email text, p_full_name text,
                                       p_password_hash text, p_verify_token text,
                                       p_verify_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
  v_user uuid;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'pay_link';
  PERFORM signup_pay_link_check(t);
  IF t.email IS NULL OR p_email <> t.email THEN
    RETURN signup_verification_send(t.tenant_id, t.customer_id, p_email, p_verify_token,
                                    p_verify_hash, NULL, t.invoice_id);
  END IF;
  -- Serialise sign-ups of one customer so two requests cannot both find no login.
  PERFORM 1 FROM customers WHERE tenant_id = t.tenant_id AND id = t.customer_id FOR UPDATE;
  IF EXISTS (SELECT 1 FROM portal_users WHERE tenant_id = t.tenant_id AND email = p_email) THEN
    PERFORM cs_raise('409', 'portal_account_exists',
      'There is already a login for this email. Please sign in instead.', 'email');
  END IF;
  v_user := portal_user_link(t.tenant_id, p_email, p_full_name, p_password_hash, t.customer_id,
                             'pay_link');
  RETURN signup_session_outcome(t.tenant_id, v_user, t.customer_id);
END $$;

-- ------------------------------------------------------------------------------ self sign-up

-- Uninvited sign-up from the login page (rule 8): an account number and a sent invoice of that
-- account identify the customer; the verification link then creates the login.
CREATE FUNCTION signup_request(p_slug text, p_account_number text, p_invoice_number text,
                               p_email text, p_token text, p_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  t tenants;
  c customers;
BEGIN
  SELECT * INTO t FROM tenants WHERE slug = p_slug;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'tenant_not_found', format('There is no hauler named ''%s''.',
                                                       left(p_slug, 63)));
  END IF;
  PERFORM portal_require_enabled(t.id);
  IF NOT t.self_signup_enabled THEN
    PERFORM cs_raise('403', 'self_signup_disabled',
      'Sign-up is by invitation only. Please contact us to get access.');
  END IF;
  SELECT * INTO c FROM customers WHERE tenant_id = t.id AND account_number = p_account_number;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'account_number_not_found', 'Account number doesn''t exist',
                     'account_number');
  END IF;
  PERFORM 1 FROM invoices
  WHERE tenant_id = t.id AND customer_id = c.id AND number = p_invoice_number
    AND sent_at IS NOT NULL;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invoice_not_found',
      'No invoice with this number was sent to this account.', 'invoice_number');
  END IF;
  RETURN signup_verification_send(t.id, c.id, p_email, p_token, p_hash, NULL, NULL);
END $$;

-- Finish a sign-up from its verification link: the user with the proven email is created or
-- updated (password set) and linked to the bound customer; the link is spent.
CREATE FUNCTION signup_verify_email(p_hash text, p_full_name text, p_password_hash text)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
  i invitations;
  v_user uuid;
BEGIN
  SELECT * INTO t FROM portal_tokens
  WHERE token_hash = p_hash AND kind = 'email_verification' FOR UPDATE;
  IF NOT FOUND OR t.used_at IS NOT NULL THEN
    PERFORM cs_raise('404', 'verification_token_not_found',
      'This verification link is not valid (it may have been used already).');
  END IF;
  PERFORM portal_require_enabled(t.tenant_id);
  IF t.expires_at <= now() THEN
    PERFORM cs_raise('410', 'verification_token_expired',
      'This verification link has expired. Please sign up again.');
  END IF;
  IF t.invitation_id IS NOT NULL THEN
    SELECT * INTO i FROM invitations WHERE tenant_id = t.tenant_id AND id = t.invitation_id
    FOR UPDATE;
    -- Revoking an invitation also kills the verification links it led to.
    IF i.id IS NULL OR i.revoked_at IS NOT NULL THEN
      PERFORM cs_raise('404', 'verification_token_not_found',
        'This verification link is no longer valid: its invitation was withdrawn.');
    END IF;
  END IF;
  UPDATE portal_tokens SET used_at = now() WHERE id = t.id;
  v_user := portal_user_link(t.tenant_id, t.email, p_full_name, p_password_hash, t.customer_id,
    CASE WHEN t.invitation_id IS NOT NULL THEN 'invitation'
         WHEN t.invoice_id IS NOT NULL THEN 'pay_link'
         ELSE 'signup' END);
  IF i.id IS NOT NULL AND i.accepted_at IS NULL AND i.expires_at > now() THEN
    UPDATE invitations SET accepted_at = now(), accepted_user_id = v_user WHERE id = i.id;
  END IF;
  RETURN signup_session_outcome(t.tenant_id, v_user, t.customer_id);
END $$;

-- ------------------------------------------------------------------------------ passwords

-- Queue the reset email of user `u` (rule 10): a link for a password user, a "sign in with
-- Google" note for a Google user. False when the address reached its hourly cap.
CREATE FUNCTION passwords_reset_email(u portal_users, p_token text, p_hash text) RETURNS boolean
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

-- Forgot password: queue a reset email when `p_email` is a user of the tenant, and say nothing
-- either way (no enumeration).
CREATE FUNCTION passwords_forgot(p_slug text, p_email text, p_token text, p_hash text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid;
  u portal_users;
BEGIN
  SELECT id INTO v_tenant FROM tenants WHERE slug = p_slug;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'tenant_not_found', format('There is no hauler named ''%s''.',
                                                       left(p_slug, 63)));
  END IF;
  PERFORM portal_require_enabled(v_tenant);
  SELECT * INTO u FROM portal_users WHERE tenant_id = v_tenant AND email = p_email;
  IF FOUND THEN
    PERFORM passwords_reset_email(u, p_token, p_hash);
  END IF;
END $$;

-- Set a new password from a reset link: the link (and every other unspent reset link of the
-- user) is spent and every session of the user ends in the same transaction.
CREATE FUNCTION passwords_reset(p_hash text, p_password_hash text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'password_reset'
  FOR UPDATE;
  IF NOT FOUND OR t.used_at IS NOT NULL THEN
    PERFORM cs_raise('404', 'reset_token_not_found',
      'This password reset link is not valid (it may have been used already).');
  END IF;
  PERFORM portal_require_enabled(t.tenant_id);
  IF t.expires_at <= now() THEN
    PERFORM cs_raise('410', 'reset_token_expired',
      'This password reset link has expired. Please ask for a new one.');
  END IF;
  UPDATE portal_users SET password_hash = p_password_hash, login_method = 'password'
  WHERE tenant_id = t.tenant_id AND id = t.user_id;
  UPDATE portal_tokens SET used_at = now()
  WHERE user_id = t.user_id AND kind = 'password_reset' AND used_at IS NULL;
  PERFORM portal_sessions_revoke(t.user_id, NULL);
END $$;

-- How many portal users are linked to the customer, before a staff-triggered reset; the customer
-- stays locked until the transaction ends so the count holds for passwords_staff_reset.
CREATE FUNCTION passwords_staff_reset_users(p_tenant uuid, p_customer uuid) RETURNS integer
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
CREATE FUNCTION passwords_staff_reset(p_tenant uuid, p_customer uuid, p_tokens text[],
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
