-- Paying from the portal (API.md rule 17): POST /v1/portal/payments with a saved method or a
-- processor token, for the whole balance, chosen invoices or a partial amount.
--
-- Money flow, with no database connection held while the processor works:
--   1. portal_payment_reserve (one transaction): lock the target invoices (id order, the lock
--      order of 0007), plan the allocations oldest due first, insert a PENDING payment and its
--      allocations (the triggers of 0005 raise paid_cents; a fully covered invoice is 'paid') and
--      mark the invoices payment_pending. A concurrent payment for the same invoices waits on the
--      row locks and then finds them covered: nothing is ever paid twice.
--   2. the processor charges with the key 'payment-' || payment id (it replays, never charges
--      twice, for the same key);
--   3. portal_payment_settle (one transaction): succeeded, still pending (ACH) or failed
--      (allocations reversed), and the HTTP answer stored under the request's idempotency claim.
-- A request that dies between 1 and 3 leaves a pending payment under its claim: a retry with the
-- same key finds it (portal_payment_reserve resumes it) and the payments worker finishes an
-- abandoned one once the claim's lease has passed (portal_payments_due).

-- An invoice some payment in flight covers (a bank payment for days, a card one for a moment).
ALTER TABLE invoices ADD COLUMN payment_pending boolean NOT NULL DEFAULT false;

ALTER TABLE payments
  ADD COLUMN payment_method_id uuid,
  ADD COLUMN processor text,
  ADD COLUMN processor_method_ref text,
  ADD COLUMN processor_key text,
  ADD COLUMN processor_charge_ref text,
  ADD COLUMN currency text,
  ADD COLUMN method_brand text,
  ADD COLUMN method_last4 text,
  ADD COLUMN failure_code text,
  ADD COLUMN failure_message text,
  -- The Idempotency-Key claim of the request that made it (no foreign key: claims are purged).
  ADD COLUMN idempotency_claim uuid,
  -- When the payments worker should look at this pending payment next.
  ADD COLUMN next_check_at timestamptz,
  ADD CONSTRAINT payments_method_fkey FOREIGN KEY (tenant_id, customer_id, payment_method_id)
    REFERENCES payment_methods (tenant_id, customer_id, id),
  ADD CONSTRAINT payments_processor_key_length CHECK (char_length(processor_key) <= 100),
  ADD CONSTRAINT payments_failure_lengths CHECK
    (char_length(failure_code) <= 64 AND char_length(failure_message) <= 500),
  -- Money that moves through a processor names it, its method and its key.
  ADD CONSTRAINT payments_processor_shape CHECK
    (source = 'back_office' OR
     (processor IS NOT NULL AND processor_method_ref IS NOT NULL AND processor_key IS NOT NULL));

CREATE UNIQUE INDEX payments_claim_key ON payments (idempotency_claim)
  WHERE idempotency_claim IS NOT NULL;
CREATE INDEX payments_due_check_idx ON payments (next_check_at)
  WHERE status = 'pending' AND next_check_at IS NOT NULL;

-- The payment emails (api/mail/templates/payment_receipt.*, payment_failed.*).
ALTER TABLE outbox DROP CONSTRAINT outbox_template_valid,
  ADD CONSTRAINT outbox_template_valid CHECK (template IN ('create_password', 'invitation',
    'email_verification', 'password_reset', 'password_reset_google', 'invoice_sent',
    'payment_receipt', 'payment_failed'));

-- The portal invoice summary of 0014 with `payment_pending`.
CREATE OR REPLACE FUNCTION portal_invoice_summary_json(i invoices, l locations, p_today date)
RETURNS json LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', i.id, 'number', i.number, 'invoice_date', i.invoice_date, 'due_date', i.due_date,
    'status', i.status, 'pending', i.status = 'pending',
    'past_due', i.status = 'open' AND i.due_date < p_today,
    'days_past_due', CASE WHEN i.status = 'open' AND i.due_date < p_today
                          THEN p_today - i.due_date ELSE 0 END,
    'payable', i.status = 'open',
    'payment_pending', i.payment_pending,
    'terms', i.terms,
    'location', CASE WHEN l.id IS NULL THEN NULL ELSE portal_location_json(l) END,
    'total_cents', i.total_cents, 'paid_cents', i.paid_cents,
    'credited_cents', i.credited_cents, 'balance_cents', i.balance_cents)
$$;

-- The portal payment summary of 0014 with the method's brand and last four digits and, for a
-- failed payment, why.
CREATE OR REPLACE FUNCTION portal_payment_summary_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', p.id, 'payment_date', p.payment_date, 'status', p.status, 'method', p.method,
    'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'applied_cents', p.allocated_cents, 'refunded_cents', p.refunded_cents,
    'unapplied_cents', p.amount_cents - p.allocated_cents - p.refunded_cents,
    'method_brand', p.method_brand, 'method_last4', p.method_last4,
    'failure_code', p.failure_code, 'failure_message', p.failure_message)
$$;

-- Cents as the customer reads them in a sentence: "USD 1,234.56".
CREATE FUNCTION money_text(p_cents bigint, p_currency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_currency || ' ' || to_char(p_cents / 100.0, 'FM999,999,999,990.00')
$$;

-- End a claim's lease now without forgetting it: the request's payment stays pending under it
-- with an unknown outcome, and a retry with the same key takes the claim over at once (resuming
-- the payment) instead of waiting for the lease.
CREATE FUNCTION idempotency_yield(p_key uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE idempotency_keys SET leased_until = now() WHERE id = p_key AND response_status IS NULL
$$;

-- Store an answer under a claim that has none yet (a later settlement never rewrites it).
CREATE FUNCTION idempotency_complete_once(p_key uuid, p_status integer, p_body text)
RETURNS void LANGUAGE sql AS $$
  UPDATE idempotency_keys SET response_status = p_status, response_body = p_body
  WHERE id = p_key AND response_status IS NULL
$$;

-- What the processor needs to charge a reserved payment.
CREATE FUNCTION portal_payment_charge_json(p payments) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('payment_id', p.id, 'amount_cents', p.amount_cents,
                           'currency', p.currency, 'method_ref', p.processor_method_ref,
                           'processor_key', p.processor_key,
                           'charge_ref', p.processor_charge_ref, 'status', p.status)
$$;

-- Lock the invoices a payment plans to pay, in id order (0007's lock order): the chosen ones, or
-- every open invoice of the customer.
CREATE FUNCTION portal_payment_lock_invoices(p_tenant uuid, p_customer uuid, p_ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_ids IS NULL THEN
    PERFORM 1 FROM invoices
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'open'
    ORDER BY id FOR UPDATE;
  ELSE
    PERFORM 1 FROM invoices
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = ANY (p_ids)
    ORDER BY id FOR UPDATE;
  END IF;
END $$;

-- Every chosen invoice must be the customer's (another's, or an unknown id, reads the same) and
-- open; the first that is not is named by its place in the request.
CREATE FUNCTION portal_payment_check_invoices(p_tenant uuid, p_customer uuid, p_ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v invoices;
BEGIN
  FOR n IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    SELECT * INTO v FROM invoices
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = p_ids[n];
    IF NOT FOUND THEN
      PERFORM cs_raise('422', 'invalid_reference',
                       'Your account has no invoice with this id.', format('invoice_ids[%s]', n - 1));
    END IF;
    IF v.status <> 'open' THEN
      PERFORM cs_raise('422', 'invoice_not_payable',
        format('Invoice %s is %s; only open invoices can be paid.', v.number,
               CASE v.status WHEN 'draft' THEN 'not sent yet' WHEN 'pending' THEN 'pending'
                             WHEN 'paid' THEN 'already paid' ELSE 'void' END),
        format('invoice_ids[%s]', n - 1));
    END IF;
  END LOOP;
END $$;

-- The method a payment charges: a live saved method of the customer, or (p_new, from a token)
-- the one the processor just made, saved first when p_save. Answers the method's columns.
CREATE FUNCTION portal_payment_method(p_tenant uuid, p_customer uuid, p_method_id uuid,
                                      p_processor text, p_new json, p_save boolean,
                                      OUT id uuid, OUT ref text, OUT type text, OUT brand text,
                                      OUT last4 text)
LANGUAGE plpgsql AS $$
DECLARE
  m payment_methods;
  saved json;
BEGIN
  IF p_method_id IS NOT NULL THEN
    SELECT * INTO m FROM payment_methods x
    WHERE x.tenant_id = p_tenant AND x.customer_id = p_customer AND x.id = p_method_id
      AND x.removed_at IS NULL AND x.processor = p_processor;
    IF NOT FOUND THEN
      PERFORM cs_raise('422', 'invalid_reference',
                       'Your account has no saved payment method with this id.',
                       'payment_method_id');
    END IF;
    SELECT m.id, m.processor_ref, m.type, m.brand, m.last4 INTO id, ref, type, brand, last4;
    RETURN;
  END IF;
  IF p_save THEN
    saved := payment_method_add(p_tenant, p_customer, p_processor, p_new, false);
    id := (saved->>'id')::uuid;
  END IF;
  ref := p_new->>'processor_ref';
  type := p_new->>'type';
  brand := nullif(p_new->>'brand', '');
  last4 := p_new->>'last4';
END $$;

-- Transaction A: plan and reserve a portal payment. p: {payment_method_id?, invoice_ids?,
-- amount_cents?, save?}; p_new the processor's description of a token's method (NULL with a saved
-- method). A pending payment already made under this claim (the request is a retry after a
-- failure or a crash) is resumed instead. Answers portal_payment_charge_json.
CREATE FUNCTION portal_payment_reserve(p_tenant uuid, p_customer uuid, p_claim uuid, p jsonb,
                                       p_processor text, p_new json) RETURNS text
LANGUAGE plpgsql AS $$
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
  SELECT * INTO v_pay FROM payments WHERE idempotency_claim = p_claim;
  IF FOUND THEN
    RETURN portal_payment_charge_json(v_pay)::text;
  END IF;
  IF p ? 'invoice_ids' THEN
    SELECT array_agg(x::uuid ORDER BY n) INTO v_ids
    FROM jsonb_array_elements_text(p->'invoice_ids') WITH ORDINALITY AS e(x, n);
  END IF;
  -- The method first: it may lock the customer (payment_method_add), which comes before its
  -- invoices.
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
          -- The payments worker looks at it once the request's claim could have lapsed.
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

-- An invoice is payment_pending while a pending payment has money on it.
CREATE FUNCTION portal_payment_refresh_pending(p_payment uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE invoices i SET payment_pending = EXISTS (
    SELECT 1 FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
    WHERE a.invoice_id = i.id AND p.status = 'pending' AND a.reversed_cents < a.amount_cents)
  WHERE i.id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = p_payment)
$$;

-- The email payload of a payment (receipt or failure).
CREATE FUNCTION portal_payment_mail_payload(p payments) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'payment_id', p.id, 'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'payment_date', p.payment_date, 'customer_name', c.name, 'account_number', c.account_number,
    'method_label', CASE WHEN p.method = 'card'
                         THEN initcap(coalesce(p.method_brand, 'card')) || ' ending in ' || p.method_last4
                         ELSE 'Bank account ending in ' || p.method_last4 END,
    'invoices', (SELECT string_agg(i.number, ', ' ORDER BY i.due_date, i.number)
                 FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
                 WHERE a.payment_id = p.id),
    'failure_message', p.failure_message)
  FROM customers c WHERE c.tenant_id = p.tenant_id AND c.id = p.customer_id
$$;

-- Queue an email about a payment to the customer's address (none: no email).
CREATE FUNCTION portal_payment_mail(p payments, p_template text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_to text;
BEGIN
  SELECT a.email INTO v_to FROM customers c, customer_email_address(c) a
  WHERE c.tenant_id = p.tenant_id AND c.id = p.customer_id;
  IF v_to IS NOT NULL THEN
    PERFORM outbox_enqueue(p.tenant_id, p_template, v_to, portal_payment_mail_payload(p));
  END IF;
END $$;

-- The HTTP answer a payment's request gets: 201 with the payment, or 402 for a failed one.
CREATE FUNCTION portal_payment_answer(p payments, OUT status integer, OUT body text)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p.status = 'failed' THEN 402 ELSE 201 END,
         CASE WHEN p.status = 'failed'
              THEN json_build_object(
                     'type', '/problems/payment_declined', 'title', 'Payment Required',
                     'status', 402, 'code', 'payment_declined',
                     'detail', coalesce(p.failure_message, 'The payment was declined.'),
                     'payment_id', p.id)::text
              ELSE portal_payment_json(p)::text END
$$;

-- Transaction B: record what the processor said about a pending payment. p_outcome: {status:
-- succeeded | pending | failed, charge_ref?, failure_code?, failure_message?, recheck_seconds?}.
-- Idempotent: a payment no longer pending is left as it is. The request's answer is stored under
-- its claim (the first answer only). A bank payment that fails after it was pending emails the
-- customer; a success emails the receipt.
CREATE FUNCTION portal_payment_settle(p_payment uuid, p_outcome jsonb,
                                      OUT status integer, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  v payments;
  v_state text := p_outcome->>'status';
BEGIN
  SELECT * INTO v FROM payments WHERE id = p_payment FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no payment with this id.');
  END IF;
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
    PERFORM 1 FROM invoices
    WHERE id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = p_payment)
    ORDER BY id FOR UPDATE;
    UPDATE payment_allocations SET reversed_cents = amount_cents
    WHERE payment_id = p_payment AND reversed_cents < amount_cents;
    UPDATE payments SET status = 'failed', next_check_at = NULL,
      processor_charge_ref = coalesce(p_outcome->>'charge_ref', processor_charge_ref),
      failure_code = left(coalesce(p_outcome->>'failure_code', 'payment_failed'), 64),
      failure_message = left(coalesce(p_outcome->>'failure_message',
                                      'The payment was declined.'), 500)
    WHERE id = p_payment RETURNING * INTO v;
    PERFORM portal_payment_refresh_pending(p_payment);
    -- Money the customer was told is on its way (a bank payment) and then is not.
    IF v.method = 'bank_account' THEN
      PERFORM portal_payment_mail(v, 'payment_failed');
    END IF;
  END IF;
  SELECT a.status, a.body INTO status, body FROM portal_payment_answer(v) a;
  IF v.idempotency_claim IS NOT NULL THEN
    PERFORM idempotency_complete_once(v.idempotency_claim, status, body);
  END IF;
END $$;

-- The payments worker: claim up to p_limit pending processor payments that are due a look (a bank
-- payment in flight, or one whose request died before settling and whose claim has lapsed),
-- pushing their next look p_lease_seconds ahead so no other worker takes them meanwhile.
CREATE FUNCTION portal_payments_due(p_limit integer, p_lease_seconds integer) RETURNS text
LANGUAGE sql AS $$
  WITH due AS (
    SELECT p.id FROM payments p
    WHERE p.status = 'pending' AND p.next_check_at <= now() AND p.source IN ('portal', 'autopay')
      AND (p.processor_charge_ref IS NOT NULL OR NOT EXISTS (
             SELECT 1 FROM idempotency_keys k
             WHERE k.id = p.idempotency_claim AND k.leased_until > now()))
    ORDER BY p.next_check_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE payments p SET next_check_at = now() + make_interval(secs => p_lease_seconds)
    FROM due WHERE p.id = due.id RETURNING portal_payment_charge_json(p) AS doc)
  SELECT coalesce(json_agg(doc), '[]'::json)::text FROM claimed
$$;

-- Refunds of processor payments (POST /v1/admin/payments/{id}/refund of 0007) go back through the
-- processor, in the same three steps: payment_refund_reserve records the refund as 0007 does but
-- `pending` (the payment's refunded_cents already counts it, so concurrent refunds cannot exceed
-- the payment), the processor refunds with the key 'refund-' || refund id and no connection held,
-- payment_refund_settle records the outcome and stores the answer under the claim. A refund the
-- processor refuses is `failed` and its amount goes back to the payment as unapplied money (the
-- allocations stay reversed: the invoices owe again, the customer keeps a credit on the payment).
-- Offline payments (no processor charge) keep 0007's one-step path.
ALTER TABLE refunds
  ADD COLUMN processor_key text,
  ADD COLUMN processor_refund_ref text,
  ADD COLUMN failure_message text,
  ADD COLUMN idempotency_claim uuid,
  -- When the payments worker should finish a pending processor refund whose request died.
  ADD COLUMN next_check_at timestamptz,
  ADD CONSTRAINT refunds_processor_lengths CHECK
    (char_length(processor_key) <= 100 AND char_length(failure_message) <= 500);

CREATE UNIQUE INDEX refunds_claim_key ON refunds (idempotency_claim)
  WHERE idempotency_claim IS NOT NULL;

-- What the processor needs to make a reserved refund.
CREATE FUNCTION refund_processor_json(r refunds, p_charge_ref text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('refund_id', r.id, 'charge_ref', p_charge_ref,
                           'amount_cents', r.amount_cents, 'processor_key', r.processor_key)
$$;

-- kind 'done': an offline payment's refund, made and answered (body: the answer, as 0007's);
-- kind 'processor': a processor refund reserved (or this claim's, resumed), body its
-- refund_processor_json.
CREATE FUNCTION payment_refund_reserve(p_tenant uuid, p_payment uuid, p jsonb, p_claim uuid,
                                       OUT kind text, OUT body text)
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
    kind := 'done';
    body := payment_refund(p_tenant, p_payment, p, p_claim);
    RETURN;
  END IF;
  v_refund := (payment_refund(p_tenant, p_payment, p, NULL)::json->>'id')::uuid;
  UPDATE refunds SET status = 'pending', idempotency_claim = p_claim,
    processor_key = 'refund-' || id, next_check_at = now() + interval '60 seconds'
  WHERE id = v_refund
  RETURNING * INTO r;
  kind := 'processor';
  body := refund_processor_json(r, v_pay.processor_charge_ref)::text;
END $$;

-- The answer of a refund request: 201 with the refund and its payment, or 422 refund_failed.
CREATE FUNCTION refund_answer(r refunds, OUT status integer, OUT body text)
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
-- refund_ref?, failure_message?}. Idempotent; the first answer is stored under the claim.
CREATE FUNCTION payment_refund_settle(p_refund uuid, p_outcome jsonb,
                                      OUT status integer, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
  r refunds;
  v_state text := p_outcome->>'status';
BEGIN
  -- The payment before its refund (0007's lock order: the payment first).
  PERFORM 1 FROM payments WHERE id = (SELECT payment_id FROM refunds WHERE id = p_refund)
  FOR UPDATE;
  SELECT * INTO r FROM refunds WHERE id = p_refund FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cs_raise('404', 'not_found', 'There is no refund with this id.');
  END IF;
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
CREATE INDEX refunds_due_check_idx ON refunds (next_check_at)
  WHERE status = 'pending' AND next_check_at IS NOT NULL;

CREATE FUNCTION payment_refunds_due(p_limit integer, p_lease_seconds integer) RETURNS text
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
