-- The invoice data set of scripts/bench: :per_customer invoices for each generated customer
-- (account numbers B-...) of the tenant :'slug' (50 × 20,000 customers = 1,000,000 by default;
-- 500 gives 10,000,000), generated in one statement without random() so every run measures the
-- same data. Invoices are monthly, the newest dated this month; roughly 1 in 12 is still open
-- (some past due), 1 in 50 a draft, 1 in 100 pending, the rest paid. Totals only: the portal
-- list reads no lines. Nine in ten carry a location of their customer (locations_data.sql: a
-- customer with two alternates between them), one in ten none.
INSERT INTO invoices (tenant_id, customer_id, location_id, number, invoice_date, due_date, terms,
                      status, total_cents, paid_cents, sent_at)
SELECT c.tenant_id, c.id,
       CASE WHEN k % 10 = 0 THEN NULL
            WHEN c.kind <> 'residential' AND k % 2 = 0
              THEN md5('bench-location-' || c.id || '-2')::uuid
            ELSE md5('bench-location-' || c.id || '-1')::uuid END,
       c.account_number || '-' || lpad(k::text, 4, '0'),
       d.invoice_date, d.invoice_date + 30, 'Net 30', s.status,
       s.total, CASE WHEN s.status = 'paid' THEN s.total ELSE 0 END,
       CASE WHEN s.status IN ('open', 'paid') THEN d.invoice_date + time '09:00' END
FROM customers c
JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN generate_series(1, :per_customer) AS k
CROSS JOIN LATERAL (SELECT (date_trunc('month', now())::date - ((k - 1) * interval '1 month'))::date
                           AS invoice_date) d
CROSS JOIN LATERAL (SELECT 2000 + (k * 37 + length(c.account_number) * 11) % 9000 AS total,
  CASE WHEN k % 50 = 7 THEN 'draft'
       WHEN k % 100 = 3 THEN 'pending'
       WHEN k % 12 = 1 THEN 'open'
       ELSE 'paid' END AS status) s
WHERE c.account_number LIKE 'B-%';
