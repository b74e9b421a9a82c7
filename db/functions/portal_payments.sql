-- Paying from the portal: transaction A plans and reserves the payment, the processor is called
-- outside any transaction, transaction B settles it. Card-testing limits (velocity_*) apply to
-- portal users. The portal's payment list and the emails about a payment.

-- Rule 16: payment date, status, method (with the card's brand and last four digits), reference
-- number, amount; with what of it went to invoices, was refunded, or is left on the account, and
-- for a failed payment, why.
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

-- One payment with the invoices it paid (only sent invoices ever take money) and its refunds.
CREATE OR REPLACE FUNCTION portal_payment_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(portal_payment_summary_json(p),
    'allocations', coalesce((SELECT json_agg(json_build_object(
                      'invoice_id', a.invoice_id, 'invoice_number', i.number,
                      'invoice_date', i.invoice_date,
                      'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents)
                      ORDER BY i.invoice_date, i.number)
                    FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
                    WHERE a.payment_id = p.id), '[]'::json)),
    'refunds', coalesce((SELECT json_agg(json_build_object(
                  'id', r.id, 'refund_date', r.refund_date, 'status', r.status,
                  'amount_cents', r.amount_cents, 'reason', r.reason)
                  ORDER BY r.created_at, r.id)
                FROM refunds r WHERE r.payment_id = p.id), '[]'::json))
$$;

-- What the processor needs to charge a reserved payment.
CREATE OR REPLACE FUNCTION portal_payment_charge_json(p payments) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('payment_id', p.id, 'amount_cents', p.amount_cents,
                           'currency', p.currency, 'method_ref', p.processor_method_ref,
                           'processor_key', p.processor_key,
                           'charge_ref', p.processor_charge_ref, 'status', p.status)
$$;

-- Lock the invoices a payment plans to pay, in id order (the money lock order): the chosen ones,
-- or every open invoice of the customer.
CREATE OR REPLACE FUNCTION portal_payment_lock_invoices(p_tenant uuid, p_customer uuid,
                                                        p_ids uuid[])
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
CREATE OR REPLACE FUNCTION portal_payment_check_invoices(p_tenant uuid, p_customer uuid,
                                                         p_ids uuid[])
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
CREATE OR REPLACE FUNCTION portal_payment_method(p_tenant uuid, p_customer uuid, p_method_id uuid,
                                                 p_processor text, p_new json, p_save boolean,
                                                 OUT id uuid, OUT ref text, OUT type text,
                                                 OUT brand text,
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
-- failure or a crash) is resumed instead. Answers portal_payment_charge_json. The customer is
-- locked first, so a method saved on the way (which locks the customer) and the payment's foreign
-- key to the customer never come after the invoices' locks.
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

-- How the receipt email and the receipt PDF name the method a payment was made with: "Visa
-- ending in 4242", "Bank account ending in 6789"; NULL for a payment without a saved method's
-- last four digits (check, cash, other), which the PDF names by its method.
CREATE OR REPLACE FUNCTION payment_method_label(p payments) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p.method = 'card'
              THEN initcap(coalesce(p.method_brand, 'card')) || ' ending in ' || p.method_last4
              ELSE 'Bank account ending in ' || p.method_last4 END
$$;

-- The email payload of a payment (receipt or failure), with the account's three figures after the
-- payment (or after its failure), as the emails show them.
CREATE OR REPLACE FUNCTION portal_payment_mail_payload(p payments) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'payment_id', p.id, 'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'payment_date', p.payment_date, 'customer_name', c.name, 'account_number', c.account_number,
    'method_label', payment_method_label(p),
    'invoices', (SELECT string_agg(i.number, ', ' ORDER BY i.due_date, i.number)
                 FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
                 WHERE a.payment_id = p.id),
    'failure_message', p.failure_message,
    'outstanding_balance_cents', b.outstanding_balance_cents,
    'available_credit_cents', b.available_credit_cents,
    'net_balance_cents', b.net_balance_cents)
  FROM customers c, account_balances(p.tenant_id, p.customer_id) b
  WHERE c.tenant_id = p.tenant_id AND c.id = p.customer_id
$$;

-- Queue the emails about a portal or autopay payment (payment_mail), except for a returned autopay
-- bank payment: autopay_failed says it instead.
CREATE OR REPLACE FUNCTION portal_payment_mail(p payments, p_template text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p.source = 'autopay' AND p_template = 'payment_failed' THEN
    RETURN;
  END IF;
  PERFORM payment_mail(p, p_template, '{}');
END $$;

-- The HTTP answer a payment's request gets: 201 with the payment, or 402 for a failed one.
CREATE OR REPLACE FUNCTION portal_payment_answer(p payments, OUT status integer, OUT body text)
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
-- customer; a success emails the receipt. Locks the customer, the payment's invoices, then the
-- payment.
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

-- The payments worker: claim up to p_limit pending processor payments that are due a look (a bank
-- payment in flight, or one whose request died before settling and whose claim has lapsed),
-- pushing their next look p_lease_seconds ahead so no other worker takes them meanwhile.
CREATE OR REPLACE FUNCTION portal_payments_due(p_limit integer,
                                               p_lease_seconds integer) RETURNS text
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

-- Seconds until fewer than p_limit of the instants p_times are within the last hour, or NULL
-- when fewer than p_limit are already: the p_limit-th newest must leave the window.
CREATE OR REPLACE FUNCTION velocity_wait(p_times timestamptz[], p_limit integer) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) >= p_limit
              THEN greatest(1, ceil(extract(epoch FROM
                     (array_agg(t ORDER BY t DESC))[p_limit] + interval '1 hour' - now())))::int
         END
  FROM unnest(p_times) t WHERE t > now() - interval '1 hour'
$$;

-- The declines counted for one user (p_user) or, when it is NULL, one account (p_customer), at
-- most p_limit of them, newest first. One branch per scope, each guarded by a constant test, so
-- the generic plan of each still uses its index.
CREATE OR REPLACE FUNCTION velocity_declines(p_user uuid, p_customer uuid, p_limit integer)
RETURNS timestamptz[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(t), '{}') FROM (
    SELECT t FROM (
      SELECT p.created_at AS t FROM payments p
      WHERE p_user IS NOT NULL AND p.portal_user_id = p_user AND p.source = 'portal'
        AND p.created_at > now() - interval '1 hour'
        AND (p.status = 'failed' OR (p.status = 'pending' AND p.processor_charge_ref IS NULL))
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NULL AND p.customer_id = p_customer AND p.source = 'portal'
        AND p.created_at > now() - interval '1 hour'
        AND (p.status = 'failed' OR (p.status = 'pending' AND p.processor_charge_ref IS NULL))) e
    ORDER BY t DESC LIMIT p_limit) x
$$;

-- The new methods counted for one user or, when it is NULL, one account, at most p_limit of
-- them, newest first.
CREATE OR REPLACE FUNCTION velocity_new_methods(p_user uuid, p_customer uuid, p_limit integer)
RETURNS timestamptz[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(t), '{}') FROM (
    SELECT t FROM (
      SELECT m.created_at AS t FROM payment_methods m
      WHERE p_user IS NOT NULL AND m.portal_user_id = p_user
        AND m.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT m.created_at FROM payment_methods m
      WHERE p_user IS NULL AND m.customer_id = p_customer
        AND m.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NOT NULL AND p.portal_user_id = p_user AND p.source = 'portal'
        AND p.payment_method_id IS NULL AND p.created_at > now() - interval '1 hour'
      UNION ALL
      SELECT p.created_at FROM payments p
      WHERE p_user IS NULL AND p.customer_id = p_customer AND p.source = 'portal'
        AND p.payment_method_id IS NULL AND p.created_at > now() - interval '1 hour') e
    ORDER BY t DESC LIMIT p_limit) x
$$;

-- "1 minute", "12 minutes": a wait in seconds, rounded up, for a sentence.
CREATE OR REPLACE FUNCTION velocity_minutes(p_seconds integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_seconds <= 60 THEN '1 minute'
              ELSE ceil(p_seconds / 60.0)::int || ' minutes' END
$$;

-- Refuse with 429 when the user or the account has reached a limit. p_charge: the attempt
-- charges (the decline limit applies); p_new_method: it brings a new method (a token). A payment
-- already made under p_claim (a retry resuming it) is no new attempt: nothing is checked. Takes
-- the advisory locks that serialise the check with the caller's insert (held to its commit).
CREATE OR REPLACE FUNCTION portal_velocity_check(p_tenant uuid, p_customer uuid, p_user uuid,
                                                 p_claim uuid,
                                                 p_charge boolean, p_new_method boolean,
                                                 p_declines integer, p_methods integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_wait integer;
BEGIN
  IF p_claim IS NOT NULL AND EXISTS (SELECT 1 FROM payments WHERE idempotency_claim = p_claim) THEN
    RETURN;
  END IF;
  -- 2027 and 2028: this file's lock classes (user, account).
  IF p_user IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(2027, hashtext(p_user::text));
  END IF;
  PERFORM pg_advisory_xact_lock(2028, hashtext(p_tenant::text || p_customer::text));
  IF p_charge THEN
    v_wait := greatest(velocity_wait(velocity_declines(p_user, p_customer, p_declines), p_declines),
                       velocity_wait(velocity_declines(NULL, p_customer, p_declines), p_declines));
    IF v_wait IS NOT NULL THEN
      PERFORM cs_raise('429', 'too_many_declines', format(
        'Payments from this login or for this account were declined (or are still '
        'unconfirmed) %s times in the last hour, so new payments are paused to protect the '
        'account. Try again in %s.',
        p_declines, velocity_minutes(v_wait)), v_wait::text);
    END IF;
  END IF;
  IF p_new_method THEN
    v_wait := greatest(velocity_wait(velocity_new_methods(p_user, p_customer, p_methods), p_methods),
                       velocity_wait(velocity_new_methods(NULL, p_customer, p_methods), p_methods));
    IF v_wait IS NOT NULL THEN
      PERFORM cs_raise('429', 'too_many_payment_methods', format(
        '%s new cards or bank accounts have been entered from this login or for this account in '
        'the last hour, which is the most allowed. Pay with a saved payment method, or try a '
        'new one again in %s.', p_methods, velocity_minutes(v_wait)), v_wait::text);
    END IF;
  END IF;
END $$;

-- portal_payment_reserve for portal user p_user, within the limits (p_declines declines and
-- p_methods new methods an hour): the check and the reserve in one transaction, and the payment
-- (and a method saved on the way) record the user.
CREATE OR REPLACE FUNCTION portal_payment_reserve_limited(p_tenant uuid, p_customer uuid,
                                                          p_user uuid,
                                                          p_claim uuid, p jsonb, p_processor text,
                                                          p_new json, p_declines integer,
                                                          p_methods integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_plan text;
  v_payment uuid;
BEGIN
  PERFORM portal_velocity_check(p_tenant, p_customer, p_user, p_claim, true, p_new IS NOT NULL,
                                p_declines, p_methods);
  v_plan := portal_payment_reserve(p_tenant, p_customer, p_claim, p, p_processor, p_new);
  v_payment := (v_plan::json->>'payment_id')::uuid;
  UPDATE payments SET portal_user_id = p_user
  WHERE id = v_payment AND portal_user_id IS NULL AND p_user IS NOT NULL;
  -- With a token, the payment's method is the one just saved from it (none when not saved).
  IF p_new IS NOT NULL AND p_user IS NOT NULL THEN
    UPDATE payment_methods SET portal_user_id = p_user
    WHERE id = (SELECT payment_method_id FROM payments WHERE id = v_payment)
      AND portal_user_id IS NULL;
  END IF;
  RETURN v_plan;
END $$;
