-- The JSON variant of reference/customers.sql: the same one SELECT, each row as the endpoint's
-- item (the portal object nested), aggregated into one JSON array.
SELECT json_agg(x)::text FROM (
SELECT c.id, c.account_number, c.external_id, c.name, c.kind, c.routing, c.phone,
       c.billing_address, c.contacts,
       json_build_object('enabled', c.portal_enabled, 'login_email', c.portal_login_email) AS portal,
       to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS created_at,
       to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS updated_at
FROM customers c
WHERE c.tenant_id = :tenant
ORDER BY c.name, c.id
LIMIT 26) x;
