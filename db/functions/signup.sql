-- Customers joining the portal: sign-up with an account and invoice number, accepting an
-- invitation, signing up from a pay link, and the emailed links that prove an address. A link
-- never takes over an existing login (docs/decisions.md, "Links never take over a login").

-- How many messages of `p_templates` were queued for `p_to` in the last hour.
CREATE OR REPLACE FUNCTION signup_recent_emails(p_tenant uuid, p_to text,
                                                p_templates text[]) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT count(*)::integer FROM outbox
  WHERE tenant_id = p_tenant AND to_address = p_to AND template = ANY (p_templates)
    AND created_at > now() - interval '1 hour'
$$;

-- At most this many verification (or password) emails go to one address per hour; requests past
-- it are answered as usual and silently send nothing, so nobody can flood a mailbox.
CREATE OR REPLACE FUNCTION signup_email_cap() RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT 5';

-- "j***@example.com": enough for a person to recognise their address, not enough to harvest it.
CREATE OR REPLACE FUNCTION signup_mask_email(p_email text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_email IS NULL THEN NULL
              ELSE left(p_email, 1) || '***@' || split_part(p_email, '@', 2) END
$$;

CREATE OR REPLACE FUNCTION signup_session_outcome(p_tenant uuid, p_user uuid,
                                                  p_account uuid) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('outcome', 'session', 'tenant_id', p_tenant, 'user_id', p_user,
                           'account_id', p_account)
$$;

-- Queue the email that proves p_email before it is linked to customer p_customer: a verification
-- (24 hours) when the address has no login, a "confirm it's you" account link (1 hour: it may set
-- the login's password) when it has one. The first greets p_full_name (the person signing up;
-- NULL for the login page's sign-up, which asks for no name), the second the login's own name:
-- a person, never the account's name. Both are single-use tokens of kind email_verification,
-- followed through POST /v1/auth/verify-email, and never shown to staff or API keys. The
-- recipient's cap (5 an hour) is silent, so an answer never tells whether an address was emailed;
-- the account's cap answers {outcome: 'throttled', retry_after}. The customer row is locked so
-- parallel requests count exactly.
CREATE OR REPLACE FUNCTION signup_verification_send(p_tenant uuid, p_customer uuid, p_email text,
                                                    p_full_name text, p_token text, p_hash text,
                                                    p_invitation uuid,
                                                    p_invoice uuid) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_login_name text := (SELECT u.full_name FROM portal_users u
                        WHERE u.tenant_id = p_tenant AND u.email = p_email);
  v_login boolean := signup_login_exists(p_tenant, p_email);
  v_expires timestamptz := now() + CASE WHEN v_login THEN interval '1 hour'
                                        ELSE interval '24 hours' END;
  v_wait integer;
  v_sent json := json_build_object('outcome', 'verification_sent', 'email', p_email);
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer FOR UPDATE;
  PERFORM portal_customer_must_be_open(c);
  IF signup_recent_emails(p_tenant, p_email, ARRAY['email_verification', 'account_link'])
     >= signup_email_cap() THEN
    RETURN v_sent;
  END IF;
  v_wait := signup_account_email_wait(p_tenant, p_customer);
  IF v_wait > 0 THEN
    RETURN json_build_object('outcome', 'throttled', 'retry_after', v_wait);
  END IF;
  INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id, invoice_id,
                             invitation_id, expires_at)
  VALUES (p_tenant, 'email_verification', p_hash, p_email, p_customer, p_invoice, p_invitation,
          v_expires);
  PERFORM outbox_enqueue(p_tenant,
    CASE WHEN v_login THEN 'account_link' ELSE 'email_verification' END, p_email,
    jsonb_build_object('full_name', CASE WHEN v_login THEN v_login_name ELSE p_full_name END,
                       'customer_name', c.name, 'account_number', c.account_number,
                       'link_path', 'verify-email', 'token', p_token,
                       'expires_at', instant(v_expires)));
  RETURN v_sent;
END $$;

-- Raise the problem of an invitation link that cannot be used; `i` is all NULL when unknown.
CREATE OR REPLACE FUNCTION signup_invitation_check(i invitations) RETURNS void
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
-- email_has_login: the invited address already has a login at the hauler, so the page offers to
-- sign in (accepting signed in links the account, rule 6a) rather than to create a password.
CREATE OR REPLACE FUNCTION signup_invitation_show(p_hash text, OUT tenant_id uuid, OUT body json)
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
    'email_has_login', signup_login_exists(i.tenant_id, i.email),
    'expires_at', instant(i.expires_at),
    'account', json_build_object('account_number', c.account_number, 'name', c.name));
END $$;

-- Accept an invitation (rule 5, 6a). p_user is the portal user of the request's bearer token (NULL
-- without one). Signed in as the login of p_email: that login is linked, nothing else changes.
-- The invited address without a login: the login is created with the password (p_password_hash;
-- NULL answers password_needed). Any other case (another address, or an address with a login)
-- emails the proof to that address; the invitation stays pending until it is followed.
CREATE OR REPLACE FUNCTION signup_invitation_accept(p_hash text, p_email text, p_full_name text,
                                                    p_password_hash text, p_verify_token text,
                                                    p_verify_hash text, p_user uuid) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  i invitations;
  u portal_users;
  v_user uuid;
BEGIN
  SELECT * INTO i FROM invitations WHERE token_hash = p_hash FOR UPDATE;
  PERFORM signup_invitation_check(i);
  u := signup_signed_in_user(i.tenant_id, p_user, p_email);
  IF u.id IS NOT NULL THEN
    v_user := signup_link_login(u, i.customer_id, 'invitation');
  ELSIF p_email <> i.email OR signup_login_exists(i.tenant_id, p_email) THEN
    RETURN signup_verification_send(i.tenant_id, i.customer_id, p_email, p_full_name,
                                    p_verify_token, p_verify_hash, i.id, NULL);
  ELSE
    PERFORM portal_customer_must_be_open(c) FROM customers c
    WHERE c.tenant_id = i.tenant_id AND c.id = i.customer_id;
    IF p_password_hash IS NULL THEN
      RETURN signup_password_needed();
    END IF;
    v_user := signup_new_login(i.tenant_id, p_email, p_full_name, p_password_hash);
    IF v_user IS NULL THEN
      RETURN signup_verification_send(i.tenant_id, i.customer_id, p_email, p_full_name,
                                      p_verify_token, p_verify_hash, i.id, NULL);
    END IF;
    PERFORM portal_user_link(i.tenant_id, p_email, p_full_name, p_password_hash, i.customer_id,
                             'invitation');
    PERFORM portal_sessions_revoke(v_user, NULL);
  END IF;
  UPDATE invitations SET accepted_at = now(), accepted_user_id = v_user WHERE id = i.id;
  RETURN signup_session_outcome(i.tenant_id, v_user, i.customer_id);
END $$;

CREATE OR REPLACE FUNCTION signup_pay_link_check(t portal_tokens) RETURNS void
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
CREATE OR REPLACE FUNCTION signup_pay_link_show(p_hash text, OUT tenant_id uuid, OUT body json)
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

-- Sign up from a pay link (rule 7, 6a). Signed in as the login of p_email: linked. The address the
-- invoice went to, without a login: the login is created with the password (NULL hash answers
-- password_needed). Any other address, or one with a login: the proof is emailed to it.
CREATE OR REPLACE FUNCTION signup_pay_link_signup(p_hash text, p_email text, p_full_name text,
                                                  p_password_hash text, p_verify_token text,
                                                  p_verify_hash text, p_user uuid) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
  u portal_users;
  c customers;
  v_user uuid;
BEGIN
  SELECT * INTO t FROM portal_tokens WHERE token_hash = p_hash AND kind = 'pay_link';
  PERFORM signup_pay_link_check(t);
  u := signup_signed_in_user(t.tenant_id, p_user, p_email);
  IF u.id IS NOT NULL THEN
    v_user := signup_link_login(u, t.customer_id, 'pay_link');
    RETURN signup_session_outcome(t.tenant_id, v_user, t.customer_id);
  END IF;
  IF t.email IS NULL OR p_email <> t.email OR signup_login_exists(t.tenant_id, p_email) THEN
    RETURN signup_verification_send(t.tenant_id, t.customer_id, p_email, p_full_name,
                                    p_verify_token, p_verify_hash, NULL, t.invoice_id);
  END IF;
  SELECT * INTO c FROM customers WHERE tenant_id = t.tenant_id AND id = t.customer_id FOR UPDATE;
  PERFORM portal_customer_must_be_open(c);
  IF p_password_hash IS NULL THEN
    RETURN signup_password_needed();
  END IF;
  v_user := signup_new_login(t.tenant_id, p_email, p_full_name, p_password_hash);
  IF v_user IS NULL THEN
    RETURN signup_verification_send(t.tenant_id, t.customer_id, p_email, p_full_name,
                                    p_verify_token, p_verify_hash, NULL, t.invoice_id);
  END IF;
  PERFORM portal_user_link(t.tenant_id, p_email, p_full_name, p_password_hash, t.customer_id,
                           'pay_link');
  PERFORM portal_sessions_revoke(v_user, NULL);
  RETURN signup_session_outcome(t.tenant_id, v_user, t.customer_id);
END $$;

-- Uninvited sign-up from the login page (rule 8): an account number and a sent invoice of that
-- account identify the customer; the verification link then creates the login.
CREATE OR REPLACE FUNCTION signup_request(p_slug text, p_account_number text, p_invoice_number text,
                                          p_email text, p_token text, p_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  t tenants;
  c customers;
BEGIN
  SELECT * INTO t FROM tenants WHERE id = portal_tenant_of_slug(p_slug);
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
  RETURN signup_verification_send(t.id, c.id, p_email, NULL, p_token, p_hash, NULL, NULL);
END $$;

-- Follow an emailed link (a verification, or the "confirm it's you" link of an address with a
-- login): the mailbox is the proof. The login of the address is linked to the bound customer (and
-- created, which needs p_full_name and a password: else {outcome: 'details_required'}). With a
-- password (p_has_password; a NULL hash answers password_needed) the login's password is set, it
-- signs in with a password from now on (rule 6) and every session of the user ends; without one
-- an existing login keeps its password and login method. The link is spent.
CREATE OR REPLACE FUNCTION signup_verify_email(p_hash text, p_full_name text, p_password_hash text,
                                               p_has_password boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  t portal_tokens;
  i invitations;
  u portal_users;
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
  PERFORM portal_customer_must_be_open(c) FROM customers c
  WHERE c.tenant_id = t.tenant_id AND c.id = t.customer_id;
  SELECT * INTO u FROM portal_users WHERE tenant_id = t.tenant_id AND email = t.email FOR UPDATE;
  IF u.id IS NULL AND (p_full_name IS NULL OR NOT p_has_password) THEN
    RETURN json_build_object('outcome', 'details_required');
  END IF;
  IF p_has_password AND p_password_hash IS NULL THEN
    RETURN signup_password_needed();
  END IF;
  UPDATE portal_tokens SET used_at = now() WHERE id = t.id;
  v_user := portal_user_link(t.tenant_id, t.email, coalesce(p_full_name, u.full_name),
    p_password_hash, t.customer_id,
    CASE WHEN t.invitation_id IS NOT NULL THEN 'invitation'
         WHEN t.invoice_id IS NOT NULL THEN 'pay_link'
         ELSE 'signup' END);
  IF p_password_hash IS NOT NULL THEN
    PERFORM portal_sessions_revoke(v_user, NULL);
  END IF;
  IF i.id IS NOT NULL AND i.accepted_at IS NULL AND i.expires_at > now() THEN
    UPDATE invitations SET accepted_at = now(), accepted_user_id = v_user WHERE id = i.id;
  END IF;
  RETURN signup_session_outcome(t.tenant_id, v_user, t.customer_id);
END $$;

-- Whether p_email has a login at the tenant.
CREATE OR REPLACE FUNCTION signup_login_exists(p_tenant uuid, p_email text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM portal_users WHERE tenant_id = p_tenant AND email = p_email)
$$;

-- The portal user p_user (from the request's bearer token) when it is the login of p_email at the
-- tenant; NULL otherwise. Being signed in as that login proves it (rule 6a).
CREATE OR REPLACE FUNCTION signup_signed_in_user(p_tenant uuid, p_user uuid,
                                                 p_email text) RETURNS portal_users
LANGUAGE sql STABLE AS $$
  SELECT u FROM portal_users u WHERE u.tenant_id = p_tenant AND u.id = p_user AND u.email = p_email
$$;

-- Create the login of p_email with its first password, or NULL when the address has a login
-- (perhaps created a moment ago by another request): no link may set an existing login's password
-- without the emailed proof, not even by losing a race.
CREATE OR REPLACE FUNCTION signup_new_login(p_tenant uuid, p_email text, p_full_name text,
                                            p_password_hash text) RETURNS uuid
LANGUAGE sql AS $$
  INSERT INTO portal_users (tenant_id, email, full_name, password_hash, login_method)
  VALUES (p_tenant, p_email, p_full_name, p_password_hash, 'password')
  ON CONFLICT (tenant_id, email) DO NOTHING
  RETURNING id
$$;

-- Link the existing login `u` to customer p_customer, keeping its name, password and login method.
CREATE OR REPLACE FUNCTION signup_link_login(u portal_users, p_customer uuid,
                                             p_source text) RETURNS uuid
LANGUAGE sql AS $$
  SELECT portal_user_link(u.tenant_id, u.email, u.full_name, NULL, p_customer, p_source)
$$;

CREATE OR REPLACE FUNCTION signup_password_needed() RETURNS json
LANGUAGE sql IMMUTABLE AS $$ SELECT json_build_object('outcome', 'password_needed') $$;

-- At most this many verification emails name one customer account per rolling hour, whatever the
-- addresses (API.md rule 27); past it the request answers 429 with Retry-After.
CREATE OR REPLACE FUNCTION signup_account_email_cap() RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT 5';

-- Seconds until customer p_customer may be sent another verification email; 0 when it may now.
CREATE OR REPLACE FUNCTION signup_account_email_wait(p_tenant uuid, p_customer uuid) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) < signup_account_email_cap() THEN 0
              ELSE greatest(1, ceil(extract(epoch FROM
                     (SELECT min(created_at) FROM (
                        SELECT created_at FROM portal_tokens
                        WHERE tenant_id = p_tenant AND customer_id = p_customer
                          AND kind = 'email_verification' AND created_at > now() - interval '1 hour'
                        ORDER BY created_at DESC LIMIT signup_account_email_cap()) newest)
                     + interval '1 hour' - now()))::integer) END
  FROM portal_tokens
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND kind = 'email_verification'
    AND created_at > now() - interval '1 hour'
$$;
