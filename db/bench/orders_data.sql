-- The orders of scripts/bench: (:per_customer + 1) / 2 orders for each generated customer
-- (account numbers B-...) of the tenant :'slug' (500,000 beside 1,000,000 invoices), one every
-- two weeks, the newest ten days ahead; generated in one statement without random(). Every type
-- (orders_type_valid: dumpster, live_load, minis) and every status (orders_status_valid: the
-- newest pending or scheduled, the one before in progress for one customer in four, one in
-- thirteen of the older ones cancelled, the rest completed). Nine in ten at a location of their
-- customer (as invoices_data.sql), one in ten at none; a dumpster carries its container's asset id.
INSERT INTO orders (tenant_id, customer_id, location_id, number, type, service_date, service,
                    status, asset_id, description, amount_cents)
SELECT c.tenant_id, c.id,
       CASE WHEN k % 10 = 0 THEN NULL
            WHEN c.kind <> 'residential' AND k % 2 = 0
              THEN md5('bench-location-' || c.id || '-2')::uuid
            ELSE md5('bench-location-' || c.id || '-1')::uuid END,
       c.account_number || '-O' || lpad(k::text, 4, '0'),
       o.type, current_date + 10 - (k - 1) * 14,
       CASE o.type WHEN 'dumpster' THEN (ARRAY['20 yd roll-off delivery', '30 yd roll-off swap',
                                               '40 yd roll-off removal'])[k % 3 + 1]
                   WHEN 'live_load' THEN 'Live load, ' || (k % 4 + 1) || ' h'
                   ELSE 'Mini dumpster 6 yd' END,
       o.status,
       CASE WHEN o.type = 'dumpster' THEN 'RO-' || lpad(((cn.n * 7 + k) % 900 + 100)::text, 4, '0') END,
       CASE WHEN k % 5 = 0 THEN 'Place it on the driveway, left side; gate code at the office.' END,
       CASE WHEN o.status = 'cancelled' THEN 0 ELSE 15000 + (k * 97 + cn.n * 13) % 40000 END
FROM customers c
JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN LATERAL (SELECT substr(c.account_number, 3)::int AS n) cn
CROSS JOIN generate_series(1, (:per_customer + 1) / 2) AS k
CROSS JOIN LATERAL (SELECT (ARRAY['dumpster', 'live_load', 'minis'])[(k + cn.n) % 3 + 1] AS type,
  CASE WHEN k = 1 THEN (ARRAY['scheduled', 'pending', 'scheduled'])[cn.n % 3 + 1]
       WHEN k = 2 AND cn.n % 4 = 0 THEN 'in_progress'
       WHEN k % 13 = 6 THEN 'cancelled'
       ELSE 'completed' END AS status) o
WHERE c.account_number LIKE 'B-%';
