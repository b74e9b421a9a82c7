-- Forgot password without a timing oracle (issue 16): the request only records that an address
-- asked, which is the same statement, the same rows and the same work for every address of an
-- open portal, whether or not it has a login. The mail worker then looks the address up, off the
-- request, and queues the reset email (or nothing) as 0011's passwords_forgot did.

-- Asked-for resets not handled yet. `token` is the link's token should the address have a login
-- (kept only until the worker handles the row, as an outbox payload keeps it until sent).
CREATE TABLE password_reset_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  token text NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Forgot password: record the request and wake the mail worker; say nothing about the address.
CREATE OR REPLACE FUNCTION passwords_forgot(p_slug text, p_email text, p_token text, p_hash text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid;
BEGIN
  SELECT id INTO v_tenant FROM tenants WHERE slug = p_slug;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'tenant_not_found', format('There is no hauler named ''%s''.',
                                                       left(p_slug, 63)));
  END IF;
  PERFORM portal_require_enabled(v_tenant);
  INSERT INTO password_reset_requests (tenant_id, email, token, token_hash)
  VALUES (v_tenant, p_email, p_token, p_hash);
  PERFORM pg_notify('curbside_outbox', '');
END $$;

-- The mail worker's half: handle up to `p_limit` requests, oldest first. A request for a login of
-- a portal that is still open queues its reset email (passwords_reset_email: the hourly cap, the
-- Google variant); any other is dropped. Claimed with SKIP LOCKED, so several processes share the
-- work; the number handled is returned.
CREATE FUNCTION passwords_forgot_work(p_limit integer) RETURNS integer
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
