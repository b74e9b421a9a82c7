-- The JSON variant of reference/payments.sql: the same one SELECT aggregated into one JSON array.
\set n random(1, 1000)
SELECT json_agg(x)::text FROM (
SELECT p.id, p.payment_date, p.status, p.method, p.reference_number, p.amount_cents,
       p.allocated_cents AS applied_cents, p.refunded_cents,
       p.amount_cents - p.allocated_cents - p.refunded_cents AS unapplied_cents,
       p.method_brand, p.method_last4, p.failure_code, p.failure_message
FROM payments p
WHERE p.tenant_id = :tenant AND p.customer_id = md5('bench-account-' || :n)::uuid
ORDER BY p.payment_date DESC, p.id DESC
LIMIT 26) x;
