-- Service requests (issue 25): the hauler's catalog (request types with their terms, roll-off
-- sizes, the days it does not serve), the first possible date of each type in the hauler's time
-- zone, and the customer's requests with their history. `p_now` is the clock the server passes
-- (the real time, or the test clock of CURBSIDE_CLOCK_FILE), so dates never depend on the
-- database's own clock.

CREATE OR REPLACE TRIGGER service_requests_touch BEFORE UPDATE ON service_requests
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE OR REPLACE TRIGGER service_catalogs_touch BEFORE UPDATE ON service_catalogs
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The request types, in the order every list shows them, with the name a customer reads.
CREATE OR REPLACE FUNCTION service_request_kinds()
RETURNS TABLE (type text, ord integer, name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  VALUES ('roll_off_delivery', 1, 'Roll-off delivery'), ('extra_pickup', 2, 'Extra pickup'),
         ('missed_pickup', 3, 'Missed pickup'), ('vacation_hold', 4, 'Vacation hold'),
         ('roll_off_swap', 5, 'Roll-off swap'), ('roll_off_removal', 6, 'Roll-off removal')
$$;

CREATE OR REPLACE FUNCTION service_request_type_name(p_type text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT name FROM service_request_kinds() WHERE type = p_type
$$;

-- How long a vacation hold may last when the hauler has not said.
CREATE OR REPLACE FUNCTION service_hold_max_days(t service_request_types) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(t.max_days, 30)
$$;

-- Whether the hauler does not serve on day d: a closed weekday or a closed date.
CREATE OR REPLACE FUNCTION service_day_closed(c service_catalogs, d date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(to_char(d, 'FMday') = ANY (c.closed_weekdays) OR d = ANY (c.closed_dates),
                  false)
$$;

-- The first date a request of terms t may ask for, at local time p_local of the hauler: a
-- request after the cutoff counts as made the next day, one made on a closed day as made on the
-- next open day, and the lead time counts open days from there.
CREATE OR REPLACE FUNCTION service_first_date(c service_catalogs, t service_request_types,
                                              p_local timestamp)
RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  d date := p_local::date;
  n integer := t.lead_days;
BEGIN
  IF t.cutoff_time IS NOT NULL AND p_local::time >= t.cutoff_time THEN
    d := d + 1;
  END IF;
  WHILE service_day_closed(c, d) LOOP
    d := d + 1;
  END LOOP;
  WHILE n > 0 LOOP
    d := d + 1;
    IF NOT service_day_closed(c, d) THEN
      n := n - 1;
    END IF;
  END LOOP;
  RETURN d;
END $$;

-- The roll-off sizes of a tenant, in the hauler's order.
CREATE OR REPLACE FUNCTION roll_off_sizes_json(p_tenant uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object('code', s.code, 'name', s.name,
                                             'price_cents', s.price_cents,
                                             'rental_days', s.rental_days) ORDER BY s.position),
                  '[]'::json)
  FROM roll_off_sizes s WHERE s.tenant_id = p_tenant
$$;

-- One request type's terms as staff edit them: the members its kind takes.
CREATE OR REPLACE FUNCTION service_request_type_json(p_tenant uuid, p_type text,
                                                     t service_request_types)
RETURNS json LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_type = 'roll_off_delivery' THEN json_extend(base, 'sizes', roll_off_sizes_json(p_tenant))
    WHEN p_type = 'vacation_hold' THEN json_extend(base, 'max_days', to_json(service_hold_max_days(t)))
    WHEN p_type = 'missed_pickup' THEN base
    ELSE json_extend(base, 'price_cents', coalesce(to_json(t.price_cents), 'null'::json)) END
  FROM (SELECT json_build_object('enabled', coalesce(t.enabled, false),
                                 'lead_days', coalesce(t.lead_days, 1),
                                 'cutoff_time', to_char(t.cutoff_time, 'HH24:MI')) AS base) b
$$;

-- GET /v1/admin/service-catalog: the whole catalog, every type with its terms (defaults for a
-- type never saved).
CREATE OR REPLACE FUNCTION service_catalog_json(p_tenant uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'time_zone', tn.time_zone,
    'closed_weekdays', to_json(coalesce(c.closed_weekdays, '{}')),
    'closed_dates', to_json(coalesce(c.closed_dates, '{}')),
    'request_types', (SELECT json_object_agg(k.type, service_request_type_json(p_tenant, k.type, t)
                                             ORDER BY k.ord)
                      FROM service_request_kinds() k
                      LEFT JOIN service_request_types t
                        ON t.tenant_id = p_tenant AND t.type = k.type),
    'updated_at', instant(c.updated_at))
  FROM tenants tn LEFT JOIN service_catalogs c ON c.tenant_id = tn.id
  WHERE tn.id = p_tenant
$$;

-- Replace the roll-off sizes with the list `p_sizes` (validated for shape by the server).
CREATE OR REPLACE FUNCTION roll_off_sizes_replace(p_tenant uuid, p_sizes jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  s jsonb;
  i integer := 0;
BEGIN
  DELETE FROM roll_off_sizes WHERE tenant_id = p_tenant;
  FOR s IN SELECT value FROM jsonb_array_elements(p_sizes) LOOP
    IF EXISTS (SELECT 1 FROM roll_off_sizes WHERE tenant_id = p_tenant AND code = s->>'code') THEN
      PERFORM cs_raise('422', 'duplicate_size',
        format('Size %s is listed twice; list each size once.', s->>'code'),
        format('request_types.roll_off_delivery.sizes[%s].code', i));
    END IF;
    INSERT INTO roll_off_sizes (tenant_id, code, name, price_cents, rental_days, position)
    VALUES (p_tenant, s->>'code', s->>'name', (s->>'price_cents')::bigint,
            (s->>'rental_days')::integer, i);
    i := i + 1;
  END LOOP;
END $$;

-- Merge one type's patch `p` (JSON merge patch: absent keeps, null clears cutoff_time and
-- price_cents) into its row.
CREATE OR REPLACE FUNCTION service_request_type_patch(p_tenant uuid, p_type text, p jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO service_request_types (tenant_id, type) VALUES (p_tenant, p_type)
  ON CONFLICT (tenant_id, type) DO NOTHING;
  UPDATE service_request_types SET
    enabled = coalesce((p->>'enabled')::boolean, enabled),
    lead_days = coalesce((p->>'lead_days')::integer, lead_days),
    cutoff_time = CASE WHEN p ? 'cutoff_time' THEN (p->>'cutoff_time')::time ELSE cutoff_time END,
    price_cents = CASE WHEN p ? 'price_cents' THEN (p->>'price_cents')::bigint
                       ELSE price_cents END,
    max_days = coalesce((p->>'max_days')::integer, max_days)
  WHERE tenant_id = p_tenant AND type = p_type;
  IF p ? 'sizes' THEN
    PERFORM roll_off_sizes_replace(p_tenant, p->'sizes');
  END IF;
END $$;

-- An offered type must say what it costs: a priced type needs its price, a delivery its sizes.
CREATE OR REPLACE FUNCTION service_catalog_check(p_tenant uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t service_request_types;
BEGIN
  FOR t IN SELECT * FROM service_request_types
           WHERE tenant_id = p_tenant AND enabled ORDER BY type LOOP
    IF t.type IN ('extra_pickup', 'roll_off_swap', 'roll_off_removal')
       AND t.price_cents IS NULL THEN
      PERFORM cs_raise('422', 'price_required',
        format('Set a price for %s before offering it (0 for free).',
               lower(service_request_type_name(t.type))),
        format('request_types.%s.price_cents', t.type));
    END IF;
    IF t.type = 'roll_off_delivery'
       AND NOT EXISTS (SELECT 1 FROM roll_off_sizes WHERE tenant_id = p_tenant) THEN
      PERFORM cs_raise('422', 'sizes_required',
        'List at least one roll-off size before offering deliveries.',
        'request_types.roll_off_delivery.sizes');
    END IF;
  END LOOP;
END $$;

-- PATCH /v1/admin/service-catalog: merge `p` (validated for shape by the server) into the
-- tenant's catalog and answer the whole catalog. Arrays (closed weekdays and dates, sizes) are
-- replaced whole; weekdays are kept in week order, dates sorted without repeats.
CREATE OR REPLACE FUNCTION service_catalog_update(p_tenant uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k record;
BEGIN
  INSERT INTO service_catalogs AS c (tenant_id) VALUES (p_tenant)
  ON CONFLICT (tenant_id) DO UPDATE SET updated_at = now(); -- locks the catalog
  IF p ? 'closed_weekdays' THEN
    UPDATE service_catalogs SET closed_weekdays = ARRAY(
      SELECT w FROM unnest(ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
                                 'saturday', 'sunday']) WITH ORDINALITY AS x(w, n)
      WHERE w IN (SELECT jsonb_array_elements_text(p->'closed_weekdays')) ORDER BY n)
    WHERE tenant_id = p_tenant;
  END IF;
  IF p ? 'closed_dates' THEN
    UPDATE service_catalogs SET closed_dates = ARRAY(
      SELECT DISTINCT d::date FROM jsonb_array_elements_text(p->'closed_dates') d ORDER BY 1)
    WHERE tenant_id = p_tenant;
  END IF;
  FOR k IN SELECT key, value FROM jsonb_each(coalesce(p->'request_types', '{}'::jsonb)) LOOP
    PERFORM service_request_type_patch(p_tenant, k.key, k.value);
  END LOOP;
  PERFORM service_catalog_check(p_tenant);
  RETURN service_catalog_json(p_tenant)::text;
END $$;

-- What the portal shows of one offered type at local time p_local: its terms, price and first
-- possible date.
CREATE OR REPLACE FUNCTION portal_service_offer_json(c service_catalogs, t service_request_types,
                                                     p_local timestamp)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'type', t.type, 'name', service_request_type_name(t.type),
    'price_cents', CASE WHEN t.type = 'roll_off_delivery' THEN NULL
                        WHEN t.type IN ('missed_pickup', 'vacation_hold') THEN 0
                        ELSE t.price_cents END,
    'lead_days', t.lead_days, 'cutoff_time', to_char(t.cutoff_time, 'HH24:MI'),
    'first_date', service_first_date(c, t, p_local),
    'max_days', CASE WHEN t.type = 'vacation_hold' THEN service_hold_max_days(t) END,
    'sizes', CASE WHEN t.type = 'roll_off_delivery' THEN roll_off_sizes_json(t.tenant_id)
                  ELSE '[]'::json END)
$$;

-- GET /v1/portal/service-catalog at instant p_now: the hauler's today and closed days, and each
-- offered type.
CREATE OR REPLACE FUNCTION portal_service_catalog_json(p_tenant uuid, p_now timestamptz)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_zone text;
  v_local timestamp;
  c service_catalogs;
BEGIN
  SELECT time_zone INTO v_zone FROM tenants WHERE id = p_tenant;
  v_local := p_now AT TIME ZONE v_zone;
  SELECT * INTO c FROM service_catalogs WHERE tenant_id = p_tenant;
  RETURN json_build_object(
    'today', v_local::date, 'time_zone', v_zone,
    'closed_weekdays', to_json(coalesce(c.closed_weekdays, '{}')),
    'closed_dates', to_json(ARRAY(SELECT d FROM unnest(c.closed_dates) d
                                  WHERE d >= v_local::date ORDER BY d)),
    'items', coalesce((SELECT json_agg(portal_service_offer_json(c, t, v_local) ORDER BY k.ord)
                       FROM service_request_kinds() k
                       JOIN service_request_types t
                         ON t.tenant_id = p_tenant AND t.type = k.type AND t.enabled),
                      '[]'::json))::text;
END $$;

-- A request as its customer reads it in a list.
CREATE OR REPLACE FUNCTION portal_service_request_json(r service_requests) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id, 'number', r.number, 'type', r.type, 'name', service_request_type_name(r.type),
    'status', r.status, 'location', portal_location_of(r.tenant_id, r.location_id),
    'service_id', r.service_id, 'order_id', r.order_id, 'size', r.size_code,
    'size_name', r.size_name, 'rental_days', r.rental_days, 'date', r.requested_date,
    'end_date', r.end_date, 'price_cents', r.price_cents, 'note', r.note,
    'scheduled_date', r.scheduled_date, 'decline_reason', r.decline_reason,
    'created_at', instant(r.created_at), 'updated_at', instant(r.updated_at))
$$;

-- One request with its history: each status, when, and whether the customer or the hauler set it.
CREATE OR REPLACE FUNCTION portal_service_request_detail_json(r service_requests) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(portal_service_request_json(r), 'history',
    (SELECT json_agg(json_build_object(
              'status', e.status, 'at', instant(e.created_at),
              'by', CASE WHEN e.actor_kind = 'customer' THEN 'customer' ELSE 'hauler' END)
            ORDER BY e.created_at, e.id)
     FROM service_request_events e WHERE e.request_id = r.id))
$$;

-- Refuse date p_date for terms t unless the hauler can serve it: not before the first possible
-- date, not on a closed day (a hold may start on one), at most a year after the first date.
CREATE OR REPLACE FUNCTION service_request_check_date(c service_catalogs, t service_request_types,
                                                      p_local timestamp, p_date date)
RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_first date := service_first_date(c, t, p_local);
  v_first_text text := format('%s (%s)', v_first, to_char(v_first, 'FMDay'));
  v_notice text := format('%s requests need %s %s notice%s',
                          lower(service_request_type_name(t.type)), t.lead_days,
                          CASE WHEN t.lead_days = 1 THEN 'day''s' ELSE 'days''' END,
                          ', by ' || to_char(t.cutoff_time, 'FMHH12:MI AM'));
BEGIN
  IF p_date < v_first THEN
    PERFORM cs_raise('422', 'date_too_soon',
      format('The first possible date is %s: %s.', v_first_text, v_notice), 'date');
  END IF;
  IF t.type <> 'vacation_hold' AND service_day_closed(c, p_date) THEN
    PERFORM cs_raise('422', 'date_closed',
      format('There is no service on %s (%s); the first possible date is %s.', p_date,
             to_char(p_date, 'FMDay'), v_first_text), 'date');
  END IF;
  IF p_date > v_first + 365 THEN
    PERFORM cs_raise('422', 'date_too_far',
      format('Requests can ask for a date up to %s; the first possible date is %s.',
             v_first + 365, v_first_text), 'date');
  END IF;
END $$;

-- A vacation hold's end: on or after its start, and no longer than the hauler allows.
CREATE OR REPLACE FUNCTION service_request_check_hold(t service_request_types, p_from date,
                                                      p_to date)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_to < p_from THEN
    PERFORM cs_raise('422', 'end_before_start',
      format('The hold ends before it starts; end it on %s or later.', p_from), 'end_date');
  END IF;
  IF p_to - p_from + 1 > service_hold_max_days(t) THEN
    PERFORM cs_raise('422', 'hold_too_long',
      format('A vacation hold lasts at most %s days: end it by %s.', service_hold_max_days(t),
             p_from + service_hold_max_days(t) - 1), 'end_date');
  END IF;
END $$;

-- What the request is about must be the account's: the location (active), the routed service
-- at that location, or the delivered roll-off there. Raises 422 invalid_reference on the field.
CREATE OR REPLACE FUNCTION service_request_check_subject(p_tenant uuid, p_customer uuid, p jsonb)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM locations WHERE tenant_id = p_tenant AND customer_id = p_customer
                 AND id = (p->>'location_id')::uuid AND active) THEN
    PERFORM cs_raise('422', 'invalid_reference',
      'This account has no active service location with this id.', 'location_id');
  END IF;
  IF (p ? 'service_id' OR p->>'type' IN ('extra_pickup', 'missed_pickup')) AND NOT EXISTS (
       SELECT 1 FROM services WHERE tenant_id = p_tenant AND customer_id = p_customer
       AND location_id = (p->>'location_id')::uuid AND id = (p->>'service_id')::uuid
       AND active) THEN
    PERFORM cs_raise('422', 'invalid_reference',
      'This location has no active service with this id.', 'service_id');
  END IF;
  IF (p ? 'order_id' OR p->>'type' IN ('roll_off_swap', 'roll_off_removal')) AND NOT EXISTS (
       SELECT 1 FROM orders WHERE tenant_id = p_tenant AND customer_id = p_customer
       AND location_id = (p->>'location_id')::uuid AND id = (p->>'order_id')::uuid
       AND type = 'dumpster' AND status IN ('in_progress', 'completed')) THEN
    PERFORM cs_raise('422', 'invalid_reference',
      'This location has no delivered roll-off with this order id.', 'order_id');
  END IF;
END $$;

-- POST /v1/portal/service-requests: portal user p_user asks, for account p_customer, for what `p`
-- says (validated for shape by the server, per type), at instant p_now. Answers the 201 body and
-- stores it under the idempotency claim; 429 too_many_service_requests (Retry-After in the hint)
-- when the user already made p_per_hour requests in the last hour.
CREATE OR REPLACE FUNCTION portal_service_request_create(p_tenant uuid, p_customer uuid,
                                                         p_user uuid, p jsonb,
                                                         p_now timestamptz, p_per_hour integer,
                                                         p_claim uuid)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_type text := p->>'type';
  v_date date := (p->>'date')::date;
  v_local timestamp;
  v_wait integer;
  c service_catalogs;
  t service_request_types;
  s roll_off_sizes;
  r service_requests;
  body text;
BEGIN
  -- The user row lock serialises one user's requests, so the count below is exact.
  PERFORM 1 FROM portal_users WHERE tenant_id = p_tenant AND id = p_user FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no such portal account.');
  END IF;
  v_wait := hourly_retry_after(ARRAY(
    SELECT created_at FROM service_requests
    WHERE portal_user_id = p_user AND created_at > now() - interval '1 hour'
    ORDER BY created_at DESC LIMIT p_per_hour), p_per_hour);
  IF v_wait IS NOT NULL THEN
    PERFORM cs_raise('429', 'too_many_service_requests',
      format('You have made %s requests in the last hour. Try again in %s seconds.', p_per_hour,
             v_wait), v_wait::text);
  END IF;

  SELECT * INTO c FROM service_catalogs WHERE tenant_id = p_tenant;
  SELECT * INTO t FROM service_request_types
  WHERE tenant_id = p_tenant AND type = v_type AND enabled;
  IF t.type IS NULL THEN
    PERFORM cs_raise('422', 'request_type_not_offered',
      format('%s is not offered online; please contact us.', service_request_type_name(v_type)),
      'type');
  END IF;
  PERFORM service_request_check_subject(p_tenant, p_customer, p);
  IF v_type = 'roll_off_delivery' THEN
    SELECT * INTO s FROM roll_off_sizes WHERE tenant_id = p_tenant AND code = p->>'size';
    IF NOT FOUND THEN
      PERFORM cs_raise('422', 'invalid_value',
        format('Choose one of the sizes offered: %s.',
               (SELECT string_agg(code, ', ' ORDER BY position) FROM roll_off_sizes
                WHERE tenant_id = p_tenant)), 'size');
    END IF;
  END IF;
  SELECT p_now AT TIME ZONE time_zone INTO v_local FROM tenants WHERE id = p_tenant;
  PERFORM service_request_check_date(c, t, v_local, v_date);
  IF v_type = 'vacation_hold' THEN
    PERFORM service_request_check_hold(t, v_date, (p->>'end_date')::date);
  END IF;

  INSERT INTO service_requests AS x (tenant_id, customer_id, location_id, number, type,
                                     requested_date, end_date, service_id, order_id, size_code,
                                     size_name, rental_days, price_cents, note, portal_user_id,
                                     idempotency_claim)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid,
          'SR-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 8)), v_type,
          v_date, (p->>'end_date')::date, (p->>'service_id')::uuid, (p->>'order_id')::uuid,
          s.code, s.name, s.rental_days,
          CASE WHEN v_type = 'roll_off_delivery' THEN s.price_cents
               ELSE coalesce(t.price_cents, 0) END,
          p->>'note', p_user, p_claim)
  RETURNING * INTO r;
  INSERT INTO service_request_events (tenant_id, request_id, status, actor_kind, portal_user_id)
  VALUES (p_tenant, r.id, 'new', 'customer', p_user);
  body := portal_service_request_detail_json(r)::text;
  PERFORM idempotency_complete(p_claim, 201, body);
  RETURN body;
END $$;

-- POST /v1/portal/service-requests/{id}/cancel: the customer withdraws a request staff have not
-- acted on yet. 404 for another account's; 409 service_request_not_cancellable once it moved on.
CREATE OR REPLACE FUNCTION portal_service_request_cancel(p_tenant uuid, p_customer uuid,
                                                         p_user uuid, p_id uuid)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r service_requests;
BEGIN
  SELECT * INTO r FROM service_requests
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service request with this id.');
  END IF;
  IF r.status <> 'new' THEN
    PERFORM cs_raise('409', 'service_request_not_cancellable',
      format('Request %s is %s; only a new request can be cancelled. Please contact us to '
             'change it.', r.number, r.status));
  END IF;
  UPDATE service_requests SET status = 'cancelled' WHERE id = r.id
  RETURNING * INTO r;
  INSERT INTO service_request_events (tenant_id, request_id, status, actor_kind, portal_user_id)
  VALUES (p_tenant, r.id, 'cancelled', 'customer', p_user);
  RETURN portal_service_request_detail_json(r)::text;
END $$;
