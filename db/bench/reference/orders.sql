-- Reference of GET /v1/portal/orders (first page, no filter) for scripts/bench: the leanest plain
-- query that returns the same page. The items' fields of portal_order_json, in its order (the
-- location's columns flat, address_line written out as address_line() computes it), one row per
-- item, 26 rows (the page and the one that says a next page exists), every order of the account,
-- newest service date first as the list orders them. The page is read first, then the locations
-- of its rows are joined. Run with pgbench -M prepared; the account is one of the 1,000 portal
-- accounts at random, the tenant comes from -D tenant=<uuid>.
\set n random(1, 1000)
SELECT o.id, o.number, o.type, o.service_date, o.service, o.status,
       l.id AS location_id, l.name AS location_name, l.address AS location_address,
       nullif(concat_ws(', ', nullif(l.address->>'line1', ''), nullif(l.address->>'line2', ''),
                        nullif(l.address->>'city', ''),
                        nullif(concat_ws(' ', nullif(l.address->>'region', ''),
                                         nullif(l.address->>'postal_code', '')), '')), '')
         AS location_address_line,
       o.asset_id, o.description, o.amount_cents, o.service_request_id
FROM (SELECT * FROM orders o
      WHERE o.tenant_id = :tenant AND o.customer_id = md5('bench-account-' || :n)::uuid
      ORDER BY o.service_date DESC, o.id DESC LIMIT 26) o
LEFT JOIN locations l ON l.tenant_id = o.tenant_id AND l.id = o.location_id
ORDER BY o.service_date DESC, o.id DESC;
