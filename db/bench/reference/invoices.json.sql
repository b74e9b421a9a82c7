-- The JSON variant of reference/invoices.sql: the same one SELECT, each row as the endpoint's
-- item (the location a nested object, NULL for none) aggregated into one JSON array, so one row
-- of text crosses the wire instead of 26 rows of 20 columns. scripts/bench takes the best of both
-- as the reference.
\set n random(1, 1000)
SELECT json_agg(x)::text FROM (
SELECT i.id, i.number, i.invoice_date, i.due_date, i.status, i.status = 'pending' AS pending,
       i.status = 'open' AND i.due_date < t.today AS past_due,
       CASE WHEN i.status = 'open' AND i.due_date < t.today THEN t.today - i.due_date ELSE 0 END
         AS days_past_due,
       i.status = 'open' AS payable, i.payment_pending, i.terms,
       CASE WHEN l.id IS NOT NULL THEN json_build_object(
         'id', l.id, 'name', l.name, 'address', l.address,
         'address_line', nullif(concat_ws(', ', nullif(l.address->>'line1', ''),
                                          nullif(l.address->>'line2', ''),
                                          nullif(l.address->>'city', ''),
                                          nullif(concat_ws(' ', nullif(l.address->>'region', ''),
                                                           nullif(l.address->>'postal_code', '')),
                                                 '')), '')) END AS location,
       i.total_cents, i.paid_cents, i.credited_cents, i.balance_cents
FROM (SELECT * FROM invoices i
      WHERE i.tenant_id = :tenant AND i.customer_id = md5('bench-account-' || :n)::uuid
        AND (i.sent_at IS NOT NULL OR (i.status = 'pending' AND (SELECT show_pending_invoices
                                                                FROM tenants WHERE id = :tenant)))
      ORDER BY i.invoice_date DESC, i.id DESC LIMIT 26) i
CROSS JOIN (SELECT (now() AT TIME ZONE time_zone)::date AS today FROM tenants WHERE id = :tenant) t
LEFT JOIN locations l ON l.tenant_id = i.tenant_id AND l.id = i.location_id
ORDER BY i.invoice_date DESC, i.id DESC) x;
