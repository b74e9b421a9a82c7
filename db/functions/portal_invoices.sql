-- The portal's invoices and what was applied to them (payments and credits).

-- Rule 15: number, invoice date, due date, status, terms, location address, total and balance,
-- with the flags the list marks rows by (payment_pending among them). `l` is the invoice's
-- location (a NULL row for none), `p_today` the tenant's today. A pending invoice's balance is
-- what it will owe once posted; it counts in no figure and cannot be paid (payable false).
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

-- The money applied to an invoice: payments (through their allocations) and credits, oldest
-- first; a reversed application keeps its row with reversed_cents, so the history stays whole.
CREATE OR REPLACE FUNCTION portal_invoice_payments_json(p_invoice uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'payment_id', p.id, 'payment_date', p.payment_date, 'method', p.method,
           'reference_number', p.reference_number, 'status', p.status,
           'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents)
           ORDER BY p.payment_date, p.id), '[]'::json)
  FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
  WHERE a.invoice_id = p_invoice
$$;

CREATE OR REPLACE FUNCTION portal_invoice_credits_json(p_invoice uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'credit_id', c.id, 'credit_date', c.credit_date, 'reason', c.reason,
           'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents,
           'applied_at', instant(a.applied_at))
           ORDER BY a.applied_at, a.id), '[]'::json)
  FROM credit_applications a JOIN credits c ON c.id = a.credit_id
  WHERE a.invoice_id = p_invoice
$$;

-- One invoice: the summary, its memo and sending time, its lines and what was applied to it.
CREATE OR REPLACE FUNCTION portal_invoice_json(i invoices, l locations, p_today date) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(json_extend(json_extend(json_extend(
           portal_invoice_summary_json(i, l, p_today),
           'memo', coalesce(to_json(i.memo), 'null'::json)),
           'sent_at', coalesce(to_json(instant(i.sent_at)), 'null'::json)),
           'lines', invoice_lines_json(i.id)),
           'payments', portal_invoice_payments_json(i.id)),
           'credits', portal_invoice_credits_json(i.id))
$$;

-- Rule 21: date, reason, amount and what is left of it.
CREATE OR REPLACE FUNCTION portal_credit_json(c credits) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'credit_date', c.credit_date, 'reason', c.reason,
    'amount_cents', c.amount_cents, 'remaining_cents', c.remaining_cents)
$$;
