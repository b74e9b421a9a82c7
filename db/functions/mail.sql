-- The mail outbox: a change queues its email in the same transaction (outbox_enqueue), and the mail
-- worker of every server process claims due rows under a lease and records each send's outcome.
-- FOR UPDATE SKIP LOCKED and the lease make sure no two of them send one row.

CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('curbside_outbox', '');
  RETURN NULL;
END $$;

-- Wakes every mail worker listening, at commit.
CREATE OR REPLACE TRIGGER outbox_wake AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Queue one email; the worker renders and sends it after this transaction commits.
CREATE OR REPLACE FUNCTION outbox_enqueue(p_tenant uuid, p_template text, p_to text,
                                          p_payload jsonb)
RETURNS uuid LANGUAGE sql AS $$
  INSERT INTO outbox (tenant_id, template, to_address, payload)
  VALUES (p_tenant, p_template, p_to, coalesce(p_payload, '{}'))
  RETURNING id
$$;

-- A payload instant (ISO 8601 text) as the hauler's customers read it, in the tenant's time zone
-- and with that zone's abbreviation at that instant: "March 5, 2026 at 3:04 PM CST" (CDT in
-- summer). A zone whose abbreviation is only an offset reads "UTC-03". NULL when absent or not an
-- instant (a bad payload must not stop the claim of the whole batch). to_char's TZ names the
-- session's zone, so the function sets it; its SET clause gives the caller's zone back at exit.
CREATE OR REPLACE FUNCTION mail_local_time(p_value text, p_zone text) RETURNS text
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
DECLARE
  v_at timestamptz;
  v_zone text;
BEGIN
  IF p_value IS NULL THEN
    RETURN NULL;
  END IF;
  v_at := p_value::timestamptz;
  PERFORM set_config('TimeZone', p_zone, true);
  v_zone := to_char(v_at, 'TZ');
  IF v_zone ~ '^[+-]' THEN
    v_zone := 'UTC' || v_zone;
  END IF;
  RETURN to_char(v_at, 'FMMonth FMDD, YYYY "at" FMHH12:MI AM ') || v_zone;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- Claim up to p_limit due rows: each gets attempts + 1 and a lease of p_lease_seconds (its
-- next_attempt_at moves forward, so another process skips it, and a worker that dies mid-send
-- releases it when the lease runs out). Returned with the tenant's branding, oldest first.
CREATE OR REPLACE FUNCTION outbox_claim(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
  out_id uuid, out_template text, out_to text, out_payload jsonb, out_attempts integer,
  out_slug text, out_name text, out_logo_url text, out_brand_color text, out_currency text,
  out_contact_phone text, out_contact_email text, out_contact_address text,
  out_contact_website text, out_expires_local text)
LANGUAGE sql AS $$
  WITH claimed AS (
    UPDATE outbox o
       SET next_attempt_at = now() + make_interval(secs => p_lease_seconds),
           attempts = o.attempts + 1
     WHERE o.id IN (SELECT d.id FROM outbox d
                     WHERE d.status = 'queued' AND d.next_attempt_at <= now()
                     ORDER BY d.next_attempt_at
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING o.id, o.tenant_id, o.template, o.to_address, o.payload, o.attempts, o.created_at)
  SELECT c.id, c.template, c.to_address, c.payload, c.attempts,
         t.slug, t.name, t.logo_url, t.brand_color, t.currency,
         t.contact_phone, t.contact_email, t.contact_address, t.contact_website,
         mail_local_time(c.payload ->> 'expires_at', t.time_zone)
    FROM claimed c JOIN tenants t ON t.id = c.tenant_id
   ORDER BY c.created_at, c.id
$$;

-- The row was delivered on attempt p_attempt: mark it sent and drop its secret (the link token).
-- False when the row is no longer this worker's (its lease ran out and another claim followed).
CREATE OR REPLACE FUNCTION outbox_mark_sent(p_id uuid, p_attempt integer) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE outbox SET status = 'sent', sent_at = now(), payload = payload - 'token'
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;

-- Attempt p_attempt failed with p_error: try again in p_retry_seconds, or, when that is NULL,
-- give up (status failed; the token goes, as for a sent row).
CREATE OR REPLACE FUNCTION outbox_mark_failed(p_id uuid, p_attempt integer, p_error text,
                                              p_retry_seconds integer) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE outbox
       SET last_error = left(p_error, 500),
           status = CASE WHEN p_retry_seconds IS NULL THEN 'failed' ELSE 'queued' END,
           next_attempt_at = CASE WHEN p_retry_seconds IS NULL THEN next_attempt_at
                                  ELSE now() + make_interval(secs => p_retry_seconds) END,
           payload = CASE WHEN p_retry_seconds IS NULL THEN payload - 'token' ELSE payload END
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;

-- A stopping worker hands back a row it claimed but did not try: due again at once, the claim's
-- attempt not counted.
CREATE OR REPLACE FUNCTION outbox_release(p_id uuid, p_attempt integer) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE outbox SET next_attempt_at = now(), attempts = attempts - 1
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;
