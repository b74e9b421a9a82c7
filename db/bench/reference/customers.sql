-- Reference of GET /v1/admin/customers (first page, no filter, an API key) for scripts/bench:
-- the leanest plain query that returns the same page. The items' fields of customer_json, in its
-- order (the portal object's two members flat, the instants formatted inline as instant() does:
-- the colons of the format are quoted so pgbench does not read ":MI" as a variable), one row per
-- item, 26 rows (the page and the one that says a next page exists), by name and id as the list
-- orders them (customers_name_idx). Run with pgbench -M prepared, -D tenant=<uuid>.
SELECT c.id, c.account_number, c.external_id, c.name, c.kind, c.routing, c.phone,
       c.billing_address, c.contacts, c.portal_enabled, c.portal_login_email,
       to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS created_at,
       to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS updated_at
FROM customers c
WHERE c.tenant_id = :tenant
ORDER BY c.name, c.id
LIMIT 26;
