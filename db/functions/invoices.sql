-- Back office: invoices and their lines, from draft to sent, updated or void. An invoice's status
-- follows its money (invoices_settle_status). Money changes take their locks in the money lock
-- order (docs/decisions.md, "Lock order for money").

-- A sent invoice is open while something is owed and paid once nothing is: applying or reversing
-- money flips it, whoever did it.
CREATE OR REPLACE FUNCTION invoices_settle_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('open', 'paid') THEN
    NEW.status := CASE WHEN NEW.total_cents - NEW.paid_cents - NEW.credited_cents = 0
                       THEN 'paid' ELSE 'open' END;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER invoices_settle BEFORE INSERT OR UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION invoices_settle_status();

CREATE OR REPLACE FUNCTION invoice_lines_json(p_invoice uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'position', l.position, 'description', l.description, 'service_date', l.service_date,
           'quantity', l.quantity, 'unit_price_cents', l.unit_price_cents,
           'amount_cents', l.amount_cents) ORDER BY l.position), '[]'::json)
  FROM invoice_lines l WHERE l.invoice_id = p_invoice
$$;

-- The summary shape of lists; invoice_json adds the lines.
CREATE OR REPLACE FUNCTION invoice_summary_json(i invoices) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', i.id, 'customer_id', i.customer_id, 'location_id', i.location_id, 'number', i.number,
    'invoice_date', i.invoice_date, 'due_date', i.due_date, 'terms', i.terms, 'memo', i.memo,
    'status', i.status, 'total_cents', i.total_cents, 'paid_cents', i.paid_cents,
    'credited_cents', i.credited_cents, 'balance_cents', i.balance_cents,
    'sent_at', instant(i.sent_at), 'sent_to_email', i.sent_to_email,
    'voided_at', instant(i.voided_at), 'void_reason', i.void_reason,
    'created_at', instant(i.created_at), 'updated_at', instant(i.updated_at))
$$;

CREATE OR REPLACE FUNCTION invoice_json(i invoices) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(invoice_summary_json(i), 'lines', invoice_lines_json(i.id))
$$;

-- "Net 30" → 30 days after the invoice date; anything else ("Due on receipt") → the date itself.
CREATE OR REPLACE FUNCTION terms_due_date(p_date date, p_terms text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_date + coalesce((substring(lower(coalesce(p_terms, '')) FROM 'net\s*(\d{1,3})'))::int, 0)
$$;

-- Replace an unsent invoice's lines and recompute its total. The total is bounded by what the
-- API's money members carry (99,999,999,999 cents): 500 lines each within bounds could exceed it.
CREATE OR REPLACE FUNCTION invoice_replace_lines(p_tenant uuid, p_invoice uuid,
                                                 p_lines jsonb) RETURNS void
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

CREATE OR REPLACE FUNCTION invoice_create(p_tenant uuid, p_customer uuid, p jsonb) RETURNS text
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
-- change the rest: the customer may already have read or paid it). The customer is locked first
-- (a sent invoice's status is money: the money lock order, docs/decisions.md).
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

-- Post a draft or pending invoice: it becomes open (or paid, at zero) and shows in the portal.
-- Every send (a sent invoice again too) emails it to the customer's portal login email, else its
-- first contact's, with a new Review & Pay link (rule 7: token p_token, stored as p_token_hash,
-- 90 days; older links keep working until they expire). No address: sent without email. Without
-- a token (the demo seed) nothing is emailed. The customer is locked first: the pay link it
-- inserts takes a KEY SHARE lock on the customer, which must not come after the invoice's lock.
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

-- Void an invoice. Payments must be refunded first (the money has to go somewhere); credits
-- applied to it are released back to their credits. Locks the customer, the invoice, then
-- (through the applications' trigger) the credits.
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

-- An invoice must be open (sent, not settled, not void) to take money.
CREATE OR REPLACE FUNCTION invoice_must_be_open(v invoices, p_field text) RETURNS void
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

-- Due on receipt: due the day it is dated, or saying so in its terms.
CREATE OR REPLACE FUNCTION invoice_due_on_receipt(i invoices) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT i.due_date <= i.invoice_date
      OR lower(btrim(coalesce(i.terms, ''))) IN ('due on receipt', 'due upon receipt',
                                                 'upon receipt', 'on receipt')
$$;
