-- Back office payments and refunds (offline and through the processor), the allocation triggers
-- that keep invoices.paid_cents and payments.allocated_cents true, and the email sent about a
-- payment. Money changes take their locks in the money lock order (docs/decisions.md).

CREATE OR REPLACE FUNCTION payment_summary_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', p.id, 'customer_id', p.customer_id, 'payment_date', p.payment_date,
    'method', p.method, 'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'allocated_cents', p.allocated_cents, 'refunded_cents', p.refunded_cents,
    'unapplied_cents', p.amount_cents - p.allocated_cents - p.refunded_cents,
    'status', p.status, 'source', p.source, 'memo', p.memo,
    'created_at', instant(p.created_at), 'updated_at', instant(p.updated_at))
$$;

CREATE OR REPLACE FUNCTION refund_json(r refunds) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id, 'payment_id', r.payment_id, 'customer_id', r.customer_id,
    'amount_cents', r.amount_cents, 'reason', r.reason, 'refund_date', r.refund_date,
    'status', r.status, 'created_at', instant(r.created_at),
    'lines', coalesce((SELECT json_agg(json_build_object('invoice_id', l.invoice_id,
                                                         'amount_cents', l.amount_cents)
                                       ORDER BY l.invoice_id NULLS FIRST)
                       FROM refund_lines l WHERE l.refund_id = r.id), '[]'::json))
$$;

CREATE OR REPLACE FUNCTION payment_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(payment_summary_json(p),
    'allocations', coalesce((SELECT json_agg(json_build_object(
                      'invoice_id', a.invoice_id, 'invoice_number', i.number,
                      'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents)
                      ORDER BY i.due_date, i.number)
                    FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
                    WHERE a.payment_id = p.id), '[]'::json)),
    'refunds', coalesce((SELECT json_agg(refund_json(r) ORDER BY r.created_at, r.id)
                         FROM refunds r WHERE r.payment_id = p.id), '[]'::json))
$$;

-- Apply a new payment to the invoices the request names.
CREATE OR REPLACE FUNCTION payment_allocate_listed(p_tenant uuid, p_customer uuid, p_payment uuid,
                                                   p_amount bigint,
                                                   p_allocations jsonb) RETURNS void
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
CREATE OR REPLACE FUNCTION payment_allocate_oldest_first(p_tenant uuid, p_customer uuid,
                                                         p_payment uuid,
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

-- Record a payment received outside the portal (check, cash, other) and apply it: to the listed
-- invoices, or oldest due first when the request lists none. Locks the customer, then the
-- invoices.
CREATE OR REPLACE FUNCTION payment_record(p_tenant uuid, p jsonb, p_idempotency uuid) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid := (p->>'customer_id')::uuid;
  v_amount bigint := (p->>'amount_cents')::bigint;
  v_id uuid;
  body text;
BEGIN
  PERFORM 1 FROM customers WHERE tenant_id = p_tenant AND id = v_customer FOR NO KEY UPDATE;
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
-- last first. Those invoices owe again (and reopen if they were paid). Locks the customer, the
-- invoices the payment is applied to, then the payment.
CREATE OR REPLACE FUNCTION payment_refund(p_tenant uuid, p_payment uuid, p jsonb,
                                          p_idempotency uuid)
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
  SELECT * INTO v_pay FROM payments WHERE tenant_id = p_tenant AND id = p_payment;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no payment with this id.');
  END IF;
  PERFORM money_lock_customer(p_tenant, v_pay.customer_id);
  PERFORM 1 FROM invoices
  WHERE id IN (SELECT invoice_id FROM payment_allocations
               WHERE payment_id = p_payment AND reversed_cents < amount_cents)
  ORDER BY id FOR UPDATE;
  SELECT * INTO v_pay FROM payments WHERE id = p_payment FOR UPDATE;
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

-- What the processor needs to make a reserved refund.
CREATE OR REPLACE FUNCTION refund_processor_json(r refunds, p_charge_ref text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('refund_id', r.id, 'charge_ref', p_charge_ref,
                           'amount_cents', r.amount_cents, 'processor_key', r.processor_key)
$$;

-- kind 'done': an offline payment's refund, made and answered (body: the answer, as
-- payment_refund's); kind 'processor': a processor refund reserved (or this claim's, resumed),
-- body its refund_processor_json. The customer is locked first (a resumed refund's lookup locks
-- nothing).
CREATE OR REPLACE FUNCTION payment_refund_reserve(p_tenant uuid, p_payment uuid, p jsonb,
                                                  p_claim uuid, OUT kind text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  v_pay payments;
  v_refund uuid;
  r refunds;
BEGIN
  SELECT * INTO r FROM refunds WHERE idempotency_claim = p_claim;
  IF FOUND THEN
    SELECT 'processor', refund_processor_json(r, x.processor_charge_ref)::text INTO kind, body
    FROM payments x WHERE x.id = r.payment_id;
    RETURN;
  END IF;
  SELECT * INTO v_pay FROM payments WHERE tenant_id = p_tenant AND id = p_payment;
  IF NOT FOUND OR v_pay.processor_charge_ref IS NULL THEN
    -- payment_refund's path (an unknown payment is its 404); it locks in the same order.
    kind := 'done';
    body := payment_refund(p_tenant, p_payment, p, p_claim);
    RETURN;
  END IF;
  PERFORM money_lock_customer(p_tenant, v_pay.customer_id);
  v_refund := (payment_refund(p_tenant, p_payment, p, NULL)::json->>'id')::uuid;
  UPDATE refunds SET status = 'pending', idempotency_claim = p_claim,
    processor_key = 'refund-' || id, next_check_at = now() + interval '60 seconds'
  WHERE id = v_refund
  RETURNING * INTO r;
  kind := 'processor';
  body := refund_processor_json(r, v_pay.processor_charge_ref)::text;
END $$;

-- The answer of a refund request: 201 with the refund and its payment, or 422 refund_failed.
CREATE OR REPLACE FUNCTION refund_answer(r refunds, OUT status integer, OUT body text)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN r.status = 'failed' THEN 422 ELSE 201 END,
         CASE WHEN r.status = 'failed'
              THEN json_build_object(
                     'type', '/problems/refund_failed', 'title', 'Unprocessable Content',
                     'status', 422, 'code', 'refund_failed',
                     'detail', format('The payment processor refused the refund (%s). The %s '
                                      'stay on payment %s as unapplied money.',
                                      coalesce(r.failure_message, 'no reason given'),
                                      money_text(r.amount_cents, coalesce(x.currency, 'USD')),
                                      x.reference_number))::text
              ELSE json_extend(refund_json(r), 'payment', payment_summary_json(x))::text END
  FROM payments x WHERE x.id = r.payment_id
$$;

-- Record what the processor said about a pending refund: {status: succeeded | pending | failed,
-- refund_ref?, failure_message?}. Idempotent; the first answer is stored under the claim. Locks
-- the customer, the payment, then the refund.
CREATE OR REPLACE FUNCTION payment_refund_settle(p_refund uuid, p_outcome jsonb,
                                                 OUT status integer, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  r refunds;
  v_state text := p_outcome->>'status';
BEGIN
  SELECT * INTO r FROM refunds WHERE id = p_refund;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no refund with this id.');
  END IF;
  PERFORM money_lock_customer(r.tenant_id, r.customer_id);
  PERFORM 1 FROM payments WHERE id = r.payment_id FOR UPDATE;
  SELECT * INTO r FROM refunds WHERE id = p_refund FOR UPDATE;
  IF r.status = 'pending' AND v_state IN ('succeeded', 'pending') THEN
    UPDATE refunds SET status = v_state, processor_refund_ref = p_outcome->>'refund_ref',
      next_check_at = NULL
    WHERE id = p_refund RETURNING * INTO r;
  ELSIF r.status = 'pending' AND v_state = 'failed' THEN
    UPDATE refunds SET status = 'failed', processor_refund_ref = p_outcome->>'refund_ref',
      next_check_at = NULL,
      failure_message = left(coalesce(p_outcome->>'failure_message', 'The refund failed.'), 500)
    WHERE id = p_refund RETURNING * INTO r;
    UPDATE payments x SET refunded_cents = x.refunded_cents - r.amount_cents,
      status = CASE WHEN x.status = 'refunded' THEN 'succeeded' ELSE x.status END
    WHERE x.id = r.payment_id;
  END IF;
  SELECT a.status, a.body INTO status, body FROM refund_answer(r) a;
  IF r.idempotency_claim IS NOT NULL THEN
    PERFORM idempotency_complete_once(r.idempotency_claim, status, body);
  END IF;
END $$;

-- The payments worker: claim up to p_limit pending processor refunds whose request died before
-- knowing the outcome (the claim's lease has passed, or the claim is gone), pushing their next
-- look p_lease_seconds ahead. Each is refunded again with its own key (the processor replays).
CREATE OR REPLACE FUNCTION payment_refunds_due(p_limit integer,
                                               p_lease_seconds integer) RETURNS text
LANGUAGE sql AS $$
  WITH due AS (
    SELECT r.id FROM refunds r
    WHERE r.status = 'pending' AND r.next_check_at <= now() AND r.processor_key IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM idempotency_keys k
                      WHERE k.id = r.idempotency_claim AND k.leased_until > now())
    ORDER BY r.next_check_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE refunds r SET next_check_at = now() + make_interval(secs => p_lease_seconds)
    FROM due WHERE r.id = due.id
    RETURNING refund_processor_json(r, (SELECT processor_charge_ref FROM payments x
                                        WHERE x.id = r.payment_id)) AS doc)
  SELECT coalesce(json_agg(doc), '[]'::json)::text FROM claimed
$$;

-- A payment's email to every recipient of payment_mail_recipients: the payment's payload
-- (portal_payment_mail_payload) with p_extra, what happens next for the autopay emails.
CREATE OR REPLACE FUNCTION payment_mail(p payments, p_template text, p_extra jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_payload jsonb;
  v_to text;
BEGIN
  FOR v_to IN SELECT r FROM payment_mail_recipients(p) r ORDER BY 1 LOOP
    v_payload := coalesce(v_payload, portal_payment_mail_payload(p) || p_extra);
    PERFORM outbox_enqueue(p.tenant_id, p_template, v_to, v_payload);
  END LOOP;
END $$;

-- invoices.paid_cents and payments.allocated_cents follow their allocations once per statement:
-- a statement that allocates a whole autopay batch updates each of its invoices and payments in
-- two set-based statements, not two statements per allocation. The totals move by the net change
-- (amount - reversed) and an allocation never moves to another invoice or payment. A new
-- allocation of a pending payment also marks its invoice payment_pending in the same update, so
-- the invoice row is written once, not twice.
--
-- The updates run through EXECUTE so they are planned each time: a statement that reads only
-- transition tables has no parameters, so PL/pgSQL would keep the plan made at its first run for
-- the session's lifetime, and a plan made while `payments` was nearly empty (a sequential scan)
-- would be kept as the table grows. random_page_cost 1.1 keeps them on index lookups of the
-- few rows a statement touches (as autopay_claim does).
CREATE OR REPLACE FUNCTION payment_allocations_inserted() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  EXECUTE 'UPDATE invoices i SET paid_cents = i.paid_cents + d.delta,
                                  payment_pending = i.payment_pending OR d.pending
           FROM (SELECT n.invoice_id, sum(n.amount_cents - n.reversed_cents) AS delta,
                        bool_or(p.status = ''pending'' AND n.reversed_cents < n.amount_cents)
                          AS pending
                 FROM new_rows n JOIN payments p ON p.id = n.payment_id
                 GROUP BY n.invoice_id) d
           WHERE i.id = d.invoice_id AND (d.delta <> 0 OR (d.pending AND NOT i.payment_pending))';
  EXECUTE 'UPDATE payments p SET allocated_cents = p.allocated_cents + d.delta
           FROM (SELECT payment_id, sum(amount_cents - reversed_cents) AS delta
                 FROM new_rows GROUP BY payment_id) d
           WHERE p.id = d.payment_id AND d.delta <> 0';
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER payment_allocations_totals_inserted AFTER INSERT ON payment_allocations
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_allocations_inserted();

-- An update's change per allocation: the new net less the old one (an allocation keeps its id,
-- invoice and payment).
CREATE OR REPLACE FUNCTION payment_allocations_updated() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
             WHERE o.id IS NULL OR n.invoice_id <> o.invoice_id OR n.payment_id <> o.payment_id)
  THEN
    RAISE EXCEPTION 'an allocation cannot move to another invoice or payment';
  END IF;
  EXECUTE 'UPDATE invoices i SET paid_cents = i.paid_cents + d.delta
           FROM (SELECT n.invoice_id, sum((n.amount_cents - n.reversed_cents)
                                          - (o.amount_cents - o.reversed_cents)) AS delta
                 FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.invoice_id) d
           WHERE i.id = d.invoice_id AND d.delta <> 0';
  EXECUTE 'UPDATE payments p SET allocated_cents = p.allocated_cents + d.delta
           FROM (SELECT n.payment_id, sum((n.amount_cents - n.reversed_cents)
                                          - (o.amount_cents - o.reversed_cents)) AS delta
                 FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.payment_id) d
           WHERE p.id = d.payment_id AND d.delta <> 0';
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER payment_allocations_totals_updated AFTER UPDATE ON payment_allocations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_allocations_updated();

-- The addresses an email about payment p goes to, each once (emails are stored lower-cased): the
-- account's billing contact (customer_email_address) when it has one; the portal user who made a
-- portal payment, while linked to the account; every portal user linked to the account for an
-- autopay charge. Back-office payments send no email.
CREATE OR REPLACE FUNCTION payment_mail_recipients(p payments) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT a.email FROM customers c, customer_email_address(c) a
  WHERE c.tenant_id = p.tenant_id AND c.id = p.customer_id AND a.email IS NOT NULL
    AND p.source IN ('portal', 'autopay')
  UNION
  SELECT u.email FROM portal_user_accounts l
  JOIN portal_users u ON u.tenant_id = l.tenant_id AND u.id = l.user_id
  WHERE l.tenant_id = p.tenant_id AND l.customer_id = p.customer_id
    AND ((p.source = 'portal' AND l.user_id = p.portal_user_id) OR p.source = 'autopay')
$$;
