-- Reference of GET /v1/me for scripts/bench: the leanest plain query that returns the same
-- answer. The fields of portal_me_json (created_at formatted inline as instant() does; the colons
-- of the format are quoted so pgbench does not read ":MI" as a variable) with its items, the
-- accounts of portal_accounts_json (linked, portal on, by name and id), one row per account (a
-- user with none still gets its row), and the selected account the token carries. Run with
-- pgbench -M prepared; the user is one of the 1,000 portal users at random, md5('bench-user-' ||
-- n)::uuid, whose account is md5('bench-account-' || n)::uuid (portal_users_data.sql); the
-- tenant comes from -D tenant=<uuid>.
\set n random(1, 1000)
SELECT u.id, u.email, u.full_name, u.login_method,
       to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS created_at,
       c.id AS account_id_of_item, c.account_number, c.name,
       md5('bench-account-' || :n)::uuid AS account_id
FROM portal_users u
LEFT JOIN (portal_user_accounts a
           JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
                           AND c.portal_enabled)
  ON a.tenant_id = u.tenant_id AND a.user_id = u.id
WHERE u.tenant_id = :tenant AND u.id = md5('bench-user-' || :n)::uuid
ORDER BY c.name, c.id;
