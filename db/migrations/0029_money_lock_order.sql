-- Money under concurrency (issue 17, items 1 and 3): one lock order for every function that
-- moves money, and payment_pending recomputed under the locks that make it true.
--
-- The lock order (docs/decisions.md, "Lock order for money"):
--   1. the customer row (money_lock_customer: FOR NO KEY UPDATE, which still lets other
--      transactions take the KEY SHARE lock of a foreign key to the customer);
--   2. the customer's invoices, in id order;
--   3. payments, in id order;
--   4. refunds;
--   5. credits;
--   6. payment methods;
--   7. the idempotency claim (only ever updated last, in the transaction that stores the answer).
-- A function takes a prefix of what it needs in that order and never waits for a lock of an
-- earlier rank while holding a later one. Taking the customer first serialises every money
-- change of one customer, so the locks after it can no longer form a cycle between two requests
-- of that customer. Two kinds of transaction take no customer lock because they never wait: the
-- workers' claims (portal_payments_due, payment_refunds_due, autopay_claim's customers) use
-- SKIP LOCKED, and the back office's invoice_create and credit_create insert new rows only.
--
-- Before this migration a portal payment with a saved method locked its invoices and then, for
-- the payment's foreign key, needed a KEY SHARE lock on the customer, while a payment saving a new
-- card held the customer (payment_method_add's FOR UPDATE) and waited for the same invoices:
-- 40P01. And two settlements of payments on one invoice, committing together, each computed
-- payment_pending from a snapshot in which the other was still pending, leaving the flag true
-- with nothing in flight (autopay then skipped the invoice for good).

-- Lock a customer row for a money change (rank 1): 404 when the tenant has no such customer.
CREATE FUNCTION money_lock_customer(p_tenant uuid, p_customer uuid) RETURNS customers
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = p_customer
  FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no customer with this id.');
  END IF;
  RETURN c;
END $$;

-- ---- Back office (0007, 0010) ---------------------------------------------------------------------

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

-- 0007's refund, in the lock order: the customer, the invoices the payment is applied to, then
-- the payment (0007 locked the payment before its invoices).
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

CREATE OR REPLACE FUNCTION credit_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  body text;
BEGIN
  PERFORM money_lock_customer(p_tenant, p_customer);
  INSERT INTO credits AS c (tenant_id, customer_id, credit_date, reason, amount_cents,
                            remaining_cents)
  VALUES (p_tenant, p_customer, coalesce((p->>'credit_date')::date, tenant_today(p_tenant)),
          p->>'reason', (p->>'amount_cents')::bigint, (p->>'amount_cents')::bigint)
  RETURNING credit_json(c)::text INTO body;
  RETURN body;
END $$;

-- 0007's credit application: the customer, the invoice, then the credit.
CREATE OR REPLACE FUNCTION credit_apply(p_tenant uuid, p_credit uuid, p jsonb) RETURNS text
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
  PERFORM money_lock_customer(p_tenant, v_customer);
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

-- The customer of an invoice, locked (rank 1) before the invoice is: 404 for no such invoice.
CREATE FUNCTION money_lock_invoice_customer(p_tenant uuid, p_invoice uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid;
BEGIN
  SELECT customer_id INTO v_customer FROM invoices WHERE tenant_id = p_tenant AND id = p_invoice;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no invoice with this id.');
  END IF;
  PERFORM money_lock_customer(p_tenant, v_customer);
END $$;

-- 0007's invoice update with its customer locked first (a sent invoice's status is money).
CREATE OR REPLACE FUNCTION invoice_update(p_tenant uuid, p_id uuid, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  v_date date;
  body text;
BEGIN
  PERFORM money_lock_invoice_customer(p_tenant, p_id);
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
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

-- 0010's send with its customer locked first: the pay link it inserts takes a KEY SHARE lock on
-- the customer, which must not come after the invoice's lock.
CREATE OR REPLACE FUNCTION invoice_send(p_tenant uuid, p_id uuid, p_token text DEFAULT NULL,
                                        p_token_hash text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  c customers;
  v_to text;
  body text;
BEGIN
  PERFORM money_lock_invoice_customer(p_tenant, p_id);
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
  IF v.status = 'void' THEN
    PERFORM cs_raise('409', 'invoice_void', format('Invoice %s is void; it cannot be sent.', v.number));
  END IF;
  IF v.status IN ('draft', 'pending') THEN
    UPDATE invoices SET status = 'open', sent_at = now() WHERE id = p_id;
  END IF;
  SELECT * INTO c FROM customers WHERE tenant_id = p_tenant AND id = v.customer_id;
  SELECT a.email INTO v_to FROM customer_email_address(c) a;
  IF v_to IS NOT NULL AND p_token IS NOT NULL THEN
    INSERT INTO portal_tokens (tenant_id, kind, token_hash, email, customer_id, invoice_id,
                               expires_at)
    VALUES (p_tenant, 'pay_link', p_token_hash, v_to, c.id, p_id, now() + interval '90 days');
    UPDATE invoices SET sent_to_email = v_to WHERE id = p_id RETURNING * INTO v;
    PERFORM outbox_enqueue(p_tenant, 'invoice_sent', v_to, json_build_object(
      'invoice_id', v.id, 'invoice_number', v.number, 'customer_name', c.name,
      'account_number', c.account_number, 'invoice_date', v.invoice_date,
      'due_date', v.due_date, 'total_cents', v.total_cents, 'balance_cents', v.balance_cents,
      'link_path', 'pay', 'token', p_token)::jsonb);
  END IF;
  SELECT invoice_json(i)::text INTO body FROM invoices i WHERE i.id = p_id;
  RETURN body;
END $$;

-- 0007's void: the customer, the invoice, then (through the applications' trigger) the credits.
CREATE OR REPLACE FUNCTION invoice_void(p_tenant uuid, p_id uuid, p_reason text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
  body text;
BEGIN
  PERFORM money_lock_invoice_customer(p_tenant, p_id);
  SELECT * INTO v FROM invoices WHERE tenant_id = p_tenant AND id = p_id FOR UPDATE;
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

-- ---- Portal payments (0018) -----------------------------------------------------------------------

-- 0018's reserve with the customer locked first, so a method saved on the way (which locks the
-- customer) and the payment's foreign key to the customer never come after the invoices' locks.
CREATE OR REPLACE FUNCTION portal_payment_reserve(p_tenant uuid, p_customer uuid, p_claim uuid,
                                                  p jsonb, p_processor text, p_new json)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_pay payments;
  v_ids uuid[];
  v_owed bigint;
  v_amount bigint;
  v_left bigint;
  v_take bigint;
  v_id uuid := gen_random_uuid();
  v_currency text;
  v_inv invoices;
  m record;
BEGIN
  PERFORM money_lock_customer(p_tenant, p_customer);
  SELECT * INTO v_pay FROM payments WHERE idempotency_claim = p_claim;
  IF FOUND THEN
    RETURN portal_payment_charge_json(v_pay)::text;
  END IF;
  IF p ? 'invoice_ids' THEN
    SELECT array_agg(x::uuid ORDER BY n) INTO v_ids
    FROM jsonb_array_elements_text(p->'invoice_ids') WITH ORDINALITY AS e(x, n);
  END IF;
  SELECT * INTO m FROM portal_payment_method(p_tenant, p_customer, (p->>'payment_method_id')::uuid,
                                             p_processor, p_new,
                                             coalesce((p->>'save')::boolean, true));
  PERFORM portal_payment_lock_invoices(p_tenant, p_customer, v_ids);
  PERFORM portal_payment_check_invoices(p_tenant, p_customer, v_ids);
  SELECT currency INTO v_currency FROM tenants WHERE id = p_tenant;
  SELECT coalesce(sum(balance_cents), 0) INTO v_owed FROM invoices
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'open'
    AND (v_ids IS NULL OR id = ANY (v_ids));
  IF v_owed = 0 THEN
    PERFORM cs_raise('422', 'nothing_to_pay',
                     'Your account has no open invoices to pay: nothing is owed right now.');
  END IF;
  v_amount := coalesce((p->>'amount_cents')::bigint, v_owed);
  IF v_amount > v_owed THEN
    PERFORM cs_raise('422', 'amount_exceeds_balance',
      format('%s %s owed%s; pay at most that.', money_text(v_owed, v_currency),
             CASE WHEN v_ids IS NULL THEN 'is' ELSE 'are' END,
             CASE WHEN v_ids IS NULL THEN ' on your account' ELSE ' on the chosen invoices' END),
      'amount_cents');
  END IF;

  INSERT INTO payments (id, tenant_id, customer_id, payment_date, method, reference_number,
                        amount_cents, status, source, payment_method_id, processor,
                        processor_method_ref, processor_key, currency, method_brand,
                        method_last4, idempotency_claim, next_check_at)
  VALUES (v_id, p_tenant, p_customer, tenant_today(p_tenant), m.type,
          'P-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 10)), v_amount,
          'pending', 'portal', m.id, p_processor, m.ref, 'payment-' || v_id, v_currency,
          m.brand, m.last4, p_claim,
          now() + interval '60 seconds')
  RETURNING * INTO v_pay;

  v_left := v_amount;
  FOR v_inv IN SELECT * FROM invoices
               WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'open'
                 AND (v_ids IS NULL OR id = ANY (v_ids))
               ORDER BY due_date, invoice_date, number, id
  LOOP
    EXIT WHEN v_left = 0;
    v_take := least(v_left, v_inv.balance_cents);
    INSERT INTO payment_allocations (tenant_id, customer_id, payment_id, invoice_id, amount_cents)
    VALUES (p_tenant, p_customer, v_id, v_inv.id, v_take);
    UPDATE invoices SET payment_pending = true WHERE id = v_inv.id;
    v_left := v_left - v_take;
  END LOOP;
  RETURN portal_payment_charge_json(v_pay)::text;
END $$;

-- Lock the invoices payment p_payment has money on, by id (rank 2).
-- (PL/pgSQL: PERFORM reads every row, so every invoice is locked.)
CREATE FUNCTION money_lock_payment_invoices(p_payment uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM invoices
  WHERE id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = p_payment)
  ORDER BY id FOR UPDATE;
END $$;

-- An invoice is payment_pending while a pending payment has money on it. Computed under the
-- invoices' row locks, by a statement that starts after they are held: every other settlement of
-- a payment on these invoices has then either committed (and is seen) or not yet taken the locks
-- (and will compute the flag again after this one commits). The callers hold the customer lock
-- too (rank 1), which already serialises them; the invoice locks keep this true on its own.
CREATE OR REPLACE FUNCTION portal_payment_refresh_pending(p_payment uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM money_lock_payment_invoices(p_payment);
  UPDATE invoices i SET payment_pending = EXISTS (
    SELECT 1 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
    WHERE a.invoice_id = i.id AND p.status = 'pending' AND a.reversed_cents < a.amount_cents)
  WHERE i.id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = p_payment);
END $$;

-- 0018's settlement in the lock order: the customer, the payment's invoices, then the payment
-- (0018 locked the payment first and its invoices only when it failed).
CREATE OR REPLACE FUNCTION portal_payment_settle(p_payment uuid, p_outcome jsonb,
                                                 OUT status integer, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  v payments;
  v_state text := p_outcome->>'status';
BEGIN
  SELECT * INTO v FROM payments WHERE id = p_payment;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no payment with this id.');
  END IF;
  PERFORM money_lock_customer(v.tenant_id, v.customer_id);
  PERFORM money_lock_payment_invoices(p_payment);
  SELECT * INTO v FROM payments WHERE id = p_payment FOR UPDATE;
  IF v.status = 'pending' AND v_state = 'succeeded' THEN
    UPDATE payments SET status = 'succeeded', next_check_at = NULL,
      processor_charge_ref = coalesce(p_outcome->>'charge_ref', processor_charge_ref)
    WHERE id = p_payment RETURNING * INTO v;
    PERFORM portal_payment_refresh_pending(p_payment);
    PERFORM portal_payment_mail(v, 'payment_receipt');
  ELSIF v.status = 'pending' AND v_state = 'pending' THEN
    UPDATE payments SET processor_charge_ref = coalesce(p_outcome->>'charge_ref', processor_charge_ref),
      next_check_at = now() + make_interval(secs => coalesce((p_outcome->>'recheck_seconds')::int, 60))
    WHERE id = p_payment RETURNING * INTO v;
  ELSIF v.status = 'pending' AND v_state = 'failed' THEN
    UPDATE payment_allocations SET reversed_cents = amount_cents
    WHERE payment_id = p_payment AND reversed_cents < amount_cents;
    UPDATE payments SET status = 'failed', next_check_at = NULL,
      processor_charge_ref = coalesce(p_outcome->>'charge_ref', processor_charge_ref),
      failure_code = left(coalesce(p_outcome->>'failure_code', 'payment_failed'), 64),
      failure_message = left(coalesce(p_outcome->>'failure_message',
                                      'The payment was declined.'), 500)
    WHERE id = p_payment RETURNING * INTO v;
    PERFORM portal_payment_refresh_pending(p_payment);
    IF v.method = 'bank_account' THEN
      PERFORM portal_payment_mail(v, 'payment_failed');
    END IF;
  END IF;
  SELECT a.status, a.body INTO status, body FROM portal_payment_answer(v) a;
  IF v.idempotency_claim IS NOT NULL THEN
    PERFORM idempotency_complete_once(v.idempotency_claim, status, body);
  END IF;
END $$;

-- 0018's processor refund reserve: the customer first (a resumed refund's lookup locks nothing).
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
    -- 0007's path (an unknown payment is its 404); it locks in the same order.
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

-- 0018's refund settlement: the customer, the payment, then the refund.
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

-- ---- Autopay (0021) -------------------------------------------------------------------------------

-- 0021's batch settlement in the lock order: the customers (id order), the invoices the payments
-- are applied to (id order), then the payments. payment_pending is computed by a statement that
-- starts once those locks are held, so it sees every other settlement of these invoices.
CREATE OR REPLACE FUNCTION autopay_settle(p_items jsonb) RETURNS integer
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET random_page_cost = 1.1 AS $$
DECLARE
  e jsonb;
  n integer;
BEGIN
  PERFORM 1 FROM customers c JOIN payments p ON p.tenant_id = c.tenant_id AND p.customer_id = c.id
  WHERE p.id IN (SELECT (x->>'payment_id')::uuid FROM jsonb_array_elements(p_items) x)
  ORDER BY c.id FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM invoices i
  WHERE i.id IN (SELECT a.invoice_id FROM payment_allocations a
                 WHERE a.payment_id IN (SELECT (x->>'payment_id')::uuid
                                        FROM jsonb_array_elements(p_items) x))
  ORDER BY i.id FOR UPDATE;

  WITH ok AS (
    SELECT (x->>'payment_id')::uuid AS id, x->'outcome'->>'charge_ref' AS charge_ref
    FROM jsonb_array_elements(p_items) x WHERE x->'outcome'->>'status' = 'succeeded'),
  settled AS (
    UPDATE payments p SET status = 'succeeded', next_check_at = NULL,
      processor_charge_ref = coalesce(ok.charge_ref, p.processor_charge_ref)
    FROM ok WHERE p.id = ok.id AND p.status = 'pending'
    RETURNING p.*),
  unflagged AS (
    UPDATE invoices i SET payment_pending = false
    FROM payment_allocations a
    WHERE a.payment_id IN (SELECT id FROM settled) AND i.id = a.invoice_id
      AND (SELECT count(*) FROM payment_allocations o JOIN payments q ON q.id = o.payment_id
           WHERE o.invoice_id = i.id AND q.status = 'pending'
             AND o.reversed_cents < o.amount_cents
             AND o.payment_id NOT IN (SELECT id FROM settled)) = 0),
  receipts AS (
    INSERT INTO outbox (tenant_id, template, to_address, payload)
    SELECT s.tenant_id, 'payment_receipt', a.email, portal_payment_mail_payload(s)
    FROM settled s JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id,
         customer_email_address(c) a
    WHERE a.email IS NOT NULL)
  SELECT count(*) INTO n FROM settled;

  FOR e IN SELECT * FROM jsonb_array_elements(p_items)
           WHERE value->'outcome'->>'status' <> 'succeeded' LOOP
    PERFORM portal_payment_settle((e->>'payment_id')::uuid, e->'outcome');
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- ---- Repair ---------------------------------------------------------------------------------------

-- Invoices left payment_pending with no pending payment on them (or the reverse) by the race
-- above: autopay skipped them and the portal showed a payment in flight that was not.
UPDATE invoices i SET payment_pending = x.pending
FROM (SELECT i2.id, EXISTS (
        SELECT 1 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
        WHERE a.invoice_id = i2.id AND p.status = 'pending'
          AND a.reversed_cents < a.amount_cents) AS pending
      FROM invoices i2) x
WHERE i.id = x.id AND i.payment_pending <> x.pending;
