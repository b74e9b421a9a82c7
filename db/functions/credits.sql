-- Back office: credits and their applications to invoices. The applications' trigger keeps
-- invoices.credited_cents and credits.remaining_cents true in the same transaction.

-- Keep invoices.credited_cents and credits.remaining_cents equal to the net of the applications.
CREATE OR REPLACE FUNCTION credit_applications_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  delta bigint := NEW.amount_cents - NEW.reversed_cents;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.invoice_id <> OLD.invoice_id OR NEW.credit_id <> OLD.credit_id THEN
      RAISE EXCEPTION 'a credit application cannot move to another invoice or credit';
    END IF;
    delta := delta - (OLD.amount_cents - OLD.reversed_cents);
  END IF;
  IF delta <> 0 THEN
    UPDATE invoices SET credited_cents = credited_cents + delta WHERE id = NEW.invoice_id;
    UPDATE credits SET remaining_cents = remaining_cents - delta WHERE id = NEW.credit_id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER credit_applications_totals AFTER INSERT OR UPDATE ON credit_applications
  FOR EACH ROW EXECUTE FUNCTION credit_applications_apply();

CREATE OR REPLACE FUNCTION credit_summary_json(c credits) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'customer_id', c.customer_id, 'credit_date', c.credit_date,
    'reason', c.reason, 'amount_cents', c.amount_cents, 'remaining_cents', c.remaining_cents,
    'created_at', instant(c.created_at))
$$;

CREATE OR REPLACE FUNCTION credit_json(c credits) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(credit_summary_json(c), 'applications',
    coalesce((SELECT json_agg(json_build_object(
               'id', a.id, 'invoice_id', a.invoice_id, 'invoice_number', i.number,
               'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents,
               'applied_at', instant(a.applied_at), 'reversed_at', instant(a.reversed_at))
               ORDER BY a.applied_at, a.id)
              FROM credit_applications a JOIN invoices i ON i.id = a.invoice_id
              WHERE a.credit_id = c.id), '[]'::json))
$$;

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

-- Apply (part of) a credit to an open invoice of the same customer; by default as much as both
-- allow. Locks the customer, the invoice, then the credit.
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
