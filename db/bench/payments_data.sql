-- The payments of scripts/bench: (:per_customer + 1) / 2 payments for each generated customer
-- (account numbers B-...) of the tenant :'slug' (500,000 beside 1,000,000 invoices), one every
-- two months, the newest last month; generated in one statement without random(). Methods: four
-- in ten by card and two by bank account through the portal (the sandbox processor's columns
-- filled as a portal payment's are), the rest check, cash or other at the back office. Statuses
-- (payments_status_valid allows pending, succeeded, failed, refunded): mostly succeeded; 1 in 37
-- of the portal ones failed (with the processor's code and sentence), 1 in 53 refunded in full,
-- and the newest bank payment of one customer in five still pending (no next_check_at: the
-- payments worker leaves it alone). Like invoices_data.sql, totals only: a succeeded payment's
-- allocated_cents is set without allocation rows (the list reads only the payment row); one in
-- eleven keeps 500 cents unapplied.
INSERT INTO payments (tenant_id, customer_id, payment_date, method, reference_number,
                      amount_cents, allocated_cents, refunded_cents, status, source, processor,
                      processor_method_ref, processor_key, processor_charge_ref, currency,
                      method_brand, method_last4, failure_code, failure_message)
SELECT c.tenant_id, c.id, d.payment_date, m.method,
       CASE m.method WHEN 'check' THEN 'CHK ' || (1000 + k)
                     WHEN 'cash' THEN 'CASH-' || k
                     WHEN 'other' THEN 'ADJ-' || k
                     ELSE 'P-' || upper(substr(md5(c.account_number || '-' || k), 1, 10)) END,
       s.amount,
       CASE WHEN s.status IN ('succeeded', 'pending')
            THEN s.amount - CASE WHEN k % 11 = 4 THEN 500 ELSE 0 END ELSE 0 END,
       CASE WHEN s.status = 'refunded' THEN s.amount ELSE 0 END,
       s.status,
       CASE WHEN m.portal THEN 'portal' ELSE 'back_office' END,
       CASE WHEN m.portal THEN 'sandbox' END,
       CASE WHEN m.portal THEN 'pm_bench_' || c.account_number || '_' || m.method END,
       CASE WHEN m.portal THEN 'payment-bench-' || c.account_number || '-' || k END,
       CASE WHEN m.portal AND s.status <> 'pending' THEN 'ch_bench_' || c.account_number || '_' || k END,
       CASE WHEN m.portal THEN 'USD' END,
       CASE WHEN m.method = 'card' THEN (ARRAY['visa', 'mastercard'])[cn.n % 2 + 1] END,
       CASE WHEN m.method = 'card' THEN (ARRAY['4242', '4444'])[cn.n % 2 + 1]
            WHEN m.method = 'bank_account' THEN '6789' END,
       CASE WHEN s.status = 'failed' THEN
         CASE m.method WHEN 'card' THEN 'card_declined' ELSE 'insufficient_funds' END END,
       CASE WHEN s.status = 'failed' THEN
         CASE m.method WHEN 'card' THEN 'Your card was declined.'
                       ELSE 'The bank account did not have enough money.' END END
FROM customers c
JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN LATERAL (SELECT substr(c.account_number, 3)::int AS n) cn
CROSS JOIN generate_series(1, (:per_customer + 1) / 2) AS k
CROSS JOIN LATERAL (SELECT least(current_date, (date_trunc('month', now())::date
                                                - ((2 * k - 1) * interval '1 month'))::date + 20)
                           AS payment_date) d
CROSS JOIN LATERAL (SELECT (ARRAY['card', 'card', 'card', 'card', 'bank_account', 'bank_account',
                                  'check', 'check', 'cash', 'other'])[(k + cn.n) % 10 + 1] AS method) mm
CROSS JOIN LATERAL (SELECT mm.method, mm.method IN ('card', 'bank_account') AS portal) m
CROSS JOIN LATERAL (SELECT 4000 + (k * 53 + cn.n * 7) % 12000 AS amount,
  CASE WHEN m.portal AND k % 37 = 5 THEN 'failed'
       WHEN k % 53 = 7 THEN 'refunded'
       WHEN m.method = 'bank_account' AND k = 1 AND cn.n % 5 = 0 THEN 'pending'
       ELSE 'succeeded' END AS status) s
WHERE c.account_number LIKE 'B-%';
