-- Every back-office write, one function each: the C service validates the request's shape, then
-- one statement runs the whole change in one transaction and answers the resource as stored.
-- Rules that need the data (ownership, money) raise cs_raise() problems; unique keys and CHECKs are
-- named so the server maps them to problem codes too (api/db/constraint_errors.c).
--
-- Lock order, the same in every function so concurrent money changes cannot deadlock: a refunded
-- payment before its invoices, invoices (several in id order) before a credit; no function takes
-- them the other way round.

CREATE FUNCTION tenant_today(p_tenant uuid) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT (now() AT TIME ZONE time_zone)::date FROM tenants WHERE id = p_tenant
$$;

-- "Net 30" → 30 days after the invoice date; anything else ("Due on receipt") → the date itself.
CREATE FUNCTION terms_due_date(p_date date, p_terms text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_date + coalesce((substring(lower(coalesce(p_terms, '')) FROM 'net\s*(\d{1,3})'))::int, 0)
$$;

CREATE FUNCTION customer_must_exist(p_tenant uuid, p_customer uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM customers WHERE tenant_id = p_tenant AND id = p_customer;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
END $$;

-- A location named in a request body must be one of that customer's (NULL passes).
CREATE FUNCTION location_must_belong(p_tenant uuid, p_customer uuid, p_location uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_location IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM locations WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_location;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invalid_reference',
                     'This customer has no service location with this id.', 'location_id');
  END IF;
END $$;

-- Create a customer, or (when external_id names an existing one) bring it up to date: an
-- integrator may replay a sync. An unchanged replay changes nothing, not even updated_at.
CREATE FUNCTION customer_upsert(p_tenant uuid, p jsonb, OUT created boolean, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
BEGIN
  INSERT INTO customers AS c (tenant_id, account_number, external_id, name, kind, routing, phone,
                              billing_address, contacts)
  VALUES (p_tenant, p->>'account_number', p->>'external_id', p->>'name', p->>'kind',
          coalesce((p->>'routing')::boolean, false), p->>'phone',
          nullif(p->'billing_address', 'null'::jsonb),
          coalesce(nullif(p->'contacts', 'null'::jsonb), '[]'::jsonb))
  ON CONFLICT (tenant_id, external_id) DO UPDATE SET
    account_number = EXCLUDED.account_number,
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    routing = CASE WHEN p ? 'routing' THEN EXCLUDED.routing ELSE c.routing END,
    phone = CASE WHEN p ? 'phone' THEN EXCLUDED.phone ELSE c.phone END,
    billing_address = CASE WHEN p ? 'billing_address' THEN EXCLUDED.billing_address
                           ELSE c.billing_address END,
    contacts = CASE WHEN p ? 'contacts' THEN EXCLUDED.contacts ELSE c.contacts END
  WHERE (c.account_number, c.name, c.kind, c.routing, c.phone, c.billing_address, c.contacts)
        IS DISTINCT FROM
        (EXCLUDED.account_number, EXCLUDED.name, EXCLUDED.kind,
         CASE WHEN p ? 'routing' THEN EXCLUDED.routing ELSE c.routing END,
         CASE WHEN p ? 'phone' THEN EXCLUDED.phone ELSE c.phone END,
         CASE WHEN p ? 'billing_address' THEN EXCLUDED.billing_address ELSE c.billing_address END,
         CASE WHEN p ? 'contacts' THEN EXCLUDED.contacts ELSE c.contacts END)
  RETURNING c.id, (c.xmax = 0) INTO v_id, created;
  IF v_id IS NULL THEN
    -- The replay matched the stored customer exactly.
    SELECT c.id, false INTO v_id, created
    FROM customers c WHERE c.tenant_id = p_tenant AND c.external_id = p->>'external_id';
  END IF;
  SELECT customer_json(c)::text INTO body FROM customers c WHERE c.id = v_id;
END $$;

CREATE FUNCTION customer_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  UPDATE customers c SET
    account_number = coalesce(p->>'account_number', c.account_number),
    external_id = CASE WHEN p ? 'external_id' THEN p->>'external_id' ELSE c.external_id END,
    name = coalesce(p->>'name', c.name),
    kind = coalesce(p->>'kind', c.kind),
    routing = coalesce((p->>'routing')::boolean, c.routing),
    phone = CASE WHEN p ? 'phone' THEN p->>'phone' ELSE c.phone END,
    billing_address = CASE WHEN p ? 'billing_address'
                           THEN nullif(p->'billing_address', 'null'::jsonb)
                           ELSE c.billing_address END,
    contacts = CASE WHEN p ? 'contacts'
                    THEN coalesce(nullif(p->'contacts', 'null'::jsonb), '[]'::jsonb)
                    ELSE c.contacts END
  WHERE c.tenant_id = p_tenant AND c.id = p_id
  RETURNING customer_json(c)::text INTO body;
  IF body IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  RETURN body;
END $$;

CREATE FUNCTION location_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  INSERT INTO locations AS l (tenant_id, customer_id, name, address, active)
  VALUES (p_tenant, p_customer, p->>'name', p->'address', coalesce((p->>'active')::boolean, true))
  RETURNING location_json(l)::text INTO body;
  RETURN body;
END $$;

CREATE FUNCTION location_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  UPDATE locations l SET
    name = CASE WHEN p ? 'name' THEN p->>'name' ELSE l.name END,
    address = coalesce(nullif(p->'address', 'null'::jsonb), l.address),
    active = coalesce((p->>'active')::boolean, l.active)
  WHERE l.tenant_id = p_tenant AND l.id = p_id
  RETURNING location_json(l)::text INTO body;
  IF body IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service location with this id.');
  END IF;
  RETURN body;
END $$;

CREATE FUNCTION service_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  PERFORM location_must_belong(p_tenant, p_customer, (p->>'location_id')::uuid);
  INSERT INTO services AS s (tenant_id, customer_id, location_id, description, container_size,
                             frequency, service_day, rate_cents, active, start_date)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid, p->>'description',
          p->>'container_size', p->>'frequency', p->>'service_day',
          (p->>'rate_cents')::bigint, coalesce((p->>'active')::boolean, true),
          (p->>'start_date')::date)
  RETURNING service_json(s)::text INTO body;
  RETURN body;
END $$;

CREATE FUNCTION service_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
  body text;
BEGIN
  SELECT customer_id INTO v_customer FROM services WHERE tenant_id = p_tenant AND id = p_id;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no service with this id.');
  END IF;
  PERFORM location_must_belong(p_tenant, v_customer, (p->>'location_id')::uuid);
  UPDATE services s SET
    location_id = coalesce((p->>'location_id')::uuid, s.location_id),
    description = coalesce(p->>'description', s.description),
    container_size = CASE WHEN p ? 'container_size' THEN p->>'container_size'
                          ELSE s.container_size END,
    frequency = coalesce(p->>'frequency', s.frequency),
    service_day = CASE WHEN p ? 'service_day' THEN p->>'service_day' ELSE s.service_day END,
    rate_cents = coalesce((p->>'rate_cents')::bigint, s.rate_cents),
    active = coalesce((p->>'active')::boolean, s.active),
    start_date = CASE WHEN p ? 'start_date' THEN (p->>'start_date')::date ELSE s.start_date END
  WHERE s.tenant_id = p_tenant AND s.id = p_id
  RETURNING service_json(s)::text INTO body;
  RETURN body;
END $$;

CREATE FUNCTION order_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  PERFORM location_must_belong(p_tenant, p_customer, (p->>'location_id')::uuid);
  INSERT INTO orders AS o (tenant_id, customer_id, location_id, number, type, service_date,
                           service, status, asset_id, description, amount_cents)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid, p->>'number', p->>'type',
          (p->>'service_date')::date, p->>'service', coalesce(p->>'status', 'scheduled'),
          p->>'asset_id', p->>'description', coalesce((p->>'amount_cents')::bigint, 0))
  RETURNING order_json(o)::text INTO body;
  RETURN body;
END $$;

CREATE FUNCTION order_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
  body text;
BEGIN
  SELECT customer_id INTO v_customer FROM orders WHERE tenant_id = p_tenant AND id = p_id;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no order with this id.');
  END IF;
  PERFORM location_must_belong(p_tenant, v_customer, (p->>'location_id')::uuid);
  UPDATE orders o SET
    location_id = CASE WHEN p ? 'location_id' THEN (p->>'location_id')::uuid ELSE o.location_id END,
    number = coalesce(p->>'number', o.number),
    type = coalesce(p->>'type', o.type),
    service_date = coalesce((p->>'service_date')::date, o.service_date),
    service = coalesce(p->>'service', o.service),
    status = coalesce(p->>'status', o.status),
    asset_id = CASE WHEN p ? 'asset_id' THEN p->>'asset_id' ELSE o.asset_id END,
    description = CASE WHEN p ? 'description' THEN p->>'description' ELSE o.description END,
    amount_cents = coalesce((p->>'amount_cents')::bigint, o.amount_cents)
  WHERE o.tenant_id = p_tenant AND o.id = p_id
  RETURNING order_json(o)::text INTO body;
  RETURN body;
END $$;

-- Replace an unsent invoice's lines and recompute its total. The total is bounded by what the
-- API's money members carry (99,999,999,999 cents): 500 lines each within bounds could exceed it.
CREATE FUNCTION invoice_replace_lines(p_tenant uuid, p_invoice uuid, p_lines jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_total numeric;
BEGIN
  DELETE FROM invoice_lines WHERE invoice_id = p_invoice;
  INSERT INTO invoice_lines (tenant_id, invoice_id, position, description, service_date,
                             quantity, unit_price_cents)
  SELECT p_tenant, p_invoice, e.ord, e.v->>'description', (e.v->>'service_date')::date,
         coalesce((e.v->>'quantity')::numeric, 1), (e.v->>'unit_price_cents')::bigint
  FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e(v, ord);
  SELECT coalesce(sum(amount_cents), 0) INTO v_total FROM invoice_lines WHERE invoice_id = p_invoice;
  IF v_total > 99999999999 THEN
    PERFORM cs_raise('422', 'total_too_large',
                     'The lines add up to more than 99999999999 cents.', 'lines');
  END IF;
  -- A negative total fails invoices_amounts_non_negative (answered as negative_total).
  UPDATE invoices SET total_cents = v_total WHERE id = p_invoice;
END $$;

CREATE FUNCTION invoice_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_date date;
  v_id uuid;
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  PERFORM location_must_belong(p_tenant, p_customer, (p->>'location_id')::uuid);
  v_date := coalesce((p->>'invoice_date')::date, tenant_today(p_tenant));
  INSERT INTO invoices (tenant_id, customer_id, location_id, number, invoice_date, due_date,
                        terms, memo, status)
  VALUES (p_tenant, p_customer, (p->>'location_id')::uuid, p->>'number', v_date,
          coalesce((p->>'due_date')::date, terms_due_date(v_date, p->>'terms')),
          p->>'terms', p->>'memo', coalesce(p->>'status', 'draft'))
  RETURNING id INTO v_id;
  PERFORM invoice_replace_lines(p_tenant, v_id, p->'lines');
  SELECT invoice_json(i)::text INTO body FROM invoices i WHERE i.id = v_id;
  RETURN body;
END $$;

-- Only a draft or pending invoice changes freely; once sent, only its memo (void and reissue to
-- change the rest: the customer may already have read or paid it).
CREATE FUNCTION invoice_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  v_date date;
  body text;
BEGIN
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invoice with this id.');
  END IF;
  IF v.status NOT IN ('draft', 'pending') AND (p - 'memo') <> '{}'::jsonb THEN
    PERFORM cs_raise('409', 'invoice_not_editable',
      format('Invoice %s is %s: only its memo can change. Void it and issue a new one instead.',
             v.number, v.status));
  END IF;
  PERFORM location_must_belong(p_tenant, v.customer_id, (p->>'location_id')::uuid);
  v_date := coalesce((p->>'invoice_date')::date, v.invoice_date);
  UPDATE invoices i SET
    number = coalesce(p->>'number', i.number),
    location_id = CASE WHEN p ? 'location_id' THEN (p->>'location_id')::uuid ELSE i.location_id END,
    invoice_date = v_date,
    terms = CASE WHEN p ? 'terms' THEN p->>'terms' ELSE i.terms END,
    due_date = coalesce((p->>'due_date')::date,
                        CASE WHEN p ? 'terms' OR p ? 'invoice_date'
                             THEN terms_due_date(v_date, CASE WHEN p ? 'terms' THEN p->>'terms'
                                                              ELSE i.terms END)
                             ELSE i.due_date END),
    memo = CASE WHEN p ? 'memo' THEN p->>'memo' ELSE i.memo END,
    status = coalesce(p->>'status', i.status)
  WHERE i.id = p_id;
  IF p ? 'lines' THEN
    PERFORM invoice_replace_lines(p_tenant, p_id, p->'lines');
  END IF;
  SELECT invoice_json(i)::text INTO body FROM invoices i WHERE i.id = p_id;
  RETURN body;
END $$;

-- Post a draft or pending invoice: it becomes open (or paid, at zero) and shows in the portal.
-- Sending an invoice already sent changes nothing (the email is sent again by the mail outbox).
CREATE FUNCTION invoice_send(p_tenant uuid, p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  body text;
BEGIN
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invoice with this id.');
  END IF;
  IF v.status = 'void' THEN
    PERFORM cs_raise('409', 'invoice_void', format('Invoice %s is void; it cannot be sent.', v.number));
  END IF;
  IF v.status IN ('draft', 'pending') THEN
    UPDATE invoices SET status = 'open', sent_at = now() WHERE id = p_id;
  END IF;
  SELECT invoice_json(i)::text INTO body FROM invoices i WHERE i.id = p_id;
  RETURN body;
END $$;

-- Void an invoice. Payments must be refunded first (the money has to go somewhere); credits
-- applied to it are released back to their credits.
CREATE FUNCTION invoice_void(p_tenant uuid, p_id uuid, p_reason text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  body text;
BEGIN
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invoice with this id.');
  END IF;
  IF v.status = 'void' THEN
    PERFORM cs_raise('409', 'invoice_already_void', format('Invoice %s is already void.', v.number));
  END IF;
  IF v.paid_cents > 0 THEN
    PERFORM cs_raise('409', 'invoice_has_payments',
      format('Invoice %s has %s cents of payments applied; refund them before voiding it.',
             v.number, v.paid_cents));
  END IF;
  UPDATE credit_applications SET reversed_cents = amount_cents, reversed_at = now()
  WHERE invoice_id = p_id AND reversed_cents < amount_cents;
  UPDATE invoices SET status = 'void', voided_at = now(), void_reason = p_reason WHERE id = p_id;
  SELECT invoice_json(i)::text INTO body FROM invoices i WHERE i.id = p_id;
  RETURN body;
END $$;

CREATE FUNCTION credit_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM customer_must_exist(p_tenant, p_customer);
  INSERT INTO credits AS c (tenant_id, customer_id, credit_date, reason, amount_cents,
                            remaining_cents)
  VALUES (p_tenant, p_customer, coalesce((p->>'credit_date')::date, tenant_today(p_tenant)),
          p->>'reason', (p->>'amount_cents')::bigint, (p->>'amount_cents')::bigint)
  RETURNING credit_json(c)::text INTO body;
  RETURN body;
END $$;

-- An invoice must be open (sent, not settled, not void) to take money.
CREATE FUNCTION invoice_must_be_open(v invoices, p_field text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF v.status <> 'open' THEN
    PERFORM cs_raise('422', 'invoice_not_open',
      format('Invoice %s is %s; only open invoices take payments and credits.', v.number,
             CASE v.status WHEN 'draft' THEN 'not sent yet' WHEN 'pending' THEN 'pending'
                           WHEN 'paid' THEN 'already paid' ELSE 'void' END),
      p_field);
  END IF;
END $$;

-- Apply (part of) a credit to an open invoice of the same customer; by default as much as both
-- allow.
CREATE FUNCTION credit_apply(p_tenant uuid, p_credit uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
  v_inv invoices;
  v_credit credits;
  v_amount bigint;
  body text;
BEGIN
  SELECT customer_id INTO v_customer FROM credits WHERE tenant_id = p_tenant AND id = p_credit;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no credit with this id.');
  END IF;
  SELECT * INTO v_inv FROM invoices
  WHERE tenant_id = p_tenant AND customer_id = v_customer AND id = (p->>'invoice_id')::uuid
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invalid_reference',
                     'This credit''s customer has no invoice with this id.', 'invoice_id');
  END IF;
  SELECT * INTO v_credit FROM credits WHERE id = p_credit FOR UPDATE;
  PERFORM invoice_must_be_open(v_inv, 'invoice_id');
  IF v_credit.remaining_cents = 0 THEN
    PERFORM cs_raise('409', 'credit_exhausted', 'This credit has been used in full.');
  END IF;
  v_amount := coalesce((p->>'amount_cents')::bigint,
                       least(v_credit.remaining_cents, v_inv.balance_cents));
  IF v_amount > v_credit.remaining_cents THEN
    PERFORM cs_raise('422', 'amount_exceeds_credit',
      format('Only %s cents of this credit remain.', v_credit.remaining_cents), 'amount_cents');
  END IF;
  IF v_amount > v_inv.balance_cents THEN
    PERFORM cs_raise('422', 'amount_exceeds_balance',
      format('Invoice %s has a balance of %s cents.', v_inv.number, v_inv.balance_cents),
      'amount_cents');
  END IF;
  INSERT INTO credit_applications (tenant_id, customer_id, credit_id, invoice_id, amount_cents)
  VALUES (p_tenant, v_customer, p_credit, v_inv.id, v_amount);
  SELECT credit_json(c)::text INTO body FROM credits c WHERE c.id = p_credit;
  RETURN body;
END $$;

-- Apply a new payment to the invoices the request names.
CREATE FUNCTION payment_allocate_listed(p_tenant uuid, p_customer uuid, p_payment uuid,
                                        p_amount bigint, p_allocations jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e jsonb;
  i bigint;
  v_inv invoices;
  v_field text;
BEGIN
  IF (SELECT coalesce(sum((x->>'amount_cents')::bigint), 0)
      FROM jsonb_array_elements(p_allocations) x) > p_amount THEN
    PERFORM cs_raise('422', 'allocations_exceed_amount',
                     'The allocations add up to more than the payment.', 'allocations');
  END IF;
  PERFORM 1 FROM invoices
  WHERE tenant_id = p_tenant AND customer_id = p_customer
    AND id IN (SELECT (x->>'invoice_id')::uuid FROM jsonb_array_elements(p_allocations) x)
  ORDER BY id FOR UPDATE;
  FOR e, i IN SELECT value, ordinality - 1 FROM jsonb_array_elements(p_allocations) WITH ORDINALITY
  LOOP
    v_field := format('allocations[%s]', i);
    SELECT * INTO v_inv FROM invoices
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = (e->>'invoice_id')::uuid;
    IF NOT FOUND THEN
      PERFORM cs_raise('422', 'invalid_reference',
                       'This customer has no invoice with this id.', v_field || '.invoice_id');
    END IF;
    PERFORM invoice_must_be_open(v_inv, v_field || '.invoice_id');
    IF (e->>'amount_cents')::bigint > v_inv.balance_cents THEN
      PERFORM cs_raise('422', 'amount_exceeds_balance',
        format('Invoice %s has a balance of %s cents.', v_inv.number, v_inv.balance_cents),
        v_field || '.amount_cents');
    END IF;
    INSERT INTO payment_allocations (tenant_id, customer_id, payment_id, invoice_id, amount_cents)
    VALUES (p_tenant, p_customer, p_payment, v_inv.id, (e->>'amount_cents')::bigint);
  END LOOP;
END $$;

-- Apply a new payment to the customer's open invoices, oldest due first; what is left stays
-- unapplied on the payment.
CREATE FUNCTION payment_allocate_oldest_first(p_tenant uuid, p_customer uuid, p_payment uuid,
                                              p_amount bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_left bigint := p_amount;
  v_take bigint;
  v_inv invoices;
BEGIN
  PERFORM 1 FROM invoices
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'open'
  ORDER BY id FOR UPDATE;
  FOR v_inv IN SELECT * FROM invoices
               WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'open'
               ORDER BY due_date, invoice_date, number
  LOOP
    EXIT WHEN v_left = 0;
    v_take := least(v_left, v_inv.balance_cents);
    INSERT INTO payment_allocations (tenant_id, customer_id, payment_id, invoice_id, amount_cents)
    VALUES (p_tenant, p_customer, p_payment, v_inv.id, v_take);
    v_left := v_left - v_take;
  END LOOP;
END $$;

-- Store the answer of a money request under its idempotency key, in the caller's transaction.
CREATE FUNCTION idempotency_complete(p_key uuid, p_status integer, p_body text) RETURNS void
LANGUAGE sql AS $$
  UPDATE idempotency_keys SET response_status = p_status, response_body = p_body WHERE id = p_key
$$;

-- Record a payment received outside the portal (check, cash, other) and apply it: to the listed
-- invoices, or oldest due first when the request lists none.
CREATE FUNCTION payment_record(p_tenant uuid, p jsonb, p_idempotency uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid := (p->>'customer_id')::uuid;
  v_amount bigint := (p->>'amount_cents')::bigint;
  v_id uuid;
  body text;
BEGIN
  PERFORM 1 FROM customers WHERE tenant_id = p_tenant AND id = v_customer;
  IF NOT FOUND THEN
    PERFORM cs_raise('422', 'invalid_reference', 'There is no customer with this id.',
                     'customer_id');
  END IF;
  INSERT INTO payments (tenant_id, customer_id, payment_date, method, reference_number,
                        amount_cents, memo, source)
  VALUES (p_tenant, v_customer, coalesce((p->>'payment_date')::date, tenant_today(p_tenant)),
          p->>'method',
          coalesce(p->>'reference_number',
                   'P-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 10))),
          v_amount, p->>'memo', 'back_office')
  RETURNING id INTO v_id;
  IF p ? 'allocations' THEN
    PERFORM payment_allocate_listed(p_tenant, v_customer, v_id, v_amount, p->'allocations');
  ELSE
    PERFORM payment_allocate_oldest_first(p_tenant, v_customer, v_id, v_amount);
  END IF;
  SELECT payment_json(x)::text INTO body FROM payments x WHERE x.id = v_id;
  PERFORM idempotency_complete(p_idempotency, 201, body);
  RETURN body;
END $$;

-- Give back (part of) a payment: first its unapplied part, then its allocations, the invoice due
-- last first. Those invoices owe again (and reopen if they were paid).
CREATE FUNCTION payment_refund(p_tenant uuid, p_payment uuid, p jsonb, p_idempotency uuid)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_pay payments;
  v_amount bigint;
  v_left bigint;
  v_take bigint;
  v_refund uuid;
  a record;
  body text;
BEGIN
  SELECT * INTO v_pay FROM payments WHERE tenant_id = p_tenant AND id = p_payment FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no payment with this id.');
  END IF;
  IF v_pay.status <> 'succeeded' THEN
    PERFORM cs_raise('409', 'payment_not_refundable',
      format('Payment %s is %s; only a succeeded payment can be refunded.',
             v_pay.reference_number, v_pay.status));
  END IF;
  v_amount := coalesce((p->>'amount_cents')::bigint, v_pay.amount_cents - v_pay.refunded_cents);
  IF v_amount > v_pay.amount_cents - v_pay.refunded_cents THEN
    PERFORM cs_raise('422', 'amount_exceeds_refundable',
      format('At most %s cents of payment %s can be refunded.',
             v_pay.amount_cents - v_pay.refunded_cents, v_pay.reference_number),
      'amount_cents');
  END IF;
  INSERT INTO refunds (tenant_id, customer_id, payment_id, amount_cents, reason, refund_date)
  VALUES (p_tenant, v_pay.customer_id, p_payment, v_amount, p->>'reason', tenant_today(p_tenant))
  RETURNING id INTO v_refund;

  v_take := least(v_amount, v_pay.amount_cents - v_pay.allocated_cents - v_pay.refunded_cents);
  IF v_take > 0 THEN
    INSERT INTO refund_lines (refund_id, invoice_id, amount_cents) VALUES (v_refund, NULL, v_take);
  END IF;
  v_left := v_amount - v_take;

  PERFORM 1 FROM invoices
  WHERE id IN (SELECT invoice_id FROM payment_allocations
               WHERE payment_id = p_payment AND reversed_cents < amount_cents)
  ORDER BY id FOR UPDATE;
  FOR a IN SELECT pa.id, pa.invoice_id, pa.amount_cents - pa.reversed_cents AS net
           FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
           WHERE pa.payment_id = p_payment AND pa.reversed_cents < pa.amount_cents
           ORDER BY i.due_date DESC, i.number DESC
  LOOP
    EXIT WHEN v_left = 0;
    v_take := least(v_left, a.net);
    UPDATE payment_allocations SET reversed_cents = reversed_cents + v_take WHERE id = a.id;
    INSERT INTO refund_lines (refund_id, invoice_id, amount_cents) VALUES (v_refund, a.invoice_id, v_take);
    v_left := v_left - v_take;
  END LOOP;

  UPDATE payments SET refunded_cents = refunded_cents + v_amount,
    status = CASE WHEN refunded_cents + v_amount = amount_cents THEN 'refunded' ELSE status END
  WHERE id = p_payment;
  SELECT json_extend(refund_json(r), 'payment', payment_summary_json(x))::text
  INTO body FROM refunds r JOIN payments x ON x.id = r.payment_id WHERE r.id = v_refund;
  PERFORM idempotency_complete(p_idempotency, 201, body);
  RETURN body;
END $$;

-- Claim an Idempotency-Key for a request (Stripe's semantics). state: 'new' (run it; `id` is the
-- claim), 'replay' (answer status/body), 'reused' (same key, different request) or 'in_use' (the
-- first request is still running). A claim whose request died without committing is taken over
-- once its lease has passed.
CREATE FUNCTION idempotency_claim(p_tenant uuid, p_principal text, p_key text, p_hash text,
                                  p_lease_seconds integer,
                                  OUT state text, OUT id uuid, OUT status integer, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  k idempotency_keys;
BEGIN
  INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, leased_until)
  VALUES (p_tenant, p_principal, p_key, p_hash, now() + make_interval(secs => p_lease_seconds))
  ON CONFLICT (tenant_id, principal, key) DO NOTHING
  RETURNING idempotency_keys.id INTO id;
  IF id IS NOT NULL THEN
    state := 'new';
    RETURN;
  END IF;
  SELECT * INTO k FROM idempotency_keys x
  WHERE x.tenant_id = p_tenant AND x.principal = p_principal AND x.key = p_key FOR UPDATE;
  id := k.id;
  IF k.request_hash <> p_hash THEN
    state := 'reused';
  ELSIF k.response_status IS NOT NULL THEN
    state := 'replay';
    status := k.response_status;
    body := k.response_body;
  ELSIF k.leased_until > now() THEN
    state := 'in_use';
  ELSE
    UPDATE idempotency_keys x SET leased_until = now() + make_interval(secs => p_lease_seconds)
    WHERE x.id = k.id;
    state := 'new';
  END IF;
END $$;

-- Forget a claim whose request failed without moving money, so the client may correct and retry.
CREATE FUNCTION idempotency_release(p_key uuid) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM idempotency_keys WHERE id = p_key AND response_status IS NULL
$$;
