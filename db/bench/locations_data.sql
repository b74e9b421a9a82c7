-- The service locations of scripts/bench: one per residential customer of the tenant :'slug'
-- (at its billing address, unnamed, some with a unit), two per commercial and roll-off customer
-- (a named main site and a yard, lot or job site elsewhere), so the portal lists render a location
-- as customers see them. Only the generated customers (account numbers B-...): the statement
-- account keeps no location. Ids are md5('bench-location-' || customer id || '-' || 1 or 2)::uuid,
-- so invoices_data.sql and orders_data.sql name a customer's location without a join. No random().
INSERT INTO locations (id, tenant_id, customer_id, name, address)
SELECT md5('bench-location-' || c.id || '-' || j)::uuid, c.tenant_id, c.id,
       CASE WHEN c.kind = 'residential' THEN NULL
            WHEN j = 1 THEN 'Main site'
            WHEN c.kind = 'roll_off' THEN 'Job site ' || (cn.n % 50 + 1)
            ELSE 'Rear lot' END,
       CASE WHEN j = 1 THEN c.billing_address ||
                 CASE WHEN cn.n % 4 = 0 THEN jsonb_build_object('line2', 'Unit ' || (cn.n % 40 + 1))
                      ELSE '{}'::jsonb END
            ELSE jsonb_build_object('line1', (cn.n * 7 % 9000 + 100) || ' ' ||
                                             (ARRAY['Industrial Dr', 'Archer Ave', 'Kedzie Ave',
                                                    'Pershing Rd', 'Cicero Ave'])[cn.n % 5 + 1],
                                    'city', 'Chicago', 'region', 'IL',
                                    'postal_code', (60601 + cn.n * 7 % 60)::text, 'country', 'US')
       END
FROM customers c
JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN LATERAL (SELECT substr(c.account_number, 3)::int AS n) cn
CROSS JOIN LATERAL generate_series(1, CASE WHEN c.kind = 'residential' THEN 1 ELSE 2 END) AS j
WHERE c.account_number LIKE 'B-%';
