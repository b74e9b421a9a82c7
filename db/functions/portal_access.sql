-- Staff giving customers portal access: the portal switch of a customer, invitations (create,
-- list, resend, revoke), bulk invitation as a background job, and the customer profile that shows
-- them.

-- An invitation's state now: pending, accepted, revoked or expired.
CREATE OR REPLACE FUNCTION invitation_status(i invitations) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted'
              WHEN i.revoked_at IS NOT NULL THEN 'revoked'
              WHEN i.expires_at <= now() THEN 'expired'
              ELSE 'pending' END
$$;

-- What the server needs to rebuild a pending invitation's link; NULL otherwise (no link).
CREATE OR REPLACE FUNCTION invitation_link_json(i invitations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('tenant', t.slug, 'id', i.id, 'nonce', i.nonce,
                           'token_hash', i.token_hash)
  FROM tenants t
  WHERE t.id = i.tenant_id AND invitation_status(i) = 'pending'
$$;

CREATE OR REPLACE FUNCTION invitation_json(i invitations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', i.id, 'customer_id', i.customer_id, 'kind', i.kind, 'first_name', i.first_name,
    'email', i.email, 'status', invitation_status(i), 'url', invitation_link_json(i),
    'created_at', instant(i.created_at), 'sent_at', instant(i.sent_at),
    'expires_at', instant(i.expires_at), 'accepted_at', instant(i.accepted_at),
    'revoked_at', instant(i.revoked_at))
$$;

-- The customer profile's current invitation (rule 3: the URL staff can hand over when the email
-- cannot be received): the newest pending one, {id, kind, email, expires_at, url placeholder}.
CREATE OR REPLACE FUNCTION customer_current_invitation_json(p_tenant uuid,
                                                            p_customer uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', i.id, 'kind', i.kind, 'email', i.email,
                           'expires_at', instant(i.expires_at), 'url', invitation_link_json(i))
  FROM invitations i
  WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer
    AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
  ORDER BY i.created_at DESC, i.id DESC
  LIMIT 1
$$;

-- Whether a portal user with email p_email is already linked to customer p_customer.
CREATE OR REPLACE FUNCTION customer_has_portal_user(p_tenant uuid, p_customer uuid, p_email text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM portal_user_accounts a
    JOIN portal_users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
    WHERE a.tenant_id = p_tenant AND a.customer_id = p_customer
      AND (p_email IS NULL OR u.email = p_email))
$$;

-- Staff (or a staff-driven job) switch a customer's portal access on: sign-up paths may not undo a
-- staff switch-off, but staff themselves may.
CREATE OR REPLACE FUNCTION customer_portal_switch_on(p_tenant uuid, p_customer uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE customers SET portal_enabled = true, portal_disabled_at = NULL
  WHERE tenant_id = p_tenant AND id = p_customer
    AND (NOT portal_enabled OR portal_disabled_at IS NOT NULL)
$$;

-- Revoke the live invitations of customer p_customer to p_email (one live link per address and
-- customer: a new or resent one replaces them), except p_keep.
CREATE OR REPLACE FUNCTION invitations_supersede(p_tenant uuid, p_customer uuid, p_email text,
                                                 p_keep uuid)
RETURNS void LANGUAGE sql AS $$
  UPDATE invitations SET revoked_at = now()
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND email = p_email
    AND id IS DISTINCT FROM p_keep
    AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
$$;

-- Queue the email of invitation v (to customer c) with its link token. An address that already
-- has a login at the tenant is told it has access to one more account and signs in from the link
-- (account_access; accepting signed in links the account, rule 6a), never asked to create a
-- password; any other address gets the email of the invitation's kind (invitation,
-- create_password). Decided when the email is queued: a login created later finds the
-- activation page saying so (email_has_login).
CREATE OR REPLACE FUNCTION invitation_email(c customers, v invitations, p_token text)
RETURNS void LANGUAGE sql AS $$
  SELECT outbox_enqueue(c.tenant_id,
    CASE WHEN signup_login_exists(c.tenant_id, v.email) THEN 'account_access' ELSE v.kind END,
    v.email, json_build_object(
      'customer_name', c.name, 'account_number', c.account_number, 'first_name', v.first_name,
      'link_path', 'invitations', 'token', p_token,
      'expires_at', instant(v.expires_at))::jsonb)
$$;

-- Insert an invitation of kind p_kind and queue its email (template = kind), 14 days to accept.
-- p_link is {id, nonce, token_hash, token} from the server.
CREATE OR REPLACE FUNCTION invitation_issue(c customers, p_kind text, p_first_name text,
                                            p_email text,
                                            p_link jsonb, p_created_by text) RETURNS invitations
LANGUAGE plpgsql AS $$
DECLARE
  v invitations;
BEGIN
  PERFORM invitations_supersede(c.tenant_id, c.id, p_email, NULL);
  INSERT INTO invitations (id, tenant_id, customer_id, kind, first_name, email, nonce, token_hash,
                           created_by, expires_at)
  VALUES ((p_link->>'id')::uuid, c.tenant_id, c.id, p_kind, p_first_name, p_email,
          p_link->>'nonce', p_link->>'token_hash', p_created_by, now() + interval '14 days')
  RETURNING * INTO v;
  PERFORM invitation_email(c, v, p_link->>'token');
  RETURN v;
END $$;

-- Other customers of the tenant using p_email as their login (portal login email or the email of a
-- linked portal user): the warnings of rule 2.
CREATE OR REPLACE FUNCTION portal_email_warnings(p_tenant uuid, p_customer uuid,
                                                 p_email text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'code', 'email_used_by_other_customer',
           'message', format('%s is also the portal login of account %s (%s); one login will '
                             'open both accounts.', p_email, o.account_number, o.name),
           'customer', json_build_object('id', o.id, 'account_number', o.account_number,
                                         'name', o.name))
         ORDER BY o.account_number, o.id), '[]'::json)
  FROM customers o
  WHERE o.tenant_id = p_tenant AND o.id <> p_customer
    AND o.id IN (SELECT c.id FROM customers c
                 WHERE c.tenant_id = p_tenant AND c.portal_login_email = p_email
                 UNION
                 SELECT a.customer_id FROM portal_users u
                 JOIN portal_user_accounts a ON a.tenant_id = u.tenant_id AND a.user_id = u.id
                 WHERE u.tenant_id = p_tenant AND u.email = p_email)
$$;

-- PUT /v1/admin/customers/{id}/portal: p is {enabled, login_email?} (login_email absent keeps the
-- stored one, null clears it). Enabling with a login email that no linked portal user has yet sends
-- the "Create Password" email (an invitation of kind create_password; p_link as for
-- invitation_issue) unless one is already pending for that address. Answers {customer, warnings,
-- invitation} (the current invitation, see customer_current_invitation_json).
CREATE OR REPLACE FUNCTION customer_portal_set(p_tenant uuid, p_id uuid, p jsonb, p_link jsonb,
                                               p_created_by text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_enabled boolean := (p->>'enabled')::boolean;
  v_email text;
  v_first_name text;
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  v_email := CASE WHEN p ? 'login_email' THEN p->>'login_email' ELSE c.portal_login_email END;
  IF v_enabled AND v_email IS NULL AND NOT customer_has_portal_user(p_tenant, p_id, NULL) THEN
    PERFORM cs_raise('422', 'required',
      'A login email is required to switch the portal on for a customer without a portal login.',
      'login_email');
  END IF;
  IF v_email IS DISTINCT FROM c.portal_login_email THEN
    -- The Create Password link sent to a former login email must not outlive it.
    UPDATE invitations SET revoked_at = now()
    WHERE tenant_id = p_tenant AND customer_id = p_id AND kind = 'create_password'
      AND email IS DISTINCT FROM v_email
      AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now();
  END IF;
  -- Only a change is written: an unchanged save must not touch updated_at nor make every server
  -- process forget its cached credentials (customers_portal_changed).
  UPDATE customers SET
    portal_enabled = v_enabled,
    portal_login_email = v_email,
    portal_disabled_at = CASE WHEN v_enabled THEN NULL ELSE coalesce(c.portal_disabled_at, now()) END
  WHERE tenant_id = p_tenant AND id = p_id
    AND (portal_enabled, portal_login_email, portal_disabled_at IS NULL)
        IS DISTINCT FROM (v_enabled, v_email, v_enabled);
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_id;
  IF v_enabled AND v_email IS NOT NULL
     AND NOT customer_has_portal_user(p_tenant, p_id, v_email)
     AND NOT EXISTS (SELECT 1 FROM invitations i
                     WHERE i.tenant_id = p_tenant AND i.customer_id = p_id AND i.email = v_email
                       AND i.accepted_at IS NULL AND i.revoked_at IS NULL
                       AND i.expires_at > now()) THEN
    SELECT a.first_name INTO v_first_name FROM customer_email_address(c) a;
    PERFORM invitation_issue(c, 'create_password', v_first_name, v_email, p_link, p_created_by);
  END IF;
  RETURN json_build_object('customer', customer_json(c),
                           'warnings', portal_email_warnings(p_tenant, p_id, v_email),
                           'invitation', customer_current_invitation_json(p_tenant, p_id))::text;
END $$;

-- GET /v1/admin/customers/{id}: the customer and its current invitation.
CREATE OR REPLACE FUNCTION customer_profile(p_tenant uuid, p_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('customer', customer_json(c),
                           'invitation', customer_current_invitation_json(c.tenant_id, c.id))::text
  FROM customers c WHERE c.tenant_id = p_tenant AND c.id = p_id
$$;

-- Staff invite a person to a customer's portal (rule 3): p is {first_name, email, save_to_contact?}.
-- The invitation replaces live ones to the same address; inviting switches portal access on;
-- save_to_contact appends {name, email} to the contacts unless one has that email already.
CREATE OR REPLACE FUNCTION invitation_create(p_tenant uuid, p_customer uuid, p jsonb, p_link jsonb,
                                             p_created_by text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v invitations;
  v_email text := p->>'email';
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  IF coalesce((p->>'save_to_contact')::boolean, false)
     AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.contacts) e
                     WHERE lower(btrim(e->>'email')) = v_email) THEN
    IF jsonb_array_length(c.contacts) >= 20 THEN
      PERFORM cs_raise('422', 'too_many_items',
        'The customer already has 20 contacts; remove one, or invite without saving the contact.',
        'save_to_contact');
    END IF;
    UPDATE customers SET contacts = contacts || jsonb_build_array(jsonb_build_object(
      'name', p->>'first_name', 'email', v_email, 'phone', NULL))
    WHERE tenant_id = p_tenant AND id = p_customer;
  END IF;
  PERFORM customer_portal_switch_on(p_tenant, p_customer);
  v := invitation_issue(c, 'invitation', p->>'first_name', v_email, p_link, p_created_by);
  RETURN invitation_json(v)::text;
END $$;

-- Resend (rule 3): a new nonce (the old link dies), 14 more days, the email again. An expired
-- invitation may be resent too (that is what staff resend for); an accepted or revoked one may not.
CREATE OR REPLACE FUNCTION invitation_resend(p_tenant uuid, p_id uuid, p_link jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invitations;
  c customers;
BEGIN
  SELECT * INTO v FROM invitations WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invitation with this id.');
  END IF;
  IF invitation_status(v) IN ('accepted', 'revoked') THEN
    PERFORM cs_raise('409', 'invitation_not_pending',
      format('This invitation was %s; it cannot be resent. Send a new invitation instead.',
             invitation_status(v)));
  END IF;
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = v.customer_id FOR UPDATE;
  PERFORM invitations_supersede(p_tenant, v.customer_id, v.email, v.id);
  PERFORM customer_portal_switch_on(p_tenant, v.customer_id);
  UPDATE invitations SET nonce = p_link->>'nonce', token_hash = p_link->>'token_hash',
                         sent_at = now(), expires_at = now() + interval '14 days'
  WHERE id = p_id
  RETURNING * INTO v;
  PERFORM invitation_email(c, v, p_link->>'token');
  RETURN invitation_json(v)::text;
END $$;

-- Revoke a pending invitation: its link stops working at once.
CREATE OR REPLACE FUNCTION invitation_revoke(p_tenant uuid, p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v invitations;
BEGIN
  SELECT * INTO v FROM invitations WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invitation with this id.');
  END IF;
  IF invitation_status(v) <> 'pending' THEN
    PERFORM cs_raise('409', 'invitation_not_pending',
      format('This invitation is %s already; only a pending invitation can be revoked.',
             invitation_status(v)));
  END IF;
  UPDATE invitations SET revoked_at = now() WHERE id = p_id;
END $$;

-- Whether customer c is one a bulk invitation is for (rule 11): its portal not switched off by
-- staff, no linked portal user, no live invitation. Whether there is an address to write to is
-- decided per customer (none: skipped).
CREATE OR REPLACE FUNCTION customer_awaits_invitation(c customers) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT (c.portal_enabled OR c.portal_disabled_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM portal_user_accounts a
                    WHERE a.tenant_id = c.tenant_id AND a.customer_id = c.id)
    AND NOT EXISTS (SELECT 1 FROM invitations i
                    WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id
                      AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now())
$$;

-- Those customers of p_tenant by id after p_after, at most p_limit (NULL: all).
CREATE OR REPLACE FUNCTION bulk_invitation_candidates(p_tenant uuid, p_after uuid, p_limit integer)
RETURNS SETOF customers LANGUAGE sql STABLE AS $$
  SELECT c.* FROM customers c
  WHERE c.tenant_id = p_tenant AND c.id > p_after AND customer_awaits_invitation(c)
  ORDER BY c.id
  LIMIT p_limit
$$;

-- Queue a bulk invitation for tenant p_tenant, or for the tenant with slug p_slug (the operator);
-- one active at a time per tenant (409 job_already_running naming it).
CREATE OR REPLACE FUNCTION bulk_invitation_start(p_tenant uuid, p_slug text,
                                                 p_created_by text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := p_tenant;
  v_running uuid;
  j jobs;
BEGIN
  IF v_tenant IS NULL THEN
    v_tenant := tenant_id_of_slug(p_slug);
  END IF;
  BEGIN
    INSERT INTO jobs (tenant_id, kind, created_by) VALUES (v_tenant, 'bulk_invitation', p_created_by)
    RETURNING * INTO j;
  EXCEPTION WHEN unique_violation THEN
    SELECT id INTO v_running FROM jobs
    WHERE tenant_id = v_tenant AND kind = 'bulk_invitation' AND status IN ('queued', 'running');
    PERFORM cs_raise('409', 'job_already_running',
      format('A bulk invitation is already running for this hauler (job %s); wait for it to finish.',
             v_running));
  END;
  RETURN json_build_object('job_id', j.id, 'tenant', (SELECT slug FROM tenants WHERE id = v_tenant))::text;
END $$;

-- The next candidates of job p_job after customer p_after: [{customer_id}] (at most p_limit).
CREATE OR REPLACE FUNCTION bulk_invitation_next(p_job uuid, p_after uuid,
                                                p_limit integer) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(json_agg(json_build_object('customer_id', c.id) ORDER BY c.id), '[]')::text
  FROM jobs j, bulk_invitation_candidates(j.tenant_id, p_after, p_limit) c
  WHERE j.id = p_job
$$;

-- Invite one batch of job p_job: p_items are [{customer_id, link: {id, nonce, token_hash, token}}]
-- for the candidates after p_after, ending with p_last. Each customer is checked again under its
-- lock (another worker, a staff invitation or a sign-up may have come first: skipped) and written in
-- a subtransaction (an error counts as failed and leaves nothing behind). Counters, the resume
-- point and the lease move in the same transaction. Answers 'ok', or 'lost' when the job is no
-- longer this worker's (another claimed it after the lease ran out, or it ended).
CREATE OR REPLACE FUNCTION bulk_invitation_batch(p_job uuid, p_after uuid, p_last uuid,
                                                 p_items jsonb,
                                                 p_lease_seconds integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  j jobs;
  c customers;
  item jsonb;
  v_email text;
  v_first_name text;
  v_ok integer := 0;
  v_skipped integer := 0;
  v_failed integer := 0;
BEGIN
  SELECT * INTO j FROM jobs WHERE id = p_job FOR UPDATE;
  IF NOT FOUND OR j.status <> 'running'
     OR coalesce(j.params->>'after', '00000000-0000-0000-0000-000000000000') <> p_after::text THEN
    RETURN 'lost';
  END IF;
  FOR item IN SELECT * FROM jsonb_array_elements(p_items) LOOP
    BEGIN
      SELECT * INTO c FROM customers
      WHERE tenant_id = j.tenant_id AND id = (item->>'customer_id')::uuid FOR UPDATE;
      v_email := NULL;
      IF FOUND AND customer_awaits_invitation(c) THEN
        SELECT a.email, a.first_name INTO v_email, v_first_name FROM customer_email_address(c) a;
      END IF;
      IF v_email IS NULL THEN
        v_skipped := v_skipped + 1;
      ELSE
        PERFORM customer_portal_switch_on(j.tenant_id, c.id);
        PERFORM invitation_issue(c, 'invitation', v_first_name, v_email, item->'link',
                                 j.created_by);
        v_ok := v_ok + 1;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      v_failed := v_failed + 1;
    END;
  END LOOP;
  UPDATE jobs SET processed = processed + v_ok + v_skipped + v_failed,
                  succeeded = succeeded + v_ok, skipped = skipped + v_skipped,
                  failed = failed + v_failed,
                  params = params || jsonb_build_object('after', p_last),
                  lease_until = now() + make_interval(secs => p_lease_seconds)
  WHERE id = p_job;
  RETURN 'ok';
END $$;
