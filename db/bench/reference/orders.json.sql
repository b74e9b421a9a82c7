-- The JSON variant of reference/orders.sql: the same one SELECT, each row as the endpoint's item
-- (the location a nested object, NULL for none), aggregated into one JSON array.
\set n random(1, 1000)
SELECT json_agg(x)::text FROM (
SELECT o.id, o.number, o.type, o.service_date, o.service, o.status,
       CASE WHEN l.id IS NOT NULL THEN json_build_object(
         'id', l.id, 'name', l.name, 'address', l.address,
         'address_line', nullif(concat_ws(', ', nullif(l.address->>'line1', ''),
                                          nullif(l.address->>'line2', ''),
                                          nullif(l.address->>'city', ''),
                                          nullif(concat_ws(' ', nullif(l.address->>'region', ''),
                                                           nullif(l.address->>'postal_code', '')),
                                                 '')), '')) END AS location,
       o.asset_id, o.description, o.amount_cents, o.service_request_id
FROM (SELECT * FROM orders o
      WHERE o.tenant_id = :tenant AND o.customer_id = md5('bench-account-' || :n)::uuid
      ORDER BY o.service_date DESC, o.id DESC LIMIT 26) o
LEFT JOIN locations l ON l.tenant_id = o.tenant_id AND l.id = o.location_id
ORDER BY o.service_date DESC, o.id DESC) x;
