-- Sign in with Google: the login attempt (state and nonce), then linking or signing in the user
-- the ID token names.

-- How long a person has between starting a Google sign-in and coming back with its code.
CREATE OR REPLACE FUNCTION google_login_lifetime() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '10 minutes' $$;

-- Record a sign-in attempt of tenant p_slug, through an invitation or a pay link (their token
-- hashes) or neither. Both are checked now, so a dead link fails before the person visits Google.
-- Returns {login_hint}: the invited address, to preselect the right Google account.
CREATE OR REPLACE FUNCTION google_login_start(p_slug text, p_state_hash text, p_nonce text,
                                              p_verifier text, p_redirect_uri text,
                                              p_invitation_hash text,
                                              p_pay_link_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := portal_tenant_of_slug(p_slug);
  i invitations;
  t portal_tokens;
BEGIN
  IF p_invitation_hash IS NOT NULL THEN
    SELECT * INTO i FROM invitations WHERE tenant_id = v_tenant AND token_hash = p_invitation_hash;
    PERFORM signup_invitation_check(i);
  END IF;
  IF p_pay_link_hash IS NOT NULL THEN
    SELECT * INTO t FROM portal_tokens
    WHERE tenant_id = v_tenant AND token_hash = p_pay_link_hash AND kind = 'pay_link';
    PERFORM signup_pay_link_check(t);
  END IF;
  -- Housekeeping: attempts nobody came back for.
  DELETE FROM oidc_logins WHERE expires_at < now() - interval '1 day';
  INSERT INTO oidc_logins (tenant_id, state_hash, nonce, code_verifier, redirect_uri,
                           invitation_id, pay_link_id, expires_at)
  VALUES (v_tenant, p_state_hash, p_nonce, p_verifier, p_redirect_uri, i.id, t.id,
          now() + google_login_lifetime());
  RETURN json_build_object('login_hint', i.email);
END $$;

-- Spend the state of a callback at tenant p_slug (single use: a second callback with it fails,
-- even when the first one failed later on). Returns what the token exchange needs.
CREATE OR REPLACE FUNCTION google_login_claim(p_slug text, p_state_hash text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := portal_tenant_of_slug(p_slug);
  l oidc_logins;
BEGIN
  SELECT * INTO l FROM oidc_logins
  WHERE tenant_id = v_tenant AND state_hash = p_state_hash FOR UPDATE;
  IF NOT FOUND OR l.used_at IS NOT NULL THEN
    PERFORM cs_raise('422', 'invalid_state',
      'This sign-in is not valid or was already used. Please start again.', 'state');
  END IF;
  IF l.expires_at <= now() THEN
    PERFORM cs_raise('410', 'state_expired',
      'This sign-in took too long and has expired. Please start again.');
  END IF;
  UPDATE oidc_logins SET used_at = now() WHERE id = l.id;
  RETURN json_build_object('login_id', l.id, 'nonce', l.nonce, 'code_verifier', l.code_verifier,
                           'redirect_uri', l.redirect_uri);
END $$;

-- The login of provider-verified address p_email at tenant p_tenant, for a sign-in without an
-- invitation or a pay link (rule 6: a password user may choose Google when the provider says the
-- address is verified). A login already bound to another account of this provider keeps it
-- (409 google_account_mismatch): an address the provider verified once may have changed hands
-- since, and the bound account is the one that person chose. No login: 404 no_portal_account.
CREATE OR REPLACE FUNCTION google_login_existing(p_tenant uuid, p_issuer text,
                                                 p_email text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  u portal_users;
BEGIN
  SELECT * INTO u FROM portal_users WHERE tenant_id = p_tenant AND email = p_email FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'no_portal_account',
      'There is no online account for this Google account yet. To set one up, use the '
      'invitation we emailed you, or the Review & Pay link in one of your invoice emails.');
  END IF;
  IF u.oidc_issuer = p_issuer AND u.oidc_subject IS NOT NULL THEN
    PERFORM cs_raise('409', 'google_account_mismatch',
      'Your online account is set up with another Google account of this address. Sign in '
      'with that Google account, or ask for a new invitation to sign in with a password.');
  END IF;
  RETURN u.id;
END $$;

-- Finish claimed sign-in p_login for the identity of a checked ID token (issuer, subject and the
-- provider-verified email). A user is matched by (tenant, issuer, subject); failing that, a first
-- sign-in through an invitation (to that same address) or a pay link links the user of that email
-- (created when there is none), and one without either signs in the existing login of that email
-- (google_login_existing). Nobody else gets a login (404 no_portal_account). The user signs in
-- with Google from now on (rule 6). Returns a session outcome (signup_session_outcome).
CREATE OR REPLACE FUNCTION google_login_finish(p_login uuid, p_issuer text, p_subject text,
                                               p_email text,
                                               p_name text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  l oidc_logins;
  i invitations;
  t portal_tokens;
  v_customer uuid;
  v_source text;
  v_user uuid;
  v_name text;
BEGIN
  SELECT * INTO l FROM oidc_logins WHERE id = p_login AND used_at IS NOT NULL;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invalid_state',
      'This sign-in is not valid or was already used. Please start again.', 'state');
  END IF;
  PERFORM portal_require_enabled(l.tenant_id);
  IF l.invitation_id IS NOT NULL THEN
    SELECT * INTO i FROM invitations WHERE tenant_id = l.tenant_id AND id = l.invitation_id
    FOR UPDATE;
    PERFORM signup_invitation_check(i);
    v_customer := i.customer_id;
    v_source := 'invitation';
  ELSIF l.pay_link_id IS NOT NULL THEN
    SELECT * INTO t FROM portal_tokens WHERE id = l.pay_link_id;
    PERFORM signup_pay_link_check(t);
    v_customer := t.customer_id;
    v_source := 'pay_link';
  END IF;

  SELECT id INTO v_user FROM portal_users
  WHERE tenant_id = l.tenant_id AND oidc_issuer = p_issuer AND oidc_subject = p_subject
  FOR UPDATE;
  -- An invitation is for the invited address: the Google account's, or that of the login this
  -- Google account already signs in to.
  IF i.id IS NOT NULL AND p_email <> i.email
     AND NOT EXISTS (SELECT 1 FROM portal_users WHERE id = v_user AND email = i.email) THEN
    PERFORM cs_raise('409', 'email_mismatch',
      format('This invitation was sent to %s, which is not the address of this Google account. '
             'Sign in with the Google account of the invited address, or accept the invitation '
             'with an email and password instead.', signup_mask_email(i.email)));
  END IF;
  IF v_user IS NULL AND v_customer IS NULL THEN
    v_user := google_login_existing(l.tenant_id, p_issuer, p_email);
  END IF;
  IF v_customer IS NOT NULL THEN
    -- An existing login keeps its name; a new one takes the provider's (or the invitation's).
    SELECT coalesce(
      (SELECT full_name FROM portal_users
       WHERE tenant_id = l.tenant_id AND (id = v_user OR (v_user IS NULL AND email = p_email))),
      left(coalesce(nullif(btrim(p_name), ''), i.first_name, split_part(p_email, '@', 1)), 200))
    INTO v_name;
    v_user := portal_user_link(l.tenant_id,
      coalesce((SELECT email FROM portal_users WHERE id = v_user), p_email),
      v_name, NULL, v_customer, v_source);
  END IF;
  UPDATE portal_users SET login_method = 'google', oidc_issuer = p_issuer,
                          oidc_subject = p_subject
  WHERE tenant_id = l.tenant_id AND id = v_user;
  IF i.id IS NOT NULL THEN
    UPDATE invitations SET accepted_at = now(), accepted_user_id = v_user WHERE id = i.id;
  END IF;
  RETURN signup_session_outcome(l.tenant_id, v_user, v_customer);
END $$;
