-- The balance statement of an account over a period: opening balance, every movement with a
-- running balance, closing balance and aging (docs/decisions.md, "Statements").

-- The application events of one invoice (sent, not void): payments allocated to it (negative),
-- their reversals by refunds (positive; a failed refund's reversal too: the money went back onto
-- the payment, unapplied), credits applied to it (negative). Columns as statement movements.
CREATE OR REPLACE FUNCTION statement_applications(i invoices, p_tz text)
RETURNS TABLE (d date, o int, t text, id uuid, r text, s text, a bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT greatest(p.payment_date, i.invoice_date), 1, 'payment', p.id, p.reference_number,
         'Payment (' || replace(p.method, '_', ' ') ||
           CASE WHEN p.status = 'pending' THEN ', pending' ELSE '' END ||
           ') applied to invoice ' || i.number,
         -a.amount_cents
  FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
  WHERE a.invoice_id = i.id AND p.status <> 'failed'
  UNION ALL
  SELECT greatest(r.refund_date, p.payment_date, i.invoice_date),
         CASE WHEN r.status = 'failed' THEN 1 ELSE 3 END,
         CASE WHEN r.status = 'failed' THEN 'payment' ELSE 'refund' END, r.id, p.reference_number,
         CASE WHEN r.status = 'failed'
              THEN 'Payment ' || p.reference_number || ' taken off invoice ' || i.number
              ELSE 'Refund of payment ' || p.reference_number || ' from invoice ' || i.number ||
                   coalesce(': ' || r.reason, '') END,
         l.amount_cents
  FROM refund_lines l JOIN refunds r ON r.id = l.refund_id JOIN payments p ON p.id = r.payment_id
  WHERE l.invoice_id = i.id
  UNION ALL
  SELECT greatest(c.credit_date, i.invoice_date, (ca.applied_at AT TIME ZONE p_tz)::date), 2,
         'credit', c.id, NULL, 'Credit applied to invoice ' || i.number || ': ' || c.reason,
         -(ca.amount_cents - ca.reversed_cents)
  FROM credit_applications ca JOIN credits c ON c.id = ca.credit_id
  WHERE ca.invoice_id = i.id AND ca.amount_cents > ca.reversed_cents
$$;

-- The statement's period: `to` defaults to the tenant's today, `from` to 89 days before `to`
-- (90 days in all); from <= to and at most three years (to on or before from + 3 years).
CREATE OR REPLACE FUNCTION statement_period(p_tenant uuid, p_from date, p_to date, OUT v_from date,
                                            OUT v_to date)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  v_to := coalesce(p_to, tenant_today(p_tenant));
  v_from := coalesce(p_from, v_to - 89);
  IF v_from > v_to THEN
    PERFORM cs_raise('422', 'date_range', 'The from date must be on or before the to date.', 'to');
  END IF;
  IF v_to > (v_from + interval '3 years')::date THEN
    PERFORM cs_raise('422', 'range_too_long', 'A statement covers at most three years.', 'to');
  END IF;
END $$;

-- The account's movements in [from, to] (indexed range scans) as rows {d: date, o: rank within
-- the day, t: type, id, r: reference, s: description, a: amount_cents}; statement_rows orders
-- them. A plain SQL function: inlined into its caller's query.
CREATE OR REPLACE FUNCTION statement_account_movements(p_tenant uuid, p_customer uuid, p_from date,
                                                       p_to date)
RETURNS TABLE (d date, o int, t text, id uuid, r text, s text, a bigint)
LANGUAGE sql STABLE AS $$
  SELECT i.invoice_date, 0, 'invoice', i.id, i.number,
         'Invoice ' || i.number || ', due ' || i.due_date, i.total_cents
  FROM invoices i
  WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.sent_at IS NOT NULL
    AND i.status <> 'void' AND i.invoice_date BETWEEN p_from AND p_to
  UNION ALL
  SELECT p.payment_date, 1, 'payment', p.id, p.reference_number,
         'Payment (' || replace(p.method, '_', ' ') ||
           CASE WHEN p.status = 'pending' THEN ', pending' ELSE '' END || ')',
         -p.amount_cents
  FROM payments p WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer
    AND p.status <> 'failed' AND p.payment_date BETWEEN p_from AND p_to
  UNION ALL
  SELECT c.credit_date, 2, 'credit', c.id, NULL, 'Credit: ' || c.reason, -c.amount_cents
  FROM credits c WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer
    AND c.credit_date BETWEEN p_from AND p_to
  UNION ALL
  SELECT r.refund_date, 3, 'refund', r.id, p.reference_number,
         'Refund of payment ' || p.reference_number || coalesce(': ' || r.reason, ''),
         r.amount_cents
  FROM refunds r JOIN payments p ON p.id = r.payment_id
  WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer AND r.status <> 'failed'
    AND r.refund_date BETWEEN p_from AND p_to
$$;

-- The account's balance before `p_from`: four index-only sums.
CREATE OR REPLACE FUNCTION statement_account_opening(p_tenant uuid, p_customer uuid, p_from date)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT (coalesce((SELECT sum(i.total_cents) FROM invoices i
                      WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer
                        AND i.sent_at IS NOT NULL AND i.status <> 'void'
                        AND i.invoice_date < p_from), 0)
          - coalesce((SELECT sum(p.amount_cents) FROM payments p
                      WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer
                        AND p.status <> 'failed' AND p.payment_date < p_from), 0)
          + coalesce((SELECT sum(r.amount_cents) FROM refunds r
                      WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer
                        AND r.status <> 'failed' AND r.refund_date < p_from), 0)
          - coalesce((SELECT sum(c.amount_cents) FROM credits c
                      WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer
                        AND c.credit_date < p_from), 0))::bigint);
END $$;

-- The ids of the sent, non-void invoices of the account with an application event after `p_to`
-- (invoices dated after it included): the only ones whose amount owed on `p_to` can differ from
-- today's. Each branch is a range scan from `p_to` on: its cost follows the activity since.
CREATE OR REPLACE FUNCTION statement_late_invoices(p_tenant uuid, p_customer uuid, p_to date,
                                                   p_tz text)
RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(array_agg(i.id), '{}') FROM invoices i
    WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.sent_at IS NOT NULL
      AND i.status <> 'void' AND i.id IN (
        SELECT x.id FROM invoices x WHERE x.tenant_id = p_tenant AND x.customer_id = p_customer
          AND x.sent_at IS NOT NULL AND x.status <> 'void' AND x.invoice_date > p_to
        UNION
        SELECT a.invoice_id FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
        WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer AND p.status <> 'failed'
          AND p.payment_date > p_to
        UNION
        SELECT l.invoice_id FROM refunds r JOIN refund_lines l ON l.refund_id = r.id
        WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer AND r.refund_date > p_to
          AND l.invoice_id IS NOT NULL
        UNION
        SELECT ca.invoice_id FROM credits c JOIN credit_applications ca ON ca.credit_id = c.id
        WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer AND c.credit_date > p_to
        UNION
        SELECT ca.invoice_id FROM credit_applications ca
        WHERE ca.tenant_id = p_tenant AND ca.customer_id = p_customer
          AND ca.applied_at >= ((p_to + 1)::timestamp AT TIME ZONE p_tz)));
END $$;

-- Aging inputs of the account on `p_to`: [due_date, owed_cents] of every invoice dated on or
-- before it that still owed something that day. An invoice with nothing applied or reversed
-- after `p_to` owed then what it owes now (its balance: an index-only read of the open ones);
-- only the late ones (`p_late`, statement_late_invoices) are worked out from their events.
CREATE OR REPLACE FUNCTION statement_account_aging(p_tenant uuid, p_customer uuid, p_to date,
                                                   p_tz text,
                                                   p_late uuid[]) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(json_agg(json_build_array(o.due_date, o.owed)), '[]'::json)
    FROM (
      SELECT i.due_date, i.balance_cents AS owed FROM invoices i
      WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.status = 'open'
        AND i.invoice_date <= p_to AND i.id <> ALL (p_late)
      UNION ALL
      SELECT i.due_date, i.total_cents + coalesce((SELECT sum(e.a)
               FROM statement_applications(i, p_tz) e WHERE e.d <= p_to), 0)
      FROM invoices i
      WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.id = ANY (p_late)
        AND i.sent_at IS NOT NULL AND i.status <> 'void' AND i.invoice_date <= p_to
    ) o WHERE o.owed <> 0);
END $$;

-- Money of the account received but not applied to an invoice on `p_to` (unused credit and
-- unapplied payment money): what is unapplied now, less what arrived after `p_to`, plus what
-- left (refunds) or was applied after it (events of the late invoices after `p_to`).
CREATE OR REPLACE FUNCTION statement_account_unapplied(p_tenant uuid, p_customer uuid, p_to date,
                                                       p_tz text,
                                                       p_late uuid[]) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT (coalesce((SELECT sum(c.remaining_cents) FROM credits c
                      WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer
                        AND c.remaining_cents > 0), 0)
          + coalesce((SELECT sum(p.amount_cents - p.allocated_cents - p.refunded_cents)
                      FROM payments p WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer
                        AND p.status <> 'failed'
                        AND p.amount_cents > p.allocated_cents + p.refunded_cents), 0)
          - coalesce((SELECT sum(c.amount_cents) FROM credits c
                      WHERE c.tenant_id = p_tenant AND c.customer_id = p_customer
                        AND c.credit_date > p_to), 0)
          - coalesce((SELECT sum(p.amount_cents) FROM payments p
                      WHERE p.tenant_id = p_tenant AND p.customer_id = p_customer
                        AND p.status <> 'failed' AND p.payment_date > p_to), 0)
          + coalesce((SELECT sum(r.amount_cents) FROM refunds r
                      WHERE r.tenant_id = p_tenant AND r.customer_id = p_customer
                        AND r.status <> 'failed' AND r.refund_date > p_to), 0)
          - coalesce((SELECT sum(e.a) FROM invoices i
                      CROSS JOIN LATERAL statement_applications(i, p_tz) e
                      WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer
                        AND i.id = ANY (p_late) AND i.sent_at IS NOT NULL
                        AND i.status <> 'void' AND e.d > p_to), 0))::bigint);
END $$;

-- A location statement's opening, movements and aging from the location's events up to `p_to`
-- (its invoices and the money applied to them).
CREATE OR REPLACE FUNCTION statement_location_parts(p_tenant uuid, p_customer uuid, p_location uuid,
                                                    p_from date, p_to date, p_tz text,
                                                    OUT opening bigint, OUT movements json,
                                                    OUT aging json)
LANGUAGE sql STABLE AS $$
  WITH inv AS MATERIALIZED (
    SELECT * FROM invoices i
    WHERE i.tenant_id = p_tenant AND i.customer_id = p_customer AND i.location_id = p_location
      AND i.sent_at IS NOT NULL AND i.status <> 'void' AND i.invoice_date <= p_to),
  ev AS MATERIALIZED (
    SELECT i.id AS invoice_id, i.invoice_date AS d, 0 AS o, 'invoice' AS t, i.id, i.number AS r,
           'Invoice ' || i.number || ', due ' || i.due_date AS s, i.total_cents AS a
    FROM inv i
    UNION ALL
    SELECT i.id, e.* FROM inv i CROSS JOIN LATERAL statement_applications(i, p_tz) e
    WHERE e.d <= p_to)
  SELECT
    (SELECT coalesce(sum(a), 0)::bigint FROM ev WHERE d < p_from),
    (SELECT coalesce(json_agg(m ORDER BY m.d, m.o, m.r, m.id), '[]'::json)
     FROM (SELECT d, o, t, id, r, s, a FROM ev WHERE d >= p_from) m),
    (SELECT coalesce(json_agg(json_build_array(w.due_date, w.owed)), '[]'::json)
     FROM (SELECT i.due_date, sum(ev.a) AS owed FROM inv i JOIN ev ON ev.invoice_id = i.id
           GROUP BY i.id, i.due_date) w WHERE w.owed <> 0)
$$;

-- The whole statement of an account (and location, when given) for the C side, as rows: the
-- first carries `doc`, a JSON document of the parties, the period, the opening balance, the
-- unapplied money on `to` and the aging inputs; the movements follow in statement order, one a
-- row (date as YYYY-MM-DD, type, id, reference, description, amount_cents; `doc` NULL), so 5,000
-- of them cost no JSON to build or to parse. Raises 422 date_range / range_too_long, and 404
-- not_found for a location that is not the account's.
CREATE OR REPLACE FUNCTION statement_rows(p_tenant uuid, p_customer uuid, p_location uuid,
                                          p_from date,
                                          p_to date)
RETURNS TABLE (doc text, m_date text, m_type text, m_id text, m_ref text, m_text text,
               m_cents bigint)
LANGUAGE plpgsql STABLE SET datestyle = 'ISO, YMD' AS $$
DECLARE
  t tenants;
  c customers;
  l locations;
  per record;
  loc record;
  v_tz text;
  v_late uuid[];
  v_opening bigint;
  v_unapplied bigint;
  v_aging json;
BEGIN
  SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
  SELECT * INTO c FROM customers WHERE customers.tenant_id = p_tenant AND customers.id = p_customer;
  IF c.id IS NULL THEN
    PERFORM cs_raise('404', 'not_found', 'There is no account with this id.');
  END IF;
  IF p_location IS NOT NULL THEN
    SELECT * INTO l FROM locations
    WHERE locations.tenant_id = p_tenant AND locations.customer_id = p_customer
      AND locations.id = p_location;
    IF l.id IS NULL THEN
      PERFORM cs_raise('404', 'not_found', 'There is no service location with this id.');
    END IF;
  END IF;
  per := statement_period(p_tenant, p_from, p_to);
  v_tz := t.time_zone;
  IF p_location IS NULL THEN
    v_late := statement_late_invoices(p_tenant, p_customer, per.v_to, v_tz);
    v_opening := statement_account_opening(p_tenant, p_customer, per.v_from);
    v_unapplied := statement_account_unapplied(p_tenant, p_customer, per.v_to, v_tz, v_late);
    v_aging := statement_account_aging(p_tenant, p_customer, per.v_to, v_tz, v_late);
  ELSE
    loc := statement_location_parts(p_tenant, p_customer, p_location, per.v_from, per.v_to,
                                    v_tz);
    v_opening := loc.opening;
    v_unapplied := 0;
    v_aging := loc.aging;
  END IF;
  doc := json_build_object(
    'hauler', json_extend(json_extend(document_hauler_json(t), 'logo_url',
                coalesce(to_json(t.logo_url), 'null'::json)), 'brand_color',
                coalesce(to_json(t.brand_color), 'null'::json)),
    'customer', json_extend(document_customer_json(c), 'id', to_json(c.id)),
    'location', CASE WHEN p_location IS NOT NULL THEN portal_location_json(l) END,
    'from', per.v_from, 'to', per.v_to, 'generated_on', tenant_today(p_tenant),
    'opening_cents', v_opening, 'unapplied_cents', v_unapplied, 'aging', v_aging)::text;
  RETURN NEXT;
  doc := NULL;
  IF p_location IS NULL THEN
    RETURN QUERY
      SELECT NULL::text, m.d::text, m.t, m.id::text, m.r, m.s, m.a
      FROM statement_account_movements(p_tenant, p_customer, per.v_from, per.v_to) m
      ORDER BY m.d, m.o, m.r, m.id;
  ELSE
    -- a location's movements are few (one location's invoices and their applications)
    RETURN QUERY
      SELECT NULL::text, m.d::text, m.t, m.id::text, m.r, m.s, m.a
      FROM json_to_recordset(loc.movements)
        AS m(d date, o int, t text, id uuid, r text, s text, a bigint)
      ORDER BY m.d, m.o, m.r, m.id;
  END IF;
END $$;
