-- The statement data set of `scripts/bench statement`: the account :'account' of tenant :'slug'
-- gets 5,000 transactions in the 90 days ending today (2,000 invoices, 2,000 payments, each of
-- one invoice, half of them with 500 cents to spare, 500 credits, 500 refunds of spare money) and
-- as many again in the two years before (the opening balance sums them), generated without
-- random() so every run measures the same data. The money triggers keep every total true.
CREATE TEMP TABLE bench_days AS
SELECT k, CASE WHEN k <= 2000 THEN current_date - (k % 90)
               ELSE current_date - 90 - (k % 640) END AS day
FROM generate_series(1, 4000) AS k;

INSERT INTO invoices (tenant_id, customer_id, number, invoice_date, due_date, terms, status,
                      total_cents, sent_at)
SELECT c.tenant_id, c.id, 'ST-' || lpad(d.k::text, 5, '0'), d.day, d.day + 30, 'Net 30', 'open',
       1000 + (d.k * 37) % 9000, d.day + time '09:00'
FROM customers c JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN bench_days d WHERE c.account_number = :'account';

-- Every invoice is paid: an even one in full with 500 cents to spare, an odd one by half; in
-- the range a few days after its date, before it on its date.
CREATE TEMP TABLE bench_pay AS
SELECT i.tenant_id, i.customer_id, i.id AS invoice_id, d.k, i.total_cents,
       CASE WHEN d.k <= 2000 THEN least(current_date, i.invoice_date + 3) ELSE i.invoice_date END
         AS day,
       CASE WHEN d.k % 2 = 0 THEN i.total_cents + 500 ELSE i.total_cents / 2 END AS amount
FROM invoices i JOIN customers c ON c.id = i.customer_id AND c.account_number = :'account'
JOIN tenants t ON t.id = i.tenant_id AND t.slug = :'slug'
JOIN bench_days d ON i.number = 'ST-' || lpad(d.k::text, 5, '0');

INSERT INTO payments (tenant_id, customer_id, payment_date, method, reference_number,
                      amount_cents)
SELECT tenant_id, customer_id, day, 'check', 'PAY-' || k, amount FROM bench_pay;

INSERT INTO payment_allocations (tenant_id, customer_id, payment_id, invoice_id, amount_cents)
SELECT b.tenant_id, b.customer_id, p.id, b.invoice_id, least(b.amount, b.total_cents)
FROM bench_pay b JOIN payments p ON p.tenant_id = b.tenant_id AND p.customer_id = b.customer_id
  AND p.reference_number = 'PAY-' || b.k;

-- A refund of the spare money of every fourth payment, on the payment's day.
CREATE TEMP TABLE bench_refund AS
SELECT p.id AS payment_id, p.tenant_id, p.customer_id, p.payment_date
FROM bench_pay b JOIN payments p ON p.tenant_id = b.tenant_id AND p.customer_id = b.customer_id
  AND p.reference_number = 'PAY-' || b.k
WHERE b.k % 4 = 0;
INSERT INTO refunds (tenant_id, customer_id, payment_id, amount_cents, reason, refund_date)
SELECT tenant_id, customer_id, payment_id, 500, 'Overpaid', payment_date FROM bench_refund;
UPDATE payments p SET refunded_cents = 500 FROM bench_refund r WHERE p.id = r.payment_id;
INSERT INTO refund_lines (refund_id, invoice_id, amount_cents)
SELECT r.id, NULL, r.amount_cents FROM refunds r JOIN bench_refund b ON b.payment_id = r.payment_id;

-- A credit for every fourth day-number.
INSERT INTO credits (tenant_id, customer_id, credit_date, reason, amount_cents, remaining_cents)
SELECT c.tenant_id, c.id, d.day, 'Missed pickup, route ' || d.k, 250, 250
FROM customers c JOIN tenants t ON t.id = c.tenant_id AND t.slug = :'slug'
CROSS JOIN bench_days d WHERE c.account_number = :'account' AND d.k % 4 = 1;

VACUUM ANALYZE invoices;
VACUUM ANALYZE payments;
VACUUM ANALYZE payment_allocations;
VACUUM ANALYZE refunds;
VACUUM ANALYZE credits;
