-- The SQL of GET /v1/admin/customers (statement "customers_list": CUSTOMER_PAGE_SQL in
-- api/customers/customers_service.c expanded through SQL_KEYSET_PAGE in api/db/page_sql.h), for
-- pgbench: the first page of 25 of the tenant that scripts/bench passes with -D tenant=<uuid>. Run with -M prepared, so :tenant and :limit are
-- parameters as the server's $1 and $5 are. pgbench variables cannot be NULL or empty, so the
-- first page's other parameters are written in: no kind filter ($2 NULL) and the sentinel first
-- key ('', nil uuid) — a custom plan folds them alike.
\set limit 25
WITH page AS (SELECT customer_json(s.r) AS body, json_build_array((s.r).name, (s.r).id) AS keys, row_number() OVER (ORDER BY (s.r).name, (s.r).id) AS n FROM (SELECT r FROM customers r WHERE r.tenant_id = :tenant AND (NULL::text IS NULL OR r.kind = NULL::text) AND (r.name, r.id) > ('', '00000000-0000-0000-0000-000000000000'::uuid)  ORDER BY r.name, r.id LIMIT :limit::int + 1) s) SELECT json_build_object('items', coalesce(json_agg(body ORDER BY n) FILTER (WHERE n <= :limit::int), '[]'::json), 'next_cursor', CASE WHEN max(n) > :limit::int THEN cursor_encode((array_agg(keys ORDER BY n))[:limit::int]) END)::text FROM page;
