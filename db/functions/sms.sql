-- Text notifications: a customer's SMS preference and its append-only consent record, the SMS
-- outbox and its worker's side, and the reminders queued from it.

CREATE OR REPLACE FUNCTION sms_consents_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'sms_consents is append-only: consent records are evidence'
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER sms_consents_append_only BEFORE UPDATE OR DELETE ON sms_consents
  FOR EACH ROW EXECUTE FUNCTION sms_consents_refuse_change();

CREATE OR REPLACE TRIGGER sms_consents_no_truncate BEFORE TRUNCATE ON sms_consents
  FOR EACH STATEMENT EXECUTE FUNCTION sms_consents_refuse_change();

CREATE OR REPLACE FUNCTION sms_preference_json(p_opt_in boolean, p_phone text,
                                               p_updated timestamptz)
RETURNS json LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT json_build_object('sms_opt_in', coalesce(p_opt_in, false), 'sms_phone', p_phone,
                           'updated_at', instant(p_updated))
$$;

-- The account's preference; an account that never chose is opted out with no number.
CREATE OR REPLACE FUNCTION portal_sms_preference_json(p_tenant uuid, p_customer uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT sms_preference_json(p.sms_opt_in, p.sms_phone, p.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN sms_preferences p ON p.tenant_id = p_tenant AND p.customer_id = p_customer
$$;

-- Change the preference from p_body {sms_opt_in, sms_phone?} (validated by the handler: an absent
-- sms_phone keeps the stored number, null clears it). p_actor is who and from where:
-- {source, portal_user_id?, staff_user_id?, api_key_id?, client_address?, user_agent?}. A real
-- change appends one consent record in this transaction; a PUT that changes nothing appends none.
CREATE OR REPLACE FUNCTION sms_preference_set(p_tenant uuid, p_customer uuid, p_body jsonb,
                                              p_actor jsonb)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_old sms_preferences;
  v_opt_in boolean := (p_body ->> 'sms_opt_in')::boolean;
  v_phone text;
  v_record_phone text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  INSERT INTO sms_preferences (tenant_id, customer_id) VALUES (p_tenant, p_customer)
    ON CONFLICT DO NOTHING;
  SELECT * INTO v_old FROM sms_preferences
   WHERE tenant_id = p_tenant AND customer_id = p_customer FOR UPDATE;
  v_phone := CASE WHEN p_body ? 'sms_phone' THEN p_body ->> 'sms_phone' ELSE v_old.sms_phone END;
  IF v_opt_in AND v_phone IS NULL THEN
    PERFORM cs_raise('422', 'phone_required',
                     'Give the mobile number the reminders should go to.', 'sms_phone');
  END IF;
  IF (v_opt_in, v_phone) IS DISTINCT FROM (v_old.sms_opt_in, v_old.sms_phone) THEN
    v_record_phone := coalesce(v_phone, v_old.sms_phone);
    UPDATE sms_preferences SET sms_opt_in = v_opt_in, sms_phone = v_phone, updated_at = now()
     WHERE tenant_id = p_tenant AND customer_id = p_customer
    RETURNING * INTO v_old;
    INSERT INTO sms_consents (tenant_id, customer_id, opt_in, phone, source, portal_user_id,
                              staff_user_id, api_key_id, client_address, user_agent)
    VALUES (p_tenant, p_customer, v_opt_in, v_record_phone,
            p_actor ->> 'source', (p_actor ->> 'portal_user_id')::uuid,
            (p_actor ->> 'staff_user_id')::uuid, (p_actor ->> 'api_key_id')::uuid,
            p_actor ->> 'client_address', left(p_actor ->> 'user_agent', 500));
  END IF;
  RETURN sms_preference_json(v_old.sms_opt_in, v_old.sms_phone, v_old.updated_at);
END $$;

-- A consent record as staff read it.
CREATE OR REPLACE FUNCTION sms_consent_json(r sms_consents) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id, 'created_at', instant(r.created_at), 'opt_in', r.opt_in, 'phone', r.phone,
    'source', r.source, 'portal_user_id', r.portal_user_id, 'staff_user_id', r.staff_user_id,
    'api_key_id', r.api_key_id, 'client_address', r.client_address, 'user_agent', r.user_agent)
$$;

CREATE OR REPLACE FUNCTION sms_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('curbside_sms', '');
  RETURN NULL;
END $$;

-- Wakes every SMS worker listening, at commit.
CREATE OR REPLACE TRIGGER sms_outbox_wake AFTER INSERT ON sms_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION sms_outbox_notify();

-- "<Hauler>: reminder, your <service> pickup at <address> is on <date>. Reply STOP to opt out."
-- The service and the address are left out when the request named neither.
CREATE OR REPLACE FUNCTION sms_reminder_text(p_hauler text, p_service text, p_address text,
                                             p_date date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_hauler || ': reminder, your ' || coalesce(p_service || ' ', '') || 'pickup'
         || coalesce(' at ' || p_address, '') || ' is on '
         || to_char(p_date, 'FMDay, FMMonth FMDD') || '. Reply STOP to opt out.'
$$;

CREATE OR REPLACE FUNCTION sms_reminder_json(o sms_outbox) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', o.id, 'status', o.status, 'to', o.to_phone, 'body', o.body,
    'service_date', o.service_date, 'location_id', o.location_id, 'service_id', o.service_id,
    'created_at', instant(o.created_at))
$$;

-- The location and service a reminder names (either may be NULL): each must be the customer's,
-- and a service must be at the location when both are named. Returns the service's description
-- and the address line.
CREATE OR REPLACE FUNCTION sms_reminder_subject(p_tenant uuid, p_customer uuid,
                                                INOUT p_location uuid,
                                                p_service uuid, OUT o_service text,
                                                OUT o_address text)
LANGUAGE plpgsql AS $$
BEGIN
  IF p_service IS NOT NULL THEN
    SELECT s.description, coalesce(p_location, s.location_id) INTO o_service, p_location
      FROM services s
     WHERE s.tenant_id = p_tenant AND s.customer_id = p_customer AND s.id = p_service
       AND (p_location IS NULL OR s.location_id = p_location);
    IF NOT FOUND THEN
      PERFORM cs_raise('422', 'invalid_reference',
                       'This customer has no service with this id at this location.',
                       'service_id');
    END IF;
  END IF;
  PERFORM location_must_belong(p_tenant, p_customer, p_location);
  SELECT address_line(l.address) INTO o_address
    FROM locations l WHERE l.tenant_id = p_tenant AND l.id = p_location;
END $$;

-- Queue a service reminder (p_body {service_date, location_id?, service_id?}, validated by the
-- handler) for an opted-in account. The preference row is locked, so an opt-out committing at the
-- same moment is either seen here (409) or sees this row (and the worker suppresses it). The same
-- reminder (customer, date, location, service) still queued or already sent is answered again
-- rather than texted twice, so a routing system may retry its request.
CREATE OR REPLACE FUNCTION sms_reminder_queue(p_tenant uuid, p_customer uuid, p_body jsonb,
                                              p_actor jsonb)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_pref sms_preferences;
  v_date date := (p_body ->> 'service_date')::date;
  v_location uuid := (p_body ->> 'location_id')::uuid;
  v_service uuid := (p_body ->> 'service_id')::uuid;
  v_service_text text;
  v_address text;
  v_row sms_outbox;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  SELECT * INTO v_pref FROM sms_preferences
   WHERE tenant_id = p_tenant AND customer_id = p_customer FOR UPDATE;
  IF NOT coalesce(v_pref.sms_opt_in, false) THEN
    PERFORM cs_raise('409', 'sms_not_opted_in',
                     'This customer has not opted in to text reminders.');
  END IF;
  IF v_date < tenant_today(p_tenant) THEN
    PERFORM cs_raise('422', 'date_in_past', 'The service date is in the past.', 'service_date');
  END IF;
  SELECT s.p_location, s.o_service, s.o_address INTO v_location, v_service_text, v_address
    FROM sms_reminder_subject(p_tenant, p_customer, v_location, v_service) s;
  SELECT * INTO v_row FROM sms_outbox o
   WHERE o.tenant_id = p_tenant AND o.customer_id = p_customer AND o.service_date = v_date
     AND o.location_id IS NOT DISTINCT FROM v_location
     AND o.service_id IS NOT DISTINCT FROM v_service
     AND o.to_phone = v_pref.sms_phone AND o.status IN ('queued', 'sent');
  IF NOT FOUND THEN
    INSERT INTO sms_outbox (tenant_id, customer_id, to_phone, body, service_date, location_id,
                            service_id, staff_user_id, api_key_id)
    SELECT p_tenant, p_customer, v_pref.sms_phone,
           sms_reminder_text(t.name, v_service_text, v_address, v_date), v_date, v_location,
           v_service, (p_actor ->> 'staff_user_id')::uuid, (p_actor ->> 'api_key_id')::uuid
      FROM tenants t WHERE t.id = p_tenant
    RETURNING * INTO v_row;
  END IF;
  RETURN sms_reminder_json(v_row);
END $$;

-- Claim up to p_limit due rows under a lease of p_lease_seconds (attempts + 1): a JSON array of
-- {id, attempt}, oldest first. Consent is not judged here but just before each send
-- (sms_outbox_prepare), so a batch's later rows are not judged on stale consent.
CREATE OR REPLACE FUNCTION sms_outbox_claim(p_limit integer, p_lease_seconds integer) RETURNS json
LANGUAGE sql AS $$
  WITH claimed AS (
    UPDATE sms_outbox o
       SET next_attempt_at = now() + make_interval(secs => p_lease_seconds),
           attempts = o.attempts + 1
     WHERE o.id IN (SELECT d.id FROM sms_outbox d
                     WHERE d.status = 'queued' AND d.next_attempt_at <= now()
                     ORDER BY d.next_attempt_at
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING o.id, o.attempts, o.created_at)
  SELECT coalesce(json_agg(json_build_object('id', c.id, 'attempt', c.attempts)
                           ORDER BY c.created_at, c.id), '[]'::json)
    FROM claimed c
$$;

-- Right before sending claimed row p_id (attempt p_attempt): the account must still be opted in
-- with the row's number. Then {to, body}; otherwise the row is marked suppressed and
-- {suppressed: reason} comes back (nothing is sent). NULL when the row is no longer this claim's.
CREATE OR REPLACE FUNCTION sms_outbox_prepare(p_id uuid, p_attempt integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_row sms_outbox;
  v_reason text;
BEGIN
  SELECT * INTO v_row FROM sms_outbox
   WHERE id = p_id AND attempts = p_attempt AND status = 'queued' FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT CASE WHEN NOT coalesce(p.sms_opt_in, false) THEN 'opted_out'
              WHEN p.sms_phone IS DISTINCT FROM v_row.to_phone THEN 'phone_changed' END
    INTO v_reason
    FROM (SELECT 1) one
    LEFT JOIN sms_preferences p
      ON p.tenant_id = v_row.tenant_id AND p.customer_id = v_row.customer_id;
  IF v_reason IS NOT NULL THEN
    UPDATE sms_outbox SET status = 'suppressed', suppressed_reason = v_reason,
                          finished_at = now()
     WHERE id = p_id;
    RETURN json_build_object('suppressed', v_reason);
  END IF;
  RETURN json_build_object('to', v_row.to_phone, 'body', v_row.body);
END $$;

-- The outcome of attempt p_attempt: sent (p_ref the gateway's message id), failed for now
-- (p_retry_seconds: due again then) or for good (p_retry_seconds NULL), or handed back untried
-- by a stopping worker (sms_outbox_release). False when the row is no longer this claim's.
CREATE OR REPLACE FUNCTION sms_outbox_mark_sent(p_id uuid, p_attempt integer,
                                                p_ref text) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE sms_outbox SET status = 'sent', finished_at = now(), provider_ref = left(p_ref, 100)
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;

CREATE OR REPLACE FUNCTION sms_outbox_mark_failed(p_id uuid, p_attempt integer, p_error text,
                                                  p_retry_seconds integer) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE sms_outbox
       SET last_error = left(p_error, 500),
           status = CASE WHEN p_retry_seconds IS NULL THEN 'failed' ELSE 'queued' END,
           finished_at = CASE WHEN p_retry_seconds IS NULL THEN now() END,
           next_attempt_at = now() + make_interval(secs => coalesce(p_retry_seconds, 0))
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;

CREATE OR REPLACE FUNCTION sms_outbox_release(p_id uuid, p_attempt integer) RETURNS boolean
LANGUAGE sql AS $$
  WITH done AS (
    UPDATE sms_outbox SET next_attempt_at = now(), attempts = attempts - 1
     WHERE id = p_id AND attempts = p_attempt AND status = 'queued'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM done)
$$;
