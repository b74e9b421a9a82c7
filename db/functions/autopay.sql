-- Autopay: a customer's enrolment, the daily run that claims due charges in batches, and their
-- settlement. Customers are locked before their payments.

-- The portal's autopay object (the dashboard's `autopay`, the autopay endpoints later).
CREATE OR REPLACE FUNCTION portal_autopay_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('enabled', c.autopay_enabled,
                           'payment_method_id', c.autopay_payment_method_id)
$$;

-- 00:01 on local date p_day in time zone p_tz, as an instant. On a day whose midnight does not
-- exist (a zone that springs forward at 00:00), PostgreSQL reads the local time in the offset
-- before the change: 01:01 new local time.
CREATE OR REPLACE FUNCTION autopay_at_0001(p_day date, p_tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (p_day + time '00:01') AT TIME ZONE p_tz
$$;

-- 00:01 on the local day after the one instant p_t falls on.
CREATE OR REPLACE FUNCTION autopay_next_day_0001(p_t timestamptz, p_tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT autopay_at_0001((p_t AT TIME ZONE p_tz)::date + 1, p_tz)
$$;

-- The first autopay attempt of a sent invoice: 00:01 on its due date; when it was sent at or
-- after that moment, or is due on receipt, 00:01 the day after it was sent (never before the due
-- date's 00:01).
CREATE OR REPLACE FUNCTION autopay_first_attempt(i invoices, p_tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN invoice_due_on_receipt(i) OR i.sent_at >= autopay_at_0001(i.due_date, p_tz)
              THEN greatest(autopay_at_0001(i.due_date, p_tz),
                            autopay_next_day_0001(i.sent_at, p_tz))
              ELSE autopay_at_0001(i.due_date, p_tz) END
$$;

-- When customer c's autopay charges invoice i (NULL: it does not): the first attempt, moved to
-- the day after enrolment when it had passed by then, and held back to the retry time after a
-- failure.
CREATE OR REPLACE FUNCTION autopay_charge_at(i invoices, c customers, p_tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN NOT c.autopay_enabled OR i.sent_at IS NULL THEN NULL
              ELSE greatest(CASE WHEN autopay_first_attempt(i, p_tz) <= c.autopay_enrolled_at
                                 THEN autopay_next_day_0001(c.autopay_enrolled_at, p_tz)
                                 ELSE autopay_first_attempt(i, p_tz) END,
                            c.autopay_retry_at) END
$$;

-- An invoice autopay may charge: open, owing, and no payment in flight on it.
CREATE OR REPLACE FUNCTION autopay_chargeable(i invoices) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT i.status = 'open' AND i.balance_cents > 0 AND NOT i.payment_pending
$$;

-- The next charges autopay will make for customer c, as of p_now: every chargeable invoice, when
-- (the tenant's local date; today for one due now) and with which attempt.
CREATE OR REPLACE FUNCTION autopay_next_charges_json(c customers, p_now timestamptz) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'invoice_id', x.id, 'invoice_number', x.number,
           'charge_on', (greatest(x.at, p_now) AT TIME ZONE x.tz)::date,
           'amount_cents', x.balance_cents,
           'attempt', CASE WHEN c.autopay_retry_at IS NOT NULL AND x.at <= c.autopay_retry_at
                           THEN c.autopay_failures + 1 ELSE 1 END)
           ORDER BY x.at, x.due_date, x.number), '[]'::json)
  FROM (SELECT i.id, i.number, i.due_date, i.balance_cents, t.time_zone AS tz,
               autopay_charge_at(i, c, t.time_zone) AS at
        FROM invoices i JOIN tenants t ON t.id = i.tenant_id
        WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id AND autopay_chargeable(i)) x
  WHERE x.at IS NOT NULL
$$;

-- The portal's autopay object with the method and the preview.
CREATE OR REPLACE FUNCTION portal_autopay_full_json(c customers, p_now timestamptz) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'enabled', c.autopay_enabled,
    'payment_method_id', c.autopay_payment_method_id,
    'payment_method', (SELECT payment_method_json(m) FROM payment_methods m
                       WHERE m.tenant_id = c.tenant_id AND m.customer_id = c.id
                         AND m.id = c.autopay_payment_method_id AND m.removed_at IS NULL),
    'failed_attempts', c.autopay_failures,
    'next_charges', autopay_next_charges_json(c, p_now),
    'last_failure', c.autopay_last_failure)
$$;

CREATE OR REPLACE FUNCTION portal_autopay_get(p_tenant uuid, p_customer uuid, p_now timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT portal_autopay_full_json(c, p_now)::text FROM customers c
  WHERE c.tenant_id = p_tenant AND c.id = p_customer
$$;

-- PUT: p {enabled, payment_method_id?}. Switching on needs a live method of the account (the one
-- given, else the one autopay had): a new enrolment starts with no failures. Switching off, or
-- choosing a method while off, keeps autopay off; the method stays saved.
CREATE OR REPLACE FUNCTION portal_autopay_put(p_tenant uuid, p_customer uuid, p jsonb,
                                              p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_method uuid;
  v_on boolean := (p->>'enabled')::boolean;
BEGIN
  c := payment_methods_lock(p_tenant, p_customer);
  v_method := coalesce((p->>'payment_method_id')::uuid, c.autopay_payment_method_id);
  IF p->>'payment_method_id' IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM payment_methods
       WHERE tenant_id = p_tenant AND customer_id = p_customer AND id = v_method
         AND removed_at IS NULL) THEN
    PERFORM cs_raise('422', 'invalid_reference',
                     'Your account has no saved payment method with this id.',
                     'payment_method_id');
  END IF;
  IF v_on AND v_method IS NULL THEN
    PERFORM cs_raise('422', 'payment_method_required',
                     'Add a card or bank account first, then choose it to pay your invoices '
                     'automatically.', 'payment_method_id');
  END IF;
  IF v_on AND NOT c.autopay_enabled THEN
    UPDATE customers SET autopay_enabled = true, autopay_payment_method_id = v_method,
      autopay_enrolled_at = p_now, autopay_failures = 0, autopay_retry_at = NULL,
      autopay_last_failure = NULL
    WHERE tenant_id = p_tenant AND id = p_customer RETURNING * INTO c;
    PERFORM pg_notify('curbside_autopay', '');
  ELSE
    UPDATE customers SET autopay_enabled = v_on, autopay_payment_method_id = v_method,
      autopay_retry_at = CASE WHEN v_on THEN autopay_retry_at END
    WHERE tenant_id = p_tenant AND id = p_customer RETURNING * INTO c;
  END IF;
  RETURN portal_autopay_full_json(c, p_now)::text;
END $$;

-- Claim up to p_limit enrolled customers after p_after (id order; NULL: from the start) that may
-- have something due by p_now, skipping those another process holds, and reserve each one's
-- charge for every invoice due by then: a pending autopay payment (its method must be one of
-- p_processor's), its allocations (oldest due first), the invoices payment_pending. Set-based: a
-- batch is three statements whatever its size. Answers {"last": the last customer id looked at or
-- null, "charges": [portal_payment_charge_json of each reserved payment]}.
CREATE OR REPLACE FUNCTION autopay_claim(p_now timestamptz, p_after uuid, p_limit integer,
                                         p_processor text, p_lease_seconds integer) RETURNS text
-- Planned for each batch: a plan PL/pgSQL caches early in a run (payments nearly empty) would
-- scan tables that grow with every batch. A batch touches a few rows of large, cached tables:
-- random_page_cost 1.1 (the usual value for SSDs) keeps the planner on index lookups, where the
-- default of 4 made it hash whole tables for a batch of 200 (3x slower).
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET random_page_cost = 1.1 AS $$
DECLARE
  v_ids uuid[];
  v_charges json;
BEGIN
  SELECT array_agg(id ORDER BY id) INTO v_ids FROM (
    SELECT x.id FROM customers x
    WHERE x.autopay_enabled
      AND x.id > coalesce(p_after, '00000000-0000-0000-0000-000000000000')
      AND (x.autopay_retry_at IS NULL OR x.autopay_retry_at <= p_now)
      -- A cheap look first (the due date is at least a day before any attempt in any zone);
      -- the schedule below decides.
      AND EXISTS (SELECT 1 FROM invoices i
                  WHERE i.tenant_id = x.tenant_id AND i.customer_id = x.id
                    AND i.status = 'open' AND NOT i.payment_pending
                    AND i.due_date <= (p_now AT TIME ZONE 'UTC')::date + 1)
    ORDER BY x.id LIMIT p_limit FOR UPDATE SKIP LOCKED) claimed;
  IF v_ids IS NULL THEN
    RETURN json_build_object('last', NULL, 'charges', '[]'::json)::text;
  END IF;
  -- The customers are locked; now their invoices no payment is in flight on, in id order (the
  -- money lock order). Those a settlement holds are never waited for.
  PERFORM 1 FROM invoices i JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
  WHERE c.id = ANY (v_ids) AND i.status = 'open' AND NOT i.payment_pending
  ORDER BY i.id FOR UPDATE OF i;

  WITH due AS (
    SELECT c.tenant_id, c.id AS customer_id, i.id AS invoice_id, i.balance_cents,
           row_number() OVER (PARTITION BY c.id
                              ORDER BY i.due_date, i.invoice_date, i.number, i.id) AS n
    FROM customers c
    JOIN tenants t ON t.id = c.tenant_id
    JOIN invoices i ON i.tenant_id = c.tenant_id AND i.customer_id = c.id
    WHERE c.id = ANY (v_ids) AND autopay_chargeable(i)
      AND autopay_charge_at(i, c, t.time_zone) <= p_now),
  owed AS (
    SELECT customer_id, sum(balance_cents) AS amount FROM due GROUP BY customer_id),
  charged AS (
    -- Only customers whose autopay method is live and this processor's are charged.
    SELECT c.tenant_id, c.id, c.autopay_failures, owed.amount, gen_random_uuid() AS payment_id,
           m.id AS method_id, m.type, m.processor_ref, m.brand, m.last4
    FROM owed
    JOIN customers c ON c.id = owed.customer_id
    JOIN payment_methods m ON m.tenant_id = c.tenant_id AND m.customer_id = c.id
                          AND m.id = c.autopay_payment_method_id
    WHERE m.removed_at IS NULL AND m.processor = p_processor),
  reserved AS (
    INSERT INTO payments (id, tenant_id, customer_id, payment_date, method, reference_number,
                          amount_cents, status, source, payment_method_id, processor,
                          processor_method_ref, processor_key, currency, method_brand,
                          method_last4, next_check_at, autopay_attempt, autopay_run_at)
    SELECT k.payment_id, k.tenant_id, k.id, (p_now AT TIME ZONE t.time_zone)::date, k.type,
           'P-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 10)), k.amount,
           'pending', 'autopay', k.method_id, p_processor, k.processor_ref,
           'autopay-' || k.payment_id, t.currency, k.brand, k.last4,
           -- The lease: past it the payments worker finishes the charge.
           now() + make_interval(secs => p_lease_seconds), least(k.autopay_failures + 1, 3), p_now
    FROM charged k JOIN tenants t ON t.id = k.tenant_id
    RETURNING *),
  allocated AS (
    INSERT INTO payment_allocations (tenant_id, customer_id, payment_id, invoice_id, amount_cents)
    SELECT d.tenant_id, d.customer_id, r.id, d.invoice_id, d.balance_cents
    FROM due d JOIN reserved r ON r.customer_id = d.customer_id
    -- (The allocations' trigger, payment_allocations_inserted, marks the invoices payment_pending.)
    ORDER BY d.invoice_id)
  SELECT coalesce(json_agg(portal_payment_charge_json(r) ORDER BY r.customer_id), '[]'::json)
  INTO v_charges FROM reserved r;
  RETURN json_build_object('last', v_ids[array_length(v_ids, 1)], 'charges', v_charges)::text;
END $$;

-- Settle a batch of autopay charges: p_items [{payment_id, outcome}] (outcome as
-- portal_payment_settle takes it). Successes, nearly all of a run, are settled together: the
-- payments, the invoices' payment_pending and the receipts in one statement each, as
-- portal_payment_settle's success branch does one at a time. The rest go one by one through
-- portal_payment_settle. Customers are locked before their payments, as the claim does.
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
    -- Every recipient of payment_mail_recipients, each in an email of their own.
    SELECT s.tenant_id, 'payment_receipt', r.email, portal_payment_mail_payload(s)
    FROM settled s CROSS JOIN LATERAL payment_mail_recipients(s) r(email))
  SELECT count(*) INTO n FROM settled;

  FOR e IN SELECT * FROM jsonb_array_elements(p_items)
           WHERE value->'outcome'->>'status' <> 'succeeded' LOOP
    PERFORM portal_payment_settle((e->>'payment_id')::uuid, e->'outcome');
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- A failed autopay charge: count it (unless the customer enrolled again since it was reserved),
-- retry at 00:01 the next day, or switch autopay off after the third failure; email either way.
-- A bank payment returned days later counts from the later of its run and the real time.
CREATE OR REPLACE FUNCTION autopay_charge_failed(p payments) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c customers;
  v_tz text;
  v_failure jsonb;
  v_retry timestamptz;
BEGIN
  SELECT * INTO c FROM customers WHERE tenant_id = p.tenant_id AND id = p.customer_id FOR UPDATE;
  SELECT time_zone INTO v_tz FROM tenants WHERE id = p.tenant_id;
  v_failure := jsonb_build_object('payment_id', p.id, 'failed_at', instant(p.autopay_run_at),
                                  'attempt', p.autopay_attempt, 'code', p.failure_code,
                                  'message', p.failure_message);
  IF NOT c.autopay_enabled OR c.autopay_enrolled_at > p.autopay_run_at THEN
    PERFORM payment_mail(p, 'autopay_failed', jsonb_build_object('attempt', p.autopay_attempt));
    RETURN;
  END IF;
  IF p.autopay_attempt >= 3 THEN
    UPDATE customers SET autopay_enabled = false, autopay_failures = p.autopay_attempt,
      autopay_retry_at = NULL, autopay_last_failure = v_failure
    WHERE id = c.id;
    PERFORM payment_mail(p, 'autopay_disabled', jsonb_build_object('attempt', p.autopay_attempt));
    RETURN;
  END IF;
  v_retry := autopay_next_day_0001(greatest(p.autopay_run_at, now()), v_tz);
  UPDATE customers SET autopay_failures = p.autopay_attempt, autopay_retry_at = v_retry,
    autopay_last_failure = v_failure
  WHERE id = c.id;
  PERFORM payment_mail(p, 'autopay_failed', jsonb_build_object(
    'attempt', p.autopay_attempt, 'next_attempt_date', (v_retry AT TIME ZONE v_tz)::date,
    'attempts_left', 3 - p.autopay_attempt));
END $$;

CREATE OR REPLACE FUNCTION autopay_payment_settled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'failed' THEN
    PERFORM autopay_charge_failed(NEW);
  ELSE
    -- A success ends the run of failures (the receipt is portal_payment_settle's).
    UPDATE customers SET autopay_failures = 0, autopay_retry_at = NULL,
      autopay_last_failure = NULL
    WHERE tenant_id = NEW.tenant_id AND id = NEW.customer_id
      AND (autopay_enrolled_at IS NULL OR autopay_enrolled_at <= NEW.autopay_run_at)
      -- Only when there is something to reset: most successes write nothing.
      AND (autopay_failures <> 0 OR autopay_retry_at IS NOT NULL
           OR autopay_last_failure IS NOT NULL);
  END IF;
  RETURN NULL;
END $$;

-- A first attempt that succeeds has no failures to reset (it was reserved with none), so most
-- settlements of a run skip the trigger altogether.
CREATE OR REPLACE TRIGGER payments_autopay_settled AFTER UPDATE OF status ON payments
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.source = 'autopay'
                     AND (NEW.status = 'failed'
                          OR (NEW.status = 'succeeded' AND NEW.autopay_attempt > 1)))
  EXECUTE FUNCTION autopay_payment_settled();
