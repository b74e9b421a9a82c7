-- Reference of GET /v1/portal/payments (first page) for scripts/bench: the leanest plain query
-- that returns the same page. The items' fields of portal_payment_summary_json, in its order
-- (applied and unapplied written out), one row per item, 26 rows (the page and the one that says
-- a next page exists), every payment of the account, newest first as the list orders them. Run
-- with pgbench -M prepared; the account is one of the 1,000 portal accounts at random, the tenant
-- comes from -D tenant=<uuid>.
\set n random(1, 1000)
SELECT p.id, p.payment_date, p.status, p.method, p.reference_number, p.amount_cents,
       p.allocated_cents AS applied_cents, p.refunded_cents,
       p.amount_cents - p.allocated_cents - p.refunded_cents AS unapplied_cents,
       p.method_brand, p.method_last4, p.failure_code, p.failure_message
FROM payments p
WHERE p.tenant_id = :tenant AND p.customer_id = md5('bench-account-' || :n)::uuid
ORDER BY p.payment_date DESC, p.id DESC
LIMIT 26;
