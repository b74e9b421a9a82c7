-- What a signed-in customer reads about the selected account's money (API.md rules 12, 13, 15, 16
-- and 21): the dashboard figures, invoices, payments and credits. The portal shapes leave out what
-- only the back office needs (customer_id, memos of payments, void reasons, edit times).
--
-- Rule 13 (visibility), written into every portal statement over invoices:
--   an invoice shows when it was sent (sent_at IS NOT NULL: open, paid, or void after sending),
--   or when it is pending and the tenant's show_pending_invoices is on; drafts never show.
--   Pending invoices are marked, never payable and never counted in a figure.
--   Past due = open (something owed) with due_date before the tenant's today (tenant_today).
-- The location JSON (portal_location_json) and the tabs (portal_tabs) are those of
-- 0013_portal_views_a.sql, so an invoice's location reads like an order's.

-- Indexes for 10,000,000 invoices. Each portal invoice list is a range scan of one of these,
-- walked newest first and stopped after one page, whatever the filter:
--   status all or paid     invoices_customer_idx of 0005, in the list's own order; the few
--                          drafts are filtered out as the scan passes them (a partial copy of it
--                          without drafts would cost about 1 GB and a write per invoice at
--                          10,000,000 invoices for a handful of skipped rows);
--   open, past_due,        invoices_portal_unsettled_idx: open and pending invoices only, a small
--   pending; dashboard     fraction of the table, keyed by status so each is an equality; its
--                          INCLUDE columns answer the dashboard's figures from the index alone;
--   location_id given      invoices_portal_location_idx (a big commercial account's rare site
--                          would otherwise be a filter over all of its invoices).
CREATE INDEX invoices_portal_unsettled_idx
  ON invoices (tenant_id, customer_id, status, invoice_date DESC, id DESC)
  INCLUDE (due_date, balance_cents)
  WHERE status IN ('open', 'pending');
CREATE INDEX invoices_portal_location_idx
  ON invoices (tenant_id, customer_id, location_id, invoice_date DESC, id DESC)
  WHERE location_id IS NOT NULL AND (sent_at IS NOT NULL OR status = 'pending');

-- Rule 15: number, invoice date, due date, status, terms, location address, total and balance,
-- with the flags the list marks rows by. `l` is the invoice's location (a NULL row for none),
-- `p_today` the tenant's today. A pending invoice's balance is what it will owe once posted; it
-- counts in no figure and cannot be paid (payable false).
CREATE FUNCTION portal_invoice_summary_json(i invoices, l locations, p_today date) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', i.id, 'number', i.number, 'invoice_date', i.invoice_date, 'due_date', i.due_date,
    'status', i.status, 'pending', i.status = 'pending',
    'past_due', i.status = 'open' AND i.due_date < p_today,
    'days_past_due', CASE WHEN i.status = 'open' AND i.due_date < p_today
                          THEN p_today - i.due_date ELSE 0 END,
    'payable', i.status = 'open',
    'terms', i.terms,
    'location', CASE WHEN l.id IS NULL THEN NULL ELSE portal_location_json(l) END,
    'total_cents', i.total_cents, 'paid_cents', i.paid_cents,
    'credited_cents', i.credited_cents, 'balance_cents', i.balance_cents)
$$;

-- The money applied to an invoice: payments (through their allocations) and credits, oldest
-- first; a reversed application keeps its row with reversed_cents, so the history stays whole.
CREATE FUNCTION portal_invoice_payments_json(p_invoice uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'payment_id', p.id, 'payment_date', p.payment_date, 'method', p.method,
           'reference_number', p.reference_number, 'status', p.status,
           'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents)
           ORDER BY p.payment_date, p.id), '[]'::json)
  FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
  WHERE a.invoice_id = p_invoice
$$;

CREATE FUNCTION portal_invoice_credits_json(p_invoice uuid) RETURNS json
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
CREATE FUNCTION portal_invoice_json(i invoices, l locations, p_today date) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(json_extend(json_extend(json_extend(
           portal_invoice_summary_json(i, l, p_today),
           'memo', coalesce(to_json(i.memo), 'null'::json)),
           'sent_at', coalesce(to_json(instant(i.sent_at)), 'null'::json)),
           'lines', invoice_lines_json(i.id)),
           'payments', portal_invoice_payments_json(i.id)),
           'credits', portal_invoice_credits_json(i.id))
$$;

-- Rule 16: payment date, status, method, reference number, amount; with what of it went to
-- invoices, was refunded, or is left on the account.
CREATE FUNCTION portal_payment_summary_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', p.id, 'payment_date', p.payment_date, 'status', p.status, 'method', p.method,
    'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'applied_cents', p.allocated_cents, 'refunded_cents', p.refunded_cents,
    'unapplied_cents', p.amount_cents - p.allocated_cents - p.refunded_cents)
$$;

-- One payment with the invoices it paid (only sent invoices ever take money) and its refunds.
CREATE FUNCTION portal_payment_json(p payments) RETURNS json
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

-- Rule 21: date, reason, amount and what is left of it.
CREATE FUNCTION portal_credit_json(c credits) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'credit_date', c.credit_date, 'reason', c.reason,
    'amount_cents', c.amount_cents, 'remaining_cents', c.remaining_cents)
$$;
