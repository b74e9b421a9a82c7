-- The data set of `scripts/bench autopay`: the tenant :'slug' with :customers customers enrolled in
-- autopay with a sandbox card each, and :per_customer open invoices per customer all due
-- 2030-01-15 (sent 2030-01-01), so one run at 2030-01-16 has :customers × :per_customer invoices
-- due. Generated in SQL without random(): every run measures the same data. Every customer has
-- a contact email, so each charge queues its receipt as in production (the worker's mail thread
-- starts sending them during the run, on the same cores).
INSERT INTO tenants (slug, name) VALUES (:'slug', 'Bench Autopay Hauling');

INSERT INTO customers (tenant_id, account_number, name, kind, contacts)
SELECT t.id, 'AP-' || lpad(n::text, 7, '0'), 'Autopay Customer ' || n, 'residential',
       jsonb_build_array(jsonb_build_object('name', 'Customer ' || n,
                                            'email', 'ap' || n || '@bench.example'))
FROM tenants t CROSS JOIN generate_series(1, :customers) AS n
WHERE t.slug = :'slug';

INSERT INTO payment_methods (tenant_id, customer_id, processor, processor_ref, type, brand, last4,
                             exp_month, exp_year, is_default)
SELECT c.tenant_id, c.id, 'sandbox',
       'pm_sandbox_visa_' || lpad(to_hex(row_number() OVER (ORDER BY c.id)), 16, '0'),
       'card', 'visa', '4242', 12, 2034, true
FROM customers c JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug';

UPDATE customers c SET autopay_enabled = true, autopay_payment_method_id = m.id,
  autopay_enrolled_at = '2029-12-01T00:00:00Z'
FROM payment_methods m
WHERE m.customer_id = c.id AND c.tenant_id = (SELECT id FROM tenants WHERE slug = :'slug');

INSERT INTO invoices (tenant_id, customer_id, number, invoice_date, due_date, terms, status,
                      total_cents, sent_at)
SELECT c.tenant_id, c.id, c.account_number || '-' || k, '2030-01-01', '2030-01-15', 'Net 14',
       'open', 1000 + (k * 37 + length(c.account_number) * 11) % 9000,
       '2030-01-01T14:00:00Z'
FROM customers c
JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN generate_series(1, :per_customer) AS k;

ANALYZE customers;
ANALYZE invoices;
ANALYZE payment_methods;
