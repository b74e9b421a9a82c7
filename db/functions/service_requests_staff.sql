-- Service requests worked by staff (issue 25, item 3): the queue, one request with its customer,
-- location and history (who: the portal user, the staff user or the API key), and the actions
-- accept, schedule, decline and complete. Each action locks the request row first, so two staff
-- pressing the same button serialise and the second sees the status the first left; accepting
-- creates the request's order once and, for a priced request, a line on a draft invoice (never
-- sent or charged here: the balance changes only when staff issue that invoice). Every status
-- change inserts one service_request_events row with its actor. Locks: the request, then the
-- money lock order (the customer, then its invoice).

-- Who moved a request: {kind, id, name, email} of the portal user, staff user or API key.
CREATE OR REPLACE FUNCTION service_request_actor_json(e service_request_events) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE e.actor_kind
    WHEN 'customer' THEN (SELECT json_build_object('kind', 'customer', 'id', u.id,
                                                   'name', u.full_name, 'email', u.email)
                          FROM portal_users u WHERE u.id = e.portal_user_id)
    WHEN 'staff' THEN (SELECT json_build_object('kind', 'staff', 'id', s.id, 'name', s.full_name,
                                                'email', s.email)
                       FROM staff_users s WHERE s.id = e.staff_user_id)
    ELSE (SELECT json_build_object('kind', 'api_key', 'id', k.id, 'name', k.name, 'email', NULL)
          FROM api_keys k WHERE k.id = e.api_key_id) END
$$;

-- A request as staff read it in the queue: with its customer and location.
CREATE OR REPLACE FUNCTION admin_service_request_json(r service_requests) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id, 'number', r.number, 'type', r.type, 'name', service_request_type_name(r.type),
    'status', r.status,
    'customer', (SELECT json_build_object('id', c.id, 'account_number', c.account_number,
                                          'name', c.name)
                 FROM customers c WHERE c.tenant_id = r.tenant_id AND c.id = r.customer_id),
    'location', portal_location_of(r.tenant_id, r.location_id),
    'service_id', r.service_id, 'order_id', r.order_id, 'size', r.size_code,
    'size_name', r.size_name, 'rental_days', r.rental_days, 'date', r.requested_date,
    'end_date', r.end_date, 'price_cents', r.price_cents, 'note', r.note,
    'scheduled_date', r.scheduled_date, 'decline_reason', r.decline_reason,
    'created_order_id', r.created_order_id,
    'created_at', instant(r.created_at), 'updated_at', instant(r.updated_at))
$$;

-- (json_extend of a NULL is NULL: the optional members are JSON nulls.)
-- One request for staff: the queue's item, the order accepting it created, the invoice line it
-- added, and every status with when and who.
CREATE OR REPLACE FUNCTION admin_service_request_detail_json(r service_requests) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(json_extend(admin_service_request_json(r),
    'created_order', coalesce((SELECT json_build_object('id', o.id, 'number', o.number,
                                                        'type', o.type, 'status', o.status,
                                                        'service_date', o.service_date)
                               FROM orders o WHERE o.tenant_id = r.tenant_id
                               AND o.id = r.created_order_id), 'null'::json)),
    'invoice', coalesce((SELECT json_build_object('id', i.id, 'number', i.number,
                                                  'status', i.status,
                                                  'line_amount_cents', l.amount_cents)
                         FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                         WHERE l.service_request_id = r.id ORDER BY l.id LIMIT 1), 'null'::json)),
    'history', (SELECT json_agg(json_build_object('status', e.status, 'at', instant(e.created_at),
                                                  'note', e.note,
                                                  'actor', service_request_actor_json(e))
                                ORDER BY e.created_at, e.id)
                FROM service_request_events e WHERE e.request_id = r.id))
$$;

-- The order an accepted request becomes: its type, what is done, its asset.
CREATE OR REPLACE FUNCTION service_request_order_of(r service_requests,
                                                     OUT o_type text, OUT o_service text,
                                                     OUT o_asset text)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN r.type IN ('extra_pickup', 'missed_pickup') THEN 'pickup'
              WHEN r.type = 'vacation_hold' THEN 'hold' ELSE 'dumpster' END,
         left(CASE r.type
           WHEN 'roll_off_delivery' THEN 'Roll-off delivery: ' || r.size_name
           WHEN 'extra_pickup' THEN 'Extra pickup: ' || s.description
           WHEN 'missed_pickup' THEN 'Missed pickup, return visit: ' || s.description
           WHEN 'vacation_hold' THEN format('Vacation hold from %s to %s', r.requested_date,
                                            r.end_date)
           ELSE service_request_type_name(r.type) || coalesce(': ' || o.service, '') END, 200),
         o.asset_id
  FROM (SELECT 1) x
  LEFT JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
  LEFT JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
$$;

-- `base`, or base-2, base-3 … when `taken` says the number is used (orders and invoices are
-- numbered per tenant, and the hauler's own numbers may be anything).
CREATE OR REPLACE FUNCTION service_request_free_number(p_tenant uuid, base text, p_table text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  n integer := 1;
  v text := base;
  taken boolean;
BEGIN
  LOOP
    IF p_table = 'orders' THEN
      taken := EXISTS (SELECT 1 FROM orders WHERE tenant_id = p_tenant AND number = v);
    ELSE
      taken := EXISTS (SELECT 1 FROM invoices WHERE tenant_id = p_tenant AND number = v);
    END IF;
    EXIT WHEN NOT taken;
    n := n + 1;
    v := base || '-' || n;
  END LOOP;
  RETURN v;
END $$;

-- Recompute a draft invoice's total from its lines, within what the API's money members carry.
CREATE OR REPLACE FUNCTION service_request_invoice_total(p_invoice uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_total numeric;
BEGIN
  SELECT coalesce(sum(amount_cents), 0) INTO v_total FROM invoice_lines
  WHERE invoice_id = p_invoice;
  IF v_total > 99999999999 THEN
    PERFORM cs_raise('409', 'invoice_total_too_large',
      'The draft invoice would add up to more than 99999999999 cents; issue it first.');
  END IF;
  UPDATE invoices SET total_cents = v_total WHERE id = p_invoice;
END $$;

-- A priced request's charge: one line on the customer's newest draft invoice for the request's
-- location (a new draft numbered after the request when there is none). Drafts never show in the
-- portal nor count in balances; staff issue it (POST /v1/admin/invoices/{id}/send).
CREATE OR REPLACE FUNCTION service_request_bill(r service_requests, p_today date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
BEGIN
  PERFORM money_lock_customer(r.tenant_id, r.customer_id);
  SELECT * INTO v FROM invoices
  WHERE tenant_id = r.tenant_id AND customer_id = r.customer_id AND status = 'draft'
  AND location_id IS NOT DISTINCT FROM r.location_id
  ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO invoices (tenant_id, customer_id, location_id, number, invoice_date, due_date,
                          memo, status)
    VALUES (r.tenant_id, r.customer_id, r.location_id,
            service_request_free_number(r.tenant_id, r.number, 'invoices'), p_today, p_today,
            format('Service request %s', r.number), 'draft')
    RETURNING * INTO v;
  END IF;
  INSERT INTO invoice_lines (tenant_id, invoice_id, position, description, service_date,
                             quantity, unit_price_cents, service_request_id)
  VALUES (r.tenant_id, v.id,
          coalesce((SELECT max(position) FROM invoice_lines WHERE invoice_id = v.id), 0) + 1,
          format('%s%s (request %s)', service_request_type_name(r.type),
                 coalesce(': ' || r.size_name, ''), r.number),
          coalesce(r.scheduled_date, r.requested_date), 1, r.price_cents, r.id);
  PERFORM service_request_invoice_total(v.id);
END $$;

-- A declined request's charge goes while its invoice is still a draft (with the draft, when it
-- was the request's alone); an issued invoice is left alone (staff credit or void it: it is money the customer was told about).
CREATE OR REPLACE FUNCTION service_request_unbill(r service_requests) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_invoice uuid;
BEGIN
  SELECT l.invoice_id INTO v_invoice FROM invoice_lines l WHERE l.service_request_id = r.id;
  IF v_invoice IS NULL THEN
    RETURN;
  END IF;
  PERFORM money_lock_customer(r.tenant_id, r.customer_id);
  PERFORM 1 FROM invoices WHERE id = v_invoice AND status = 'draft' FOR UPDATE;
  IF FOUND THEN
    DELETE FROM invoice_lines WHERE invoice_id = v_invoice AND service_request_id = r.id;
    -- An invoice has at least one line: a draft left with none was the one made for this
    -- request (never sent, so nothing refers to it) and goes with it.
    IF EXISTS (SELECT 1 FROM invoice_lines WHERE invoice_id = v_invoice) THEN
      PERFORM service_request_invoice_total(v_invoice);
    ELSE
      DELETE FROM invoices WHERE id = v_invoice;
    END IF;
  END IF;
END $$;

-- 409 unless the request's status is one of p_from: the current status is in the sentence.
CREATE OR REPLACE FUNCTION service_request_must_be(r service_requests, p_action text,
                                                  p_from text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF r.status <> ALL (p_from) THEN
    PERFORM cs_raise('409', 'service_request_status_conflict',
      format('Request %s is %s; only %s requests can be %s.', r.number, r.status,
             array_to_string(p_from, ' or '), p_action), r.status);
  END IF;
END $$;

-- POST /v1/admin/service-requests/{id}/{accept|schedule|decline|complete} by staff user or API
-- key p_actor (p_actor_kind 'staff' or 'api_key'), at instant p_now; `p` is the validated body
-- ({date} to schedule, {reason} to decline). Answers the request as staff read it.
CREATE OR REPLACE FUNCTION admin_service_request_act(p_tenant uuid, p_id uuid, p_action text,
                                                     p_actor_kind text, p_actor uuid, p jsonb,
                                                     p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r service_requests;
  v_today date;
  v_date date;
  v_order uuid;
  v_note text;
  o record;
BEGIN
  SELECT * INTO r FROM service_requests WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service request with this id.');
  END IF;
  SELECT (p_now AT TIME ZONE time_zone)::date INTO v_today FROM tenants WHERE id = p_tenant;

  IF p_action = 'accept' THEN
    PERFORM service_request_must_be(r, 'accepted', ARRAY['new']);
    SELECT * INTO o FROM service_request_order_of(r);
    INSERT INTO orders (tenant_id, customer_id, location_id, number, type, service_date,
                        service, status, asset_id, description, amount_cents, service_request_id)
    VALUES (p_tenant, r.customer_id, r.location_id,
            service_request_free_number(p_tenant, r.number, 'orders'), o.o_type,
            r.requested_date, o.o_service, 'pending', o.o_asset, nullif(r.note, ''), r.price_cents,
            r.id)
    RETURNING id INTO v_order;
    UPDATE service_requests SET status = 'accepted', created_order_id = v_order WHERE id = r.id
    RETURNING * INTO r;
    IF r.price_cents > 0 THEN
      PERFORM service_request_bill(r, v_today);
    END IF;
  ELSIF p_action = 'schedule' THEN
    PERFORM service_request_must_be(r, 'scheduled', ARRAY['accepted', 'scheduled']);
    v_date := (p->>'date')::date;
    IF v_date < v_today THEN
      PERFORM cs_raise('422', 'date_in_past',
        format('%s is in the past; schedule the request for %s or later.', v_date, v_today),
        'date');
    END IF;
    UPDATE service_requests SET status = 'scheduled', scheduled_date = v_date WHERE id = r.id
    RETURNING * INTO r;
    UPDATE orders SET service_date = v_date, status = 'scheduled'
    WHERE tenant_id = p_tenant AND id = r.created_order_id;
    v_note := v_date::text;
  ELSIF p_action = 'decline' THEN
    PERFORM service_request_must_be(r, 'declined', ARRAY['new', 'accepted']);
    v_note := p->>'reason';
    UPDATE service_requests SET status = 'declined', decline_reason = v_note WHERE id = r.id
    RETURNING * INTO r;
    UPDATE orders SET status = 'cancelled'
    WHERE tenant_id = p_tenant AND id = r.created_order_id;
    PERFORM service_request_unbill(r);
  ELSIF p_action = 'complete' THEN
    PERFORM service_request_must_be(r, 'completed', ARRAY['accepted', 'scheduled']);
    UPDATE service_requests SET status = 'completed' WHERE id = r.id RETURNING * INTO r;
    UPDATE orders SET status = 'completed'
    WHERE tenant_id = p_tenant AND id = r.created_order_id;
  ELSE
    PERFORM cs_raise('404', 'not_found', 'There is no such action.');
  END IF;

  -- The time of the act itself, not of its transaction: a request made and worked in one
  -- transaction (the demo seed) still lists its history in order.
  INSERT INTO service_request_events (tenant_id, request_id, status, actor_kind, staff_user_id,
                                      api_key_id, note, created_at)
  VALUES (p_tenant, r.id, r.status, p_actor_kind,
          CASE WHEN p_actor_kind = 'staff' THEN p_actor END,
          CASE WHEN p_actor_kind = 'api_key' THEN p_actor END, v_note, clock_timestamp());
  RETURN admin_service_request_detail_json(r)::text;
END $$;

-- The dashboard's open requests of account p_customer (item 5): how many are new, accepted or
-- scheduled, and the three most recent of them as the portal lists them.
CREATE OR REPLACE FUNCTION portal_open_service_requests_json(p_tenant uuid, p_customer uuid)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'count', (SELECT count(*) FROM service_requests r
              WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer
              AND r.status IN ('new', 'accepted', 'scheduled')),
    'recent', (SELECT coalesce(json_agg(portal_service_request_json(s.r)
                                        ORDER BY (s.r).created_at DESC, (s.r).id DESC),
                               '[]'::json)
               FROM (SELECT r FROM service_requests r
                     WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer
                     AND r.status IN ('new', 'accepted', 'scheduled')
                     ORDER BY r.created_at DESC, r.id DESC LIMIT 3) s))
$$;
