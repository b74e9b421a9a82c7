-- Issue 17, items 5 and 6.
--
-- 5. The payer always gets the receipt. Payment emails (receipt, failure, autopay failure and
--    switch-off) went to one address, the customer's (customer_email_address: the portal login
--    email, else the first contact email), and to nobody when it had neither, which is the case
--    of a customer who joined by invitation. They now go to every address of
--    payment_mail_recipients, each once: that billing contact when there is one, and
--      - for a portal payment, the portal user who paid (recorded on the payment, below), while
--        still linked to the account;
--      - for an autopay charge, which nobody is present for, every portal user linked to the
--        account (any of them can switch autopay off or change its card).
--    Each recipient gets an email of their own (no address sees another).
-- 6. One balance. The account's three figures, with the same names on the dashboard, the
--    statement and the payment emails: outstanding balance (what sent invoices still owe),
--    available credit (money of the account not applied to an invoice: unused credit and the
--    unapplied part of payments), net balance (the first less the second; the statement's
--    closing balance). The payment emails' payload carries them.
--
-- Redefined here: payment_mail (0021), portal_payment_mail_payload (0018) and autopay_settle
-- (0029's, only its receipts: the same statement and locks otherwise).

-- payments.portal_user_id (0027) names the portal user who made a portal payment; payments
-- made before 0027 get it from their request's Idempotency-Key claim when that is still kept
-- (a bank payment in flight, say): its principal is 'portal:<user id>' (api/http/auth.c).
-- The portal payments already made whose claim is still kept (a bank payment in flight, say).
UPDATE payments p SET portal_user_id = u.id
FROM idempotency_keys k
JOIN portal_users u ON u.tenant_id = k.tenant_id AND u.id::text = substr(k.principal, 8)
WHERE p.source = 'portal' AND p.portal_user_id IS NULL AND k.id = p.idempotency_claim
  AND k.tenant_id = p.tenant_id AND k.principal LIKE 'portal:%';

-- ---- Who hears about a payment -----------------------------------------------------------------

-- The addresses an email about payment p goes to, each once (emails are stored lower-cased): the
-- account's billing contact (customer_email_address) when it has one; the portal user who made a
-- portal payment, while linked to the account; every portal user linked to the account for an
-- autopay charge. Back-office payments send no email.
CREATE FUNCTION payment_mail_recipients(p payments) RETURNS SETOF text
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

-- 0021's payment email, to every recipient of payment_mail_recipients (was: the customer's
-- address, or nobody).
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

-- ---- One balance -------------------------------------------------------------------------------

-- The account's available credit now: unused credit plus the unapplied part of its payments that
-- did not fail (the statement's unapplied money on today; credits_unused_idx and
-- payments_unapplied_idx of 0019 answer it).
CREATE FUNCTION account_available_credit_cents(p_tenant uuid, p_customer uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT (coalesce((SELECT sum(c.remaining_cents) FROM credits c
                    WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer
                      AND c.remaining_cents > 0), 0)
        + coalesce((SELECT sum(p.amount_cents - p.allocated_cents - p.refunded_cents)
                    FROM payments p WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer
                      AND p.status <> 'failed'
                      AND p.amount_cents > p.allocated_cents + p.refunded_cents), 0))::bigint
$$;

-- The account's three figures now, as the dashboard gives them: outstanding balance (its open
-- invoices' balances), available credit, net balance (outstanding less available credit).
CREATE FUNCTION account_balances(p_tenant uuid, p_customer uuid,
                                 OUT outstanding_balance_cents bigint,
                                 OUT available_credit_cents bigint,
                                 OUT net_balance_cents bigint)
LANGUAGE sql STABLE AS $$
  SELECT o.v, a.v, o.v - a.v
  FROM (SELECT coalesce(sum(i.balance_cents), 0)::bigint AS v FROM invoices i
        WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.status = 'open') o,
       (SELECT account_available_credit_cents(p_tenant, p_customer) AS v) a
$$;

-- 0018's payment email payload with the account's three figures after the payment (or after its
-- failure), as the emails show them.
CREATE OR REPLACE FUNCTION portal_payment_mail_payload(p payments) RETURNS jsonb
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
    'failure_message', p.failure_message,
    'outstanding_balance_cents', b.outstanding_balance_cents,
    'available_credit_cents', b.available_credit_cents,
    'net_balance_cents', b.net_balance_cents)
  FROM customers c, account_balances(p.tenant_id, p.customer_id) b
  WHERE c.tenant_id = p.tenant_id AND c.id = p.customer_id
$$;

-- ---- 0029's batch settlement, its receipts to every recipient ----------------------------------

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
    -- 0030: every recipient of payment_mail_recipients (was: the customer's address only).
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
