-- Reference of GET /v1/portal/invoices (first page, no filter) for scripts/bench: the leanest
-- plain query that returns the same page. The items' fields of portal_invoice_summary_json, in its
-- order (flags inline, the location's columns flat with address_line written out as
-- address_line() computes it), one row per item, 26 rows (the page of 25 and the one that says a
-- next page exists), the visibility rule of the list (sent, or pending while the tenant shows
-- pending invoices) and its order. The page is read first, then the tenant's today and the
-- locations of those 26 rows are joined: the invoices walk invoices_customer_idx newest first and
-- stop, whatever the planner thinks of the joins. Run with pgbench -M prepared; the account is
-- one of the 1,000 portal accounts at random (customers_data.sql), the tenant comes from
-- -D tenant=<uuid>.
\set n random(1, 1000)
SELECT i.id, i.number, i.invoice_date, i.due_date, i.status, i.status = 'pending' AS pending,
       i.status = 'open' AND i.due_date < t.today AS past_due,
       CASE WHEN i.status = 'open' AND i.due_date < t.today THEN t.today - i.due_date ELSE 0 END
         AS days_past_due,
       i.status = 'open' AS payable, i.payment_pending, i.terms,
       l.id AS location_id, l.name AS location_name, l.address AS location_address,
       nullif(concat_ws(', ', nullif(l.address->>'line1', ''), nullif(l.address->>'line2', ''),
                        nullif(l.address->>'city', ''),
                        nullif(concat_ws(' ', nullif(l.address->>'region', ''),
                                         nullif(l.address->>'postal_code', '')), '')), '')
         AS location_address_line,
       i.total_cents, i.paid_cents, i.credited_cents, i.balance_cents
FROM (SELECT * FROM invoices i
      WHERE i.tenant_id = :tenant AND i.customer_id = md5('bench-account-' || :n)::uuid
        AND (i.sent_at IS NOT NULL OR (i.status = 'pending' AND (SELECT show_pending_invoices
                                                                FROM tenants WHERE id = :tenant)))
      ORDER BY i.invoice_date DESC, i.id DESC LIMIT 26) i
CROSS JOIN (SELECT (now() AT TIME ZONE time_zone)::date AS today FROM tenants WHERE id = :tenant) t
LEFT JOIN locations l ON l.tenant_id = i.tenant_id AND l.id = i.location_id
ORDER BY i.invoice_date DESC, i.id DESC;
