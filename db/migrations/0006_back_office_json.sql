-- How each back-office resource reads in the API. Lists and single reads share these, so a
-- resource has one shape wherever it appears; PostgreSQL builds the JSON and the server passes it
-- through.

-- `base` (an object) with one more member at its end. jsonb concatenation would reorder the keys;
-- this keeps the documented order.
CREATE FUNCTION json_extend(base json, key text, value json) RETURNS json
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (left(base::text, -1) || ', ' || to_json(key)::text || ' : ' || value::text || '}')::json
$$;

CREATE FUNCTION customer_json(c customers) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'account_number', c.account_number, 'external_id', c.external_id,
    'name', c.name, 'kind', c.kind, 'routing', c.routing, 'phone', c.phone,
    'billing_address', c.billing_address, 'contacts', c.contacts,
    'created_at', instant(c.created_at), 'updated_at', instant(c.updated_at))
$$;

CREATE FUNCTION location_json(l locations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', l.id, 'customer_id', l.customer_id, 'name', l.name, 'address', l.address,
    'address_line', address_line(l.address), 'active', l.active,
    'created_at', instant(l.created_at), 'updated_at', instant(l.updated_at))
$$;

CREATE FUNCTION service_json(s services) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', s.id, 'customer_id', s.customer_id, 'location_id', s.location_id,
    'description', s.description, 'container_size', s.container_size,
    'frequency', s.frequency, 'service_day', s.service_day, 'rate_cents', s.rate_cents,
    'active', s.active, 'start_date', s.start_date,
    'created_at', instant(s.created_at), 'updated_at', instant(s.updated_at))
$$;

CREATE FUNCTION order_json(o orders) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', o.id, 'customer_id', o.customer_id, 'location_id', o.location_id,
    'number', o.number, 'type', o.type, 'service_date', o.service_date, 'service', o.service,
    'status', o.status, 'asset_id', o.asset_id, 'description', o.description,
    'amount_cents', o.amount_cents,
    'created_at', instant(o.created_at), 'updated_at', instant(o.updated_at))
$$;

CREATE FUNCTION invoice_lines_json(p_invoice uuid) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(json_agg(json_build_object(
           'position', l.position, 'description', l.description, 'service_date', l.service_date,
           'quantity', l.quantity, 'unit_price_cents', l.unit_price_cents,
           'amount_cents', l.amount_cents) ORDER BY l.position), '[]'::json)
  FROM invoice_lines l WHERE l.invoice_id = p_invoice
$$;

-- The summary shape of lists; invoice_json adds the lines.
CREATE FUNCTION invoice_summary_json(i invoices) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', i.id, 'customer_id', i.customer_id, 'location_id', i.location_id, 'number', i.number,
    'invoice_date', i.invoice_date, 'due_date', i.due_date, 'terms', i.terms, 'memo', i.memo,
    'status', i.status, 'total_cents', i.total_cents, 'paid_cents', i.paid_cents,
    'credited_cents', i.credited_cents, 'balance_cents', i.balance_cents,
    'sent_at', instant(i.sent_at), 'voided_at', instant(i.voided_at),
    'void_reason', i.void_reason,
    'created_at', instant(i.created_at), 'updated_at', instant(i.updated_at))
$$;

CREATE FUNCTION invoice_json(i invoices) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(invoice_summary_json(i), 'lines', invoice_lines_json(i.id))
$$;

CREATE FUNCTION credit_summary_json(c credits) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', c.id, 'customer_id', c.customer_id, 'credit_date', c.credit_date,
    'reason', c.reason, 'amount_cents', c.amount_cents, 'remaining_cents', c.remaining_cents,
    'created_at', instant(c.created_at))
$$;

CREATE FUNCTION credit_json(c credits) RETURNS json
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

CREATE FUNCTION payment_summary_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', p.id, 'customer_id', p.customer_id, 'payment_date', p.payment_date,
    'method', p.method, 'reference_number', p.reference_number, 'amount_cents', p.amount_cents,
    'allocated_cents', p.allocated_cents, 'refunded_cents', p.refunded_cents,
    'unapplied_cents', p.amount_cents - p.allocated_cents - p.refunded_cents,
    'status', p.status, 'source', p.source, 'memo', p.memo,
    'created_at', instant(p.created_at), 'updated_at', instant(p.updated_at))
$$;

CREATE FUNCTION refund_json(r refunds) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', r.id, 'payment_id', r.payment_id, 'customer_id', r.customer_id,
    'amount_cents', r.amount_cents, 'reason', r.reason, 'refund_date', r.refund_date,
    'status', r.status, 'created_at', instant(r.created_at),
    'lines', coalesce((SELECT json_agg(json_build_object('invoice_id', l.invoice_id,
                                                         'amount_cents', l.amount_cents)
                                       ORDER BY l.invoice_id NULLS FIRST)
                       FROM refund_lines l WHERE l.refund_id = r.id), '[]'::json))
$$;

CREATE FUNCTION payment_json(p payments) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_extend(json_extend(payment_summary_json(p),
    'allocations', coalesce((SELECT json_agg(json_build_object(
                      'invoice_id', a.invoice_id, 'invoice_number', i.number,
                      'amount_cents', a.amount_cents, 'reversed_cents', a.reversed_cents)
                      ORDER BY i.due_date, i.number)
                    FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
                    WHERE a.payment_id = p.id), '[]'::json)),
    'refunds', coalesce((SELECT json_agg(refund_json(r) ORDER BY r.created_at, r.id)
                         FROM refunds r WHERE r.payment_id = p.id), '[]'::json))
$$;
