-- Webhooks (db/migrations/0045_webhooks.sql): endpoints as the API shows them, the fan-out of an
-- event to the endpoints that want it, and the worker's claim and record of each attempt. Every
-- rule that depends on the time takes the server's clock (api/core/clock.h) as p_now, so tests
-- move time instead of waiting.

-- An endpoint as the API shows it (never its secret). previous_secret_expires_at is when the
-- secret before the last rotation stopped (or stops) signing; NULL before any rotation.
CREATE OR REPLACE FUNCTION webhook_endpoint_json(e webhook_endpoints)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', e.id, 'url', e.url, 'event_types', to_json(e.event_types),
                           'description', e.description, 'enabled', e.enabled,
                           'disabled_reason', e.disabled_reason,
                           'disabled_at', instant(e.disabled_at),
                           'previous_secret_expires_at', instant(e.previous_secret_expires_at),
                           'created_at', instant(e.created_at), 'updated_at', instant(e.updated_at))
$$;

-- A delivery as the log shows it.
CREATE OR REPLACE FUNCTION webhook_delivery_json(d webhook_deliveries) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', d.id, 'endpoint_id', d.endpoint_id, 'event_id', d.event_id,
                           'event_type', d.event_type, 'object_id', d.object_id,
                           'status', d.status, 'attempt_count', d.attempts,
                           'next_attempt_at', instant(d.next_attempt_at),
                           'last_http_status', d.last_http_status, 'last_error', d.last_error,
                           'delivered_at', instant(d.delivered_at),
                           'created_at', instant(d.created_at), 'updated_at', instant(d.updated_at))
$$;

-- A delivery with every attempt at it, oldest first.
CREATE OR REPLACE FUNCTION webhook_delivery_detail_json(d webhook_deliveries) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT (webhook_delivery_json(d)::jsonb || jsonb_build_object('attempts', coalesce(
           (SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt,
                                                'attempted_at', instant(a.attempted_at),
                                                'http_status', a.http_status, 'error', a.error,
                                                'latency_ms', a.latency_ms,
                                                'response_excerpt', a.response_excerpt)
                             ORDER BY a.attempted_at, a.attempt)
              FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb)))::json
$$;

-- A new event: one delivery per enabled endpoint of its tenant that wants its type, in the event's
-- transaction, and a wake-up for the workers at commit.
CREATE OR REPLACE FUNCTION webhook_event_fanout() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_seq, event_type,
                                  object_id, next_attempt_at, give_up_at)
  SELECT NEW.tenant_id, e.id, NEW.id, NEW.seq, NEW.type, NEW.object_id, NEW.created_at,
         NEW.created_at + interval '3 days'
    FROM webhook_endpoints e
   WHERE e.tenant_id = NEW.tenant_id AND e.enabled
     AND ('*' = ANY (e.event_types) OR NEW.type = ANY (e.event_types));
  IF FOUND THEN
    PERFORM pg_notify('curbside_webhooks', '');
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER events_webhooks AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION webhook_event_fanout();

-- Claim up to p_limit due deliveries at p_now, each with a lease of p_lease_seconds (its
-- next_attempt_at moves forward, so another worker skips it, and one that dies mid-send leaves it
-- to be claimed again once the lease has passed). A delivery is never claimed while its endpoint
-- has an earlier (by event seq) delivery for the same object still pending, claimed or not: that
-- is the order per object. Answers a JSON array of {delivery_id, attempt, endpoint_id, url,
-- nonce, previous_nonce (hex; NULL outside a rotation's overlap), event_id, event_type, body}.
CREATE OR REPLACE FUNCTION webhook_claim(p_now timestamptz, p_lease_seconds integer,
                                         p_limit integer) RETURNS json
LANGUAGE sql AS $$
  WITH due AS (
    SELECT d.id FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= p_now AND e.enabled
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                        WHERE p.endpoint_id = d.endpoint_id AND p.object_id = d.object_id
                          AND p.status = 'pending' AND p.event_seq < d.event_seq)
     ORDER BY d.next_attempt_at, d.event_seq
     LIMIT p_limit
     FOR UPDATE OF d SKIP LOCKED),
  claimed AS (
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1,
           next_attempt_at = p_now + make_interval(secs => p_lease_seconds)
      FROM due WHERE d.id = due.id
    RETURNING d.*)
  SELECT coalesce(json_agg(json_build_object(
           'delivery_id', c.id, 'attempt', c.attempts, 'endpoint_id', c.endpoint_id,
           'url', e.url, 'nonce', encode(e.secret_nonce, 'hex'),
           'previous_nonce', CASE WHEN e.previous_secret_expires_at > p_now
                                  THEN encode(e.previous_secret_nonce, 'hex') END,
           'event_id', c.event_id, 'event_type', c.event_type,
           'body', event_json(ev)::text) ORDER BY c.event_seq), '[]'::json)
    FROM claimed c
    JOIN webhook_endpoints e ON e.id = c.endpoint_id
    JOIN events ev ON ev.id = c.event_id
$$;

-- The wait after failed attempt number p_attempt: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, then
-- every 12 h.
CREATE OR REPLACE FUNCTION webhook_backoff(p_attempt integer) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY[interval '1 minute', interval '5 minutes', interval '30 minutes',
                interval '2 hours', interval '5 hours', interval '10 hours',
                interval '12 hours'])[least(greatest(p_attempt, 1), 7)]
$$;

-- The endpoint failed at p_now: past 3 days of failing with no success, it is switched off and the
-- hauler's contact address hears of it (the outbox, in this transaction).
CREATE OR REPLACE FUNCTION webhook_endpoint_failed(p_endpoint uuid, p_now timestamptz,
                                                   p_error text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e webhook_endpoints;
  v_contact text;
BEGIN
  UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, p_now)
   WHERE id = p_endpoint RETURNING * INTO e;
  IF NOT FOUND OR NOT e.enabled OR p_now - e.failing_since < interval '3 days' THEN
    RETURN;
  END IF;
  UPDATE webhook_endpoints
     SET enabled = false, disabled_reason = 'failing', disabled_at = p_now, updated_at = now()
   WHERE id = p_endpoint;
  SELECT contact_email INTO v_contact FROM tenants WHERE id = e.tenant_id;
  IF v_contact IS NOT NULL THEN
    PERFORM outbox_enqueue(e.tenant_id, 'webhook_endpoint_disabled', v_contact,
      jsonb_strip_nulls(jsonb_build_object(
        'endpoint_url', e.url, 'endpoint_description', nullif(e.description, ''),
        'failing_since', e.failing_since, 'failure_message', left(p_error, 300))));
  END IF;
END $$;

-- Record attempt p_attempt of delivery p_delivery, made at p_now: the attempt's line in the log,
-- and, while the delivery is still this attempt's (its lease not taken over), its outcome: a
-- success delivers it; a failure retries after webhook_backoff, the last time at its give-up
-- instant, and fails it from then on. Answers 'ok', or 'stale' when another claim took it over.
CREATE OR REPLACE FUNCTION webhook_attempt_record(p_delivery uuid, p_attempt integer,
                                                  p_now timestamptz, p_success boolean,
                                                  p_http_status integer, p_error text,
                                                  p_latency_ms integer, p_excerpt text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d webhook_deliveries;
BEGIN
  -- An endpoint deleted while its delivery was in flight took the delivery with it.
  INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, error,
                                latency_ms, response_excerpt)
  SELECT p_delivery, p_attempt, p_now, p_http_status, left(p_error, 500), p_latency_ms,
         left(p_excerpt, 1024)
   WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = p_delivery);
  SELECT * INTO d FROM webhook_deliveries
   WHERE id = p_delivery AND attempts = p_attempt AND status = 'pending' FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'stale';
  END IF;
  IF p_success THEN
    UPDATE webhook_deliveries
       SET status = 'succeeded', next_attempt_at = NULL, delivered_at = p_now,
           last_http_status = p_http_status, last_error = NULL, updated_at = now()
     WHERE id = p_delivery;
    UPDATE webhook_endpoints SET failing_since = NULL WHERE id = d.endpoint_id;
    RETURN 'ok';
  END IF;
  UPDATE webhook_deliveries
     SET status = CASE WHEN p_now >= d.give_up_at THEN 'failed' ELSE 'pending' END,
         next_attempt_at = CASE WHEN p_now >= d.give_up_at THEN NULL
                                ELSE least(p_now + webhook_backoff(p_attempt), d.give_up_at) END,
         last_http_status = p_http_status, last_error = left(p_error, 500), updated_at = now()
   WHERE id = p_delivery;
  PERFORM webhook_endpoint_failed(d.endpoint_id, p_now,
                                  coalesce(p_error, 'HTTP status ' || p_http_status));
  RETURN 'ok';
END $$;

-- A stopping worker hands back a delivery it claimed but did not finish: due again at p_now, the
-- claim not counted.
CREATE OR REPLACE FUNCTION webhook_release(p_delivery uuid, p_attempt integer, p_now timestamptz)
RETURNS void LANGUAGE sql AS $$
  UPDATE webhook_deliveries SET next_attempt_at = p_now, attempts = attempts - 1
   WHERE id = p_delivery AND attempts = p_attempt AND status = 'pending'
$$;

-- POST .../deliveries/{id}/redeliver: due again at p_now with 3 more days of retries, whatever it
-- ended as. Answers the delivery, or no row when the tenant has no such delivery.
CREATE OR REPLACE FUNCTION webhook_redeliver(p_tenant uuid, p_endpoint uuid, p_delivery uuid,
                                             p_now timestamptz) RETURNS json
LANGUAGE sql AS $$
  WITH d AS (
    UPDATE webhook_deliveries
       SET status = 'pending', next_attempt_at = p_now, give_up_at = p_now + interval '3 days',
           updated_at = now()
     WHERE tenant_id = p_tenant AND endpoint_id = p_endpoint AND id = p_delivery
    RETURNING *),
  woken AS (SELECT pg_notify('curbside_webhooks', '') FROM d)
  SELECT webhook_delivery_json(d) FROM d, (SELECT count(*) FROM woken) w
$$;

-- Registering, changing, rotating and deleting an endpoint is an access change (who receives the
-- tenant's data, signed with which secret): audited in full, the secret nonces stripped
-- (db/functions/audit.sql; this file sorts after it).
SELECT audit_attach('webhook_endpoints', 'full');
