-- The money lock order's shared steps (docs/decisions.md, "Lock order for money") and an account's
-- balances as the dashboard, the statement and the payment emails name them.

-- Lock a customer row for a money change (rank 1): 404 when the tenant has no such customer.
CREATE OR REPLACE FUNCTION money_lock_customer(p_tenant uuid, p_customer uuid) RETURNS customers
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

-- The customer of an invoice, locked (rank 1) before the invoice is: 404 for no such invoice.
CREATE OR REPLACE FUNCTION money_lock_invoice_customer(p_tenant uuid, p_invoice uuid) RETURNS void
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

-- Lock the invoices payment p_payment has money on, by id (rank 2).
-- (PL/pgSQL: PERFORM reads every row, so every invoice is locked.)
CREATE OR REPLACE FUNCTION money_lock_payment_invoices(p_payment uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM invoices
  WHERE id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = p_payment)
  ORDER BY id FOR UPDATE;
END $$;

-- The account's available credit now: unused credit plus the unapplied part of its payments that
-- did not fail (the statement's unapplied money on today; credits_unused_idx and
-- payments_unapplied_idx of 0019 answer it).
CREATE OR REPLACE FUNCTION account_available_credit_cents(p_tenant uuid,
                                                          p_customer uuid) RETURNS bigint
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
CREATE OR REPLACE FUNCTION account_balances(p_tenant uuid, p_customer uuid,
                                            OUT outstanding_balance_cents bigint,
                                            OUT available_credit_cents bigint,
                                            OUT net_balance_cents bigint)
LANGUAGE sql STABLE AS $$
  SELECT o.v, a.v, o.v - a.v
  FROM (SELECT coalesce(sum(i.balance_cents), 0)::bigint AS v FROM invoices i
        WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.status = 'open') o,
       (SELECT account_available_credit_cents(p_tenant, p_customer) AS v) a
$$;
